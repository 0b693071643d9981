/**
 * The `newsroom` CLI (the real binary, a child process) against a running system: a draft from
 * the fixture's JSON and one from a plain-text file, any command by `send` (and a refused one,
 * with the failing field, and a usage error), `status` and `history`, the live stream tailed
 * while an article is published, `audit verify`, `audit export` verified offline, and the
 * syndication topic tailed from a real broker. Exit codes: 0 done, 1 refused, 2 usage.
 */
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectAdmin, createTopic, kafkaFromEnv, waitFor } from '@newsroom/messaging';
import { describe, expect, it } from 'vitest';
import { useTestSystem } from './harness.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const cli = new URL('../../services/cli/bin/newsroom.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'newsroom-cli-'));
const fixture = new URL('../fixtures/haiphong-portal-2019-04-08.json', import.meta.url).pathname;

const publish = (id: string, data: string) =>
  ['send', 'PublishArticle', id, '--as', 'publisher:publisher.p', '--data', data] as const;

describe('the newsroom CLI against a running instance', () => {
  const sys = useTestSystem('pglite');
  /** The CLI, told where the instance is (but for the offline verification, which needs none). */
  const newsroom = async (...args: string[]) => {
    const env = { ...process.env, JWT_SECRET: sys.secret };
    const offline = args[0] === 'audit' && args[1] === 'verify-export';
    const all = offline ? args : [...args, '--url', sys.url];
    // A bound on each run: a CLI that hangs fails its step instead of the whole test's time.
    return promisify(execFile)(process.execPath, [cli, ...all], { env, timeout: 30_000 }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
  };
  const json = async (...args: string[]) => {
    const run = await newsroom(...args, '--json');
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as Json;
  };

  it('mints a development token per role that the instance takes as that role', async () => {
    const mint = (...args: string[]) =>
      promisify(execFile)(process.execPath, [cli, 'token', ...args], {
        env: { ...process.env, JWT_SECRET: sys.secret },
        timeout: 30_000,
      }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const queue = async (token: string) =>
      (await fetch(`${sys.url}/v1/reviews`, { headers: { authorization: `Bearer ${token}` } }))
        .status;
    const editor = await mint('--role', 'editor', '--sub', 'editor.cli');
    expect(editor.code, editor.stderr).toBe(0);
    expect(await queue(editor.stdout.trim())).toBe(200);
    const reporter = await mint('--role', 'reporter', '--sub', 'reporter.cli');
    expect(await queue(reporter.stdout.trim())).toBe(403); // the queue is for editors
    const wrong = await mint('--role', 'nobody', '--sub', 'x');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/usage:/);
  });

  it('drafts from the fixture and from plain text, sends any command, and shows the article', async () => {
    const fromJson = await json('draft', fixture, '--as', 'reporter:hoang.tung');
    expect(fromJson).toMatchObject({ ok: true, status: 201, revision: '0' });
    const id: string = fromJson.body.articleId;
    const seed = JSON.parse(readFileSync(fixture, 'utf8'));
    const stored = await json('status', id, '--as', 'reporter:hoang.tung');
    expect(stored).toMatchObject({ status: 'Draft', revision: 0 });
    expect(stored.article.content.blocks).toEqual(seed.blocks); // byte for byte

    const text = join(dir, 'article.txt');
    writeFileSync(
      text,
      'Thông báo lịch tiếp dân\nThời gian: 08/04/2019 20:59\n\nĐoạn một.\n\nĐoạn hai.\n\nBan Tiếp công dân\n',
    );
    const fromText = await json(
      'draft',
      text,
      '--as',
      'reporter:hoang.tung',
      '--section',
      'thong-bao',
    );
    const textId: string = fromText.body.articleId;
    expect(
      (await json('status', textId, '--as', 'reporter:hoang.tung')).article.content,
    ).toMatchObject({
      headline: 'Thông báo lịch tiếp dân',
      byline: 'Ban Tiếp công dân',
      section: 'thong-bao',
      blocks: [
        { kind: 'paragraph', text: 'Đoạn một.' },
        { kind: 'paragraph', text: 'Đoạn hai.' },
      ],
    });

    expect(
      (await json('send', 'SubmitForReview', id, '--as', 'reporter:hoang.tung', '--if-match', '0'))
        .revision,
    ).toBe('1');
    const human = await newsroom(
      'send',
      'ApproveArticle',
      id,
      '--as',
      'editor:editor.b',
      '--data',
      '{"note":"Duyệt."}',
    );
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(
      new RegExp(`^ApproveArticle: HTTP 200, article ${id} at revision 2 \\(Approved\\)`),
    );

    const refused = await newsroom(...publish(id, '{"mode":"whenever"}'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/PublishArticle refused: HTTP 400: .*data\.mode/);
    for (const usage of [
      await newsroom('send', 'NoSuchCommand', id, '--as', 'editor:e'),
      await newsroom('send', 'ApproveArticle', '--as', 'editor:e'),
      await newsroom('send', 'ApproveArticle', id),
      await newsroom('send', 'ApproveArticle', id, '--as', 'emperor:e'),
    ]) {
      expect(usage.code, usage.stderr).toBe(2);
    }

    // The live stream, tailed from its start (nothing was published before): it shows the
    // publication, whenever it attached.
    const tail = spawn(process.execPath, [
      cli,
      ...['tail', 'stream', '--types', 'article.published', '--last-event-id', '0'],
      ...['--max', '1', '--json', '--url', sys.url],
    ]);
    let streamed = '';
    try {
      tail.stdout.on('data', (chunk: Buffer) => (streamed += chunk.toString('utf8')));
      const tailed = new Promise<number | null>((resolve) => tail.once('exit', resolve));
      await json(...publish(id, '{"mode":"now"}'));
      expect(await tailed).toBe(0);
    } finally {
      tail.kill(); // gone already when it stopped at --max
    }
    const frame = JSON.parse(streamed.trim()) as Json;
    expect(frame).toMatchObject({
      type: 'article.published',
      payload: { type: 'article.published' },
    });
    expect(JSON.stringify(frame.payload.data)).toContain(id);

    const status = await json('status', id, '--as', 'editor:editor.b');
    expect(status).toMatchObject({ articleId: id, status: 'Published', revision: 3 });
    const history = await json('history', id);
    expect(history.events.map((e: Json) => [e.type, e.actor.id])).toEqual([
      ['DraftCreated.v1', 'hoang.tung'],
      ['SubmittedForReview.v1', 'hoang.tung'],
      ['ArticleApproved.v1', 'editor.b'],
      ['ArticlePublished.v1', 'publisher.p'],
    ]);
    const lines = await newsroom('history', id);
    expect(lines.stdout.split('\n')[2]).toMatch(
      /^ {2}2 {2}\S+ {2}editor\.b \(editor\) +ArticleApproved\.v1/,
    );
  });

  it('verifies the store and saves an export that verifies offline', async () => {
    expect(await json('audit', 'verify')).toMatchObject({ ok: true });
    const auditor = { authorization: `Bearer ${await sys.token('auditor', 'auditor.cli')}` };
    expect(
      (await fetch(`${sys.url}/v1/audit/tree-heads`, { method: 'POST', headers: auditor })).status,
    ).toBeLessThan(300);
    const out = join(dir, 'export.ndjson');
    const saved = await json('audit', 'export', '--out', out);
    expect(saved).toMatchObject({ ok: true, file: out, end: { kind: 'end' } });
    expect(saved.events).toBeGreaterThanOrEqual(5);
    const { verifierKey } = (await fetch(`${sys.url}/v1/audit/tree-heads/key`).then((r) =>
      r.json(),
    )) as Json;
    const checked = await newsroom(
      'audit',
      'verify-export',
      out,
      '--public-key',
      verifierKey,
      '--json',
    );
    expect(checked.code, checked.stderr).toBe(0);
    expect(JSON.parse(checked.stdout)).toMatchObject({ ok: true, events: saved.events });
  });

  it('tails a topic on the broker', async () => {
    const topic = `cli-tail-${randomUUID()}`;
    const kafka = kafkaFromEnv({ clientId: 'cli-e2e' });
    const admin = await connectAdmin(kafka);
    await createTopic(admin, topic, 1);
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const value = JSON.stringify({
      type: 'article.published',
      data: { uri: 'urn:test:1', headlines: [{ value: 'Tiêu đề' }] },
    });
    await producer.send({ topic, messages: [{ key: 'urn:test:1', value }] });
    await producer.disconnect();
    const run = await waitFor(
      async () => {
        const r = await newsroom(
          'tail',
          'topic',
          '--topic',
          topic,
          '--from-beginning',
          '--max',
          '1',
        );
        return r.code === 0 && r;
      },
      60_000,
      { description: 'the CLI reading the topic' },
    );
    expect(run.stdout).toMatch(/^ +0:0 {2}article\.published +urn:test:1 Tiêu đề/);
  });
});
