/**
 * `newsroom demo` (`npm run demo`): the seed article's whole story against a running instance,
 * over its HTTP API with development tokens, each step printed as it lands: the draft from the
 * fixture in tests/fixtures, changes requested, the revision, approval by a second editor,
 * publication, the "Đại hội VIII" to "Đại hội XIII" correction with its public notice, reviewed
 * and published as version 2. It waits for the public read model to show each version, then
 * prints the links to the feeds, the ninjs document and the audit page for the article.
 * Exit 0 when version 2 is public with the corrected text; 1 with the failing step otherwise.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { contentOfFile } from './draft-file.js';
import { EXIT, show, stdio } from './io.js';
import { baseUrl, instance, InstanceRefused } from './instance.js';
import type { Instance, Person } from './instance.js';

export const DEMO_USAGE = `  newsroom demo [--url http://127.0.0.1:8080] [--json]   (JWT_SECRET: the instance's, if set)`;

const FIXTURE = new URL(
  '../../../../tests/fixtures/haiphong-portal-2019-04-08.json',
  import.meta.url,
);

const reporter: Person = { role: 'reporter', sub: 'hoang.tung' };
const editorA: Person = { role: 'editor', sub: 'editor.a' };
const editorB: Person = { role: 'editor', sub: 'editor.b' };
const publisher: Person = { role: 'publisher', sub: 'publisher.p' };

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Polls the public read model until the article's `version` is there (it is eventual). */
const publicVersion = async (http: Instance, articleId: string, version: number) => {
  for (const deadline = Date.now() + 30_000; ;) {
    const reply = await http.request(`/v1/feeds/articles/${articleId}`);
    if (reply.status === 200 && reply.body?.version === version) return reply.body as Json;
    if (Date.now() > deadline) {
      throw new InstanceRefused(
        `version ${version} was not public after 30 s (last: ${reply.status})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

export const demoCommand = async (args: readonly string[]): Promise<number> => {
  const { values } = parseArgs({
    args: [...args],
    options: { url: { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
  });
  const o = stdio(values.json === true);
  const base = baseUrl(values.url);
  const http = instance(base);
  const step = (text: string) => {
    if (!o.json) o.out(`✓ ${text}`);
  };
  const articleId = randomUUID();
  const d = `/v1/drafts/${articleId}`;
  const r = `/v1/reviews/${articleId}`;
  const p = `/v1/publications/${articleId}`;
  try {
    const original = contentOfFile(fileURLToPath(FIXTURE)) as Json; // its texts, untouched
    await http.command('create the draft', '/v1/drafts', reporter, {
      articleId,
      data: { content: original },
    });
    step(`draft ${articleId} created by ${reporter.sub} from the seed article`);
    await http.command('submit', `${d}/submit`, reporter);
    step('submitted for review');
    await http.command('assign', `${r}/assign`, editorA, { data: { reviewerId: editorA.sub } });
    await http.command('request changes', `${r}/request-changes`, editorA, {
      data: { comments: [{ text: 'Thêm tóm tắt cho bài viết.', blockIndex: 0 }] },
    });
    step(`${editorA.sub} asked for a summary`);
    const revised = { ...original, summary: 'Ban Thường vụ Thành ủy cho ý kiến.' };
    await http.command('revise', `${d}/revise`, reporter, {
      data: { content: revised, note: 'thêm tóm tắt' },
    });
    await http.command('resubmit', `${d}/submit`, reporter);
    step(`${reporter.sub} added it and submitted again`);
    await http.command('approve', `${r}/approve`, editorB, { data: { note: 'Duyệt.' } });
    step(`approved by a second editor, ${editorB.sub}`);
    await http.command('publish', `${p}/publish`, publisher, { data: { mode: 'now' } });
    await publicVersion(http, articleId, 1);
    step(`published by ${publisher.sub}: version 1 is public`);

    const corrected = {
      ...revised,
      blocks: (revised.blocks as Json[]).map((b) =>
        b.kind === 'paragraph' && String(b.text).includes('Đại hội VIII')
          ? { ...b, text: String(b.text).replace('Đại hội VIII', 'Đại hội XIII') }
          : b,
      ),
    };
    const notice = 'Đính chính: đúng là "Đại hội XIII" của Đảng.';
    await http.command('draft the correction', `${p}/corrections`, reporter, {
      data: { content: corrected, notice },
    });
    step('correction drafted: "Đại hội VIII" -> "Đại hội XIII"');
    await http.command('approve the correction', `${r}/approve`, editorA);
    step(`correction approved by ${editorA.sub}`);
    await http.command('publish the correction', `${p}/corrections/publish`, publisher);
    const v2 = await publicVersion(http, articleId, 2);
    const text = JSON.stringify(v2.content);
    if (!text.includes('Đại hội XIII') || text.includes('Đại hội VIII')) {
      throw new InstanceRefused('version 2 is public but does not read "Đại hội XIII"');
    }
    step(`version 2 is public with the notice: ${notice}`);

    const links = {
      article: `${base}/v1/feeds/articles/${articleId}`,
      ninjs: `${base}/v1/feeds/ninjs/${articleId}`,
      rss: `${base}/v1/feeds/rss.xml`,
      atom: `${base}/v1/feeds/atom.xml`,
      jsonFeed: `${base}/v1/feeds/feed.json`,
      auditPage: `${base}/audit/articles/${articleId}`,
      auditHistory: `${base}/v1/audit/articles/${articleId}/history`,
    };
    show(o, { ok: true, articleId, version: v2.version, links }, () => [
      '',
      `the article:   ${links.article}`,
      `ninjs:         ${links.ninjs}`,
      `feeds:         ${links.rss}  ${links.atom}  ${links.jsonFeed}`,
      `audit page:    ${links.auditPage}  (sign in with: newsroom token --role auditor --sub <you>)`,
      `audit history: ${links.auditHistory}  (an auditor's token)`,
    ]);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof InstanceRefused)) throw error;
    if (o.json) o.out(JSON.stringify({ ok: false, articleId, error: error.message }));
    else o.err(`✗ ${error.message}`);
    return EXIT.failed;
  }
};
