/**
 * `npm run demo` (`newsroom demo`, the real CLI as a child process) against a running system:
 * it tells the seed article's story over HTTP and prints the links, and every link shows what
 * it says: version 2 public with "Đại hội XIII" and its notice, the ninjs document, the feeds,
 * the audit history with who approved what. Against nothing listening it says so and exits 1.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort } from '../support.js';
import { useTestSystem } from './harness.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const run = promisify(execFile);
const cli = new URL('../../services/cli/bin/newsroom.js', import.meta.url).pathname;
const newsroom = async (env: Record<string, string>, ...args: string[]) => {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

describe('npm run demo', () => {
  const sys = useTestSystem('pglite');
  const auditor = { role: 'auditor', sub: 'auditor.demo' } as const;

  it('tells the seed story against a running instance and prints links that show it', async () => {
    const done = await newsroom({ JWT_SECRET: sys.secret }, 'demo', '--url', sys.url, '--json');
    expect(done.code, done.stderr).toBe(0);
    const result = JSON.parse(done.stdout);
    expect(result).toMatchObject({ ok: true, version: 2 });
    const { articleId, links } = result;

    const article: Json = await fetch(links.article).then((r) => r.json());
    const text = JSON.stringify(article.content);
    expect(text).toContain('Đại hội XIII');
    expect(text).not.toContain('Đại hội VIII');
    expect(article.corrections).toEqual([
      {
        version: 2,
        notice: 'Đính chính: đúng là "Đại hội XIII" của Đảng.',
        at: expect.any(String),
      },
    ]);
    const ninjs = await fetch(links.ninjs);
    expect(ninjs.status).toBe(200);
    expect(JSON.stringify(await ninjs.json())).toContain('Đại hội XIII');
    for (const feed of [links.rss, links.atom, links.jsonFeed]) {
      const reply = await fetch(feed);
      expect(reply.status, feed).toBe(200);
      expect(await reply.text(), feed).toContain(articleId);
    }

    const history: Json = await fetch(links.auditHistory, {
      headers: { authorization: `Bearer ${await sys.token(auditor.role, auditor.sub)}` },
    }).then((r) => r.json());
    const who = (type: string) =>
      history.events.filter((e: Json) => e.type === type).map((e: Json) => e.actor.id);
    expect(who('ChangesRequested.v1')).toEqual(['editor.a']);
    expect(who('ArticleApproved.v1')).toEqual(['editor.b']);
    expect(who('CorrectionApproved.v1')).toEqual(['editor.a']);
    expect(who('CorrectionPublished.v1')).toEqual(['publisher.p']);
    expect(links.auditPage).toBe(`${sys.url}/audit/articles/${articleId}`);

    const human = await newsroom({ JWT_SECRET: sys.secret }, 'demo', '--url', sys.url);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/✓ approved by a second editor, editor\.b/);
    expect(human.stdout).toMatch(/audit page: +http:\/\/.+\/audit\/articles\//);
  });

  it('says when no instance answers, and exits 1', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const down = await newsroom({}, 'demo', '--url', url);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`cannot reach ${url}: is it running (npm start)?`);
    const wrongSecret = await newsroom(
      { JWT_SECRET: 'not-the-instance-secret' },
      'demo',
      '--url',
      sys.url,
      '--json',
    );
    expect(wrongSecret.code).toBe(1);
    expect(JSON.parse(wrongSecret.stdout)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^create the draft: HTTP 401/),
    });
  });
});
