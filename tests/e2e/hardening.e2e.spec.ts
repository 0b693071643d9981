/**
 * The edges a hostile client pushes on, each defect found in review with the test that keeps it
 * fixed, over real HTTP on both stores: token subjects that could not be read back (and an
 * article that already holds one), four eyes across Unicode forms and case, a body with 100,000
 * errors, a published text answered twice, invalid UTF-8, `__proto__` and duplicate keys,
 * If-Match edge cases, Node's own parser errors, oversized and gzip-inflated bodies, the
 * `system` role, invisible headlines and the order of 404 and 400.
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { ProblemDetails } from '@newsroom/contracts';
import { STORE_KINDS, useTestSystem } from './harness.js';
import type { Reply } from './harness.js';
import { seedContent } from './seed-article.js';

const reporter = { role: 'reporter', sub: 'reporter.x' } as const;
const editor = { role: 'editor', sub: 'editor.x' } as const;
const publisher = { role: 'publisher', sub: 'publisher.x' } as const;

/** Sends `head` + `body` on a raw socket and reads the whole answer (the server closes). */
const raw = (url: string, head: string, body: Buffer | string = ''): Promise<string> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.write(head);
    socket.write(body);
  });

const statusOf = (answer: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
const bodyOf = (answer: string): unknown =>
  JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));

const expectProblem = (reply: Reply, status: number): void => {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(E.isRight(ProblemDetails.decode(reply.body)), reply.text).toBe(true);
};

const paths = (reply: Reply): string[] =>
  (reply.body.errors as { path: string }[]).map((e) => e.path);

describe.each(STORE_KINDS)('hardened edges on %s', (kind) => {
  const sys = useTestSystem(kind);
  const stream = (id: string) => sys.store.readStream(`article-${id}`);

  const create = async (as: { role: 'reporter' | 'editor'; sub: string } = reporter) => {
    const id = randomUUID();
    const reply = await sys.post('/v1/drafts', as, {
      articleId: id,
      data: { content: seedContent() },
    });
    expect(reply.status, reply.text).toBe(201);
    return id;
  };

  /** POST with a body sent exactly as these bytes. */
  const postBytes = async (
    path: string,
    bytes: Buffer | string,
    headers: Record<string, string> = {},
  ) =>
    sys.request('POST', path, {
      token: await sys.token('reporter', 'reporter.x'),
      body: bytes as string,
      headers: { 'content-type': 'application/json', ...headers },
    });

  describe('token subjects', () => {
    const refused = [
      ['a space', 'editor b'],
      ['a tab', 'editor\tb'],
      ['a leading space', ' editor'],
      ['201 characters', 'e'.repeat(201)],
      ['a NUL', 'editor\u0000b'],
      ['a lone surrogate', 'editor\ud800'],
      ['a zero-width space', 'editor\u200bb'],
      ['a right-to-left mark', 'editor\u200f'],
      ['a blank braille pattern', 'editor\u2800b'],
      ['a leading combining mark', '\u0301editor'],
      ['a private-use character', 'editor\ue000'],
    ] as const;
    it.each(refused)(
      'a sub with %s gets 401 with the reason, and nothing is written',
      async (_, sub) => {
        const id = randomUUID();
        const reply = await sys.post(
          '/v1/drafts',
          { role: 'reporter', sub },
          {
            articleId: id,
            data: { content: seedContent() },
          },
        );
        expectProblem(reply, 401);
        expect(reply.body.detail).toMatch(/subject \(sub\)/);
        expect(await stream(id)).toEqual([]);
      },
    );

    it('a Vietnamese sub of 200 characters is a caller like any other', async () => {
      const sub = 'biên-tập-viên-'.padEnd(200, 'ạ');
      const id = randomUUID();
      const reply = await sys.post(
        '/v1/drafts',
        { role: 'reporter', sub },
        {
          articleId: id,
          data: { content: seedContent() },
        },
      );
      expect(reply.status, reply.text).toBe(201);
      expect(((await stream(id))[0]?.metadata as { actor: { id: string } }).actor.id).toBe(sub);
    });

    it('a system token gets 401: only the scheduler acts as system', async () => {
      const id = await create();
      const reply = await sys.post(
        `/v1/publications/${id}/release`,
        { role: 'system', sub: 'publishing-scheduler' } as never,
        {},
      );
      expectProblem(reply, 401);
      expect(reply.body.detail).toMatch(/role/);
      expectProblem(await sys.get(`/v1/drafts/${id}`, { role: 'system', sub: 'x' } as never), 401);
    });

    it('an article that already holds an event by such a sub is still read, changed and released', async () => {
      // Written as the code before the fix wrote it: the sub as the token carried it.
      const id = await create();
      expect((await sys.post(`/v1/drafts/${id}/submit`, reporter, {})).status).toBe(200);
      expect((await sys.post(`/v1/reviews/${id}/approve`, editor, {})).status).toBe(200);
      const legacy = { id: 'publisher b', role: 'publisher' } as const;
      const now = new Date().toISOString();
      const releaseAt = new Date(Date.now() + 1_000).toISOString();
      await sys.store.appendToStream(
        `article-${id}`,
        [
          {
            id: randomUUID(),
            type: 'PublicationScheduled.v1',
            data: { articleId: id, at: now, by: legacy, embargo: false, releaseAt },
            metadata: {
              actor: legacy,
              commandId: randomUUID(),
              commandType: 'PublishArticle',
              correlationId: randomUUID(),
              causationId: randomUUID(),
              occurredAt: now,
            },
          },
        ],
        { expectedRevision: 2n },
      );
      const read = await sys.get(`/v1/publications/${id}`, publisher);
      expect(read.status, read.text).toBe(200);
      expect(read.body.article.schedule.scheduledBy).toEqual(legacy);
      const deadline = Date.now() + 20_000;
      let status = read.body.status as string;
      while (status !== 'Published' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = (await sys.get(`/v1/publications/${id}`, publisher)).body.status as string;
      }
      expect(status).toBe('Published');
      const unpublished = await sys.post(`/v1/publications/${id}/unpublish`, publisher, {
        data: { reason: 'Kiểm tra lại.' },
      });
      expect(unpublished.status, unpublished.text).toBe(200);
    });
  });

  it('four eyes: the author in NFD or in capitals is still the author', async () => {
    const author = { role: 'editor', sub: 'biên-tập.hà' } as const;
    const id = await create(author);
    expect((await sys.post(`/v1/drafts/${id}/submit`, author, {})).status).toBe(200);
    for (const sub of [author.sub.normalize('NFD'), author.sub.toUpperCase()]) {
      const reply = await sys.post(`/v1/reviews/${id}/approve`, { role: 'editor', sub }, {});
      expectProblem(reply, 403);
      expect(reply.body.rejection._tag).toBe('ApproverIsContributor');
    }
    expect(await stream(id)).toHaveLength(2);
  });

  it('100,000 bad list items get 400 with the first 100 errors, in a small answer', async () => {
    const items = Array.from({ length: 500 }, () => 1);
    const blocks = Array.from({ length: 200 }, () => ({ kind: 'list', ordered: false, items }));
    const id = randomUUID();
    const body = JSON.stringify({ articleId: id, data: { content: { ...seedContent(), blocks } } });
    const reply = await postBytes('/v1/drafts', body);
    expectProblem(reply, 400);
    expect(reply.body.errors).toHaveLength(100);
    expect(reply.body.errorsTruncated).toBe(true);
    expect(reply.body.errors[0]).toEqual({
      path: 'data.content.blocks.0.items.0',
      message: 'expected a string',
    });
    expect(reply.text.length).toBeLessThan(20_000);
    expect(await stream(id)).toEqual([]);
  });

  it('a published article is answered with its text once', async () => {
    const id = await create();
    await sys.post(`/v1/drafts/${id}/submit`, reporter, {});
    await sys.post(`/v1/reviews/${id}/approve`, editor, {});
    const published = await sys.post(`/v1/publications/${id}/publish`, publisher, {
      data: { mode: 'now' },
    });
    expect(published.status).toBe(200);
    const headline = seedContent().headline;
    for (const reply of [published, await sys.get(`/v1/publications/${id}`, publisher)]) {
      expect(reply.text.split(headline).length - 1, 'times the headline is sent').toBe(1);
      expect(reply.body.article.published).toMatchObject({ version: 1, contentIsCurrent: true });
    }
  });

  describe('bodies', () => {
    const invalid: readonly [string, number[], number][] = [
      ['an overlong slash C0 AF', [0xc0, 0xaf], 0],
      ['a lone FF', [0xff], 0],
      ['an encoded surrogate ED A0 80', [0xed, 0xa0, 0x80], 0],
      ['a truncated sequence E1 BA', [0xe1, 0xba], 0],
    ];
    it.each(invalid)('invalid UTF-8 (%s) gets 400 with the byte offset', async (_, bytes) => {
      const id = randomUUID();
      const prefix = Buffer.from(`{"articleId":"${id}","data":{"content":{"headline":"`);
      const content = JSON.stringify({ ...seedContent(), headline: undefined }).slice(1);
      const body = Buffer.concat([prefix, Buffer.from(bytes), Buffer.from(`",${content}}}`)]);
      const reply = await postBytes('/v1/drafts', body);
      expectProblem(reply, 400);
      expect(reply.body.detail).toBe(`the body is not valid UTF-8 at byte ${prefix.length}`);
      expect(await stream(id)).toEqual([]);
    });

    it('a "__proto__" key is refused at its path, wherever it is', async () => {
      const id = randomUUID();
      const content = seedContent();
      for (const [body, path] of [
        [
          `{"__proto__":{"x":1},"articleId":"${id}","data":${JSON.stringify({ content })}}`,
          '__proto__',
        ],
        [
          `{"articleId":"${id}","data":{"__proto__":{},"content":${JSON.stringify(content)}}}`,
          'data.__proto__',
        ],
        [
          `{"articleId":"${id}","data":{"content":${JSON.stringify(content).replace('"publisher":{', '"publisher":{"__proto__":"x",')}}}`,
          'data.content.publisher.__proto__',
        ],
      ] as const) {
        const reply = await postBytes('/v1/drafts', body);
        expectProblem(reply, 400);
        expect(paths(reply)).toEqual([path]);
      }
      expect(await stream(id)).toEqual([]);
    });

    it('a key named twice is refused at its path, also when spelt with an escape', async () => {
      const id = randomUUID();
      const content = JSON.stringify(seedContent());
      for (const twice of ['"headline":"Một",', '"h\\u0065adline":"Một",']) {
        const body = `{"articleId":"${id}","data":{"content":${content.replace('{', `{${twice}`)}}}`;
        const reply = await postBytes('/v1/drafts', body);
        expectProblem(reply, 400);
        expect(paths(reply)).toEqual(['data.content.headline']);
      }
      expect(await stream(id)).toEqual([]);
    });

    it.each(['utf-7', 'utf-16le', 'utf-32le', 'latin1'])(
      'a body in charset %s gets 415: JSON is UTF-8 and is checked as such',
      async (charset) => {
        const id = randomUUID();
        const body = JSON.stringify({ articleId: id, data: { content: seedContent() } });
        const reply = await postBytes('/v1/drafts', body, {
          'content-type': `application/json; charset=${charset}`,
        });
        expectProblem(reply, 415);
        expect(await stream(id)).toEqual([]);
        const utf8 = await postBytes('/v1/drafts', body, {
          'content-type': 'application/json; charset=UTF-8',
        });
        expect(utf8.status, utf8.text).toBe(201);
      },
    );

    it('a gzip body that inflates past the limit gets 413', async () => {
      const huge = `{"data":{"content":{"headline":"${'a'.repeat(8 * 1024 * 1024)}"}}}`;
      const compressed = gzipSync(huge);
      expect(compressed.length).toBeLessThan(64 * 1024);
      const reply = await postBytes('/v1/drafts', compressed as unknown as string, {
        'content-encoding': 'gzip',
      });
      expectProblem(reply, 413);
    });

    it('a declared Content-Length over the limit gets 413 at once, before any body', async () => {
      const token = await sys.token('reporter', 'reporter.x');
      const answer = await raw(
        sys.url,
        `POST /v1/drafts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n',
      );
      expect(statusOf(answer)).toBe(413);
      expect(answer).toMatch(/content-type: application\/problem\+json/i);
    });

    it('malformed JSON and a bad percent-encoding get 400 with errors', async () => {
      const malformed = await postBytes('/v1/drafts', '{"data": ');
      expectProblem(malformed, 400);
      expect(paths(malformed)).toEqual(['']);
      const badPath = await sys.get('/v1/drafts/%E0%A4%A', reporter);
      expectProblem(badPath, 400);
      expect(paths(badPath)).toEqual(['path']);
    });

    it('a headline of only invisible characters gets 400 at its path', async () => {
      for (const headline of ['\u200b', '\u200f\u200b', ' \u200b ', '\ufeff']) {
        const reply = await sys.post('/v1/drafts', reporter, {
          data: { content: { ...seedContent(), headline } },
        });
        expectProblem(reply, 400);
        expect(paths(reply)).toEqual(['data.content.headline']);
      }
    });

    it('a bad path id with a bad body gets 404, not 400', async () => {
      const reply = await sys.post('/v1/drafts/not-a-uuid/revise', reporter, { data: 7 });
      expectProblem(reply, 404);
    });
  });

  describe('If-Match', () => {
    it('on an article that does not exist: 412 without a revision or an ETag', async () => {
      const reply = await sys.post(
        `/v1/drafts/${randomUUID()}/submit`,
        reporter,
        {},
        { 'if-match': '"3"' },
      );
      expectProblem(reply, 412);
      expect(reply.body.currentRevision).toBeUndefined();
      expect(reply.headers.get('etag')).toBeNull();
    });

    it('a weak tag, a list or a negative revision gets 400 at headers.if-match', async () => {
      const id = await create();
      for (const ifMatch of ['W/"0"', '"0", "1"', '"-1"', '0']) {
        const reply = await sys.post(
          `/v1/drafts/${id}/submit`,
          reporter,
          {},
          { 'if-match': ifMatch },
        );
        expectProblem(reply, 400);
        expect(paths(reply)).toEqual(['headers.if-match']);
        if (ifMatch.startsWith('W/')) expect(reply.body.errors[0].message).toMatch(/weak/);
      }
      expect(await stream(id)).toHaveLength(1);
    });
  });

  it('one problem type has one title: an unknown article read or commanded', async () => {
    const id = randomUUID();
    const read = await sys.get(`/v1/drafts/${id}`, reporter);
    const command = await sys.post(`/v1/drafts/${id}/submit`, reporter, {});
    expectProblem(read, 404);
    expectProblem(command, 404);
    expect([read.body.type, read.body.title]).toEqual([command.body.type, command.body.title]);
  });

  it('a malformed request pipelined after a good one: the good one gets its own answer', async () => {
    const id = randomUUID();
    const token = await sys.token('reporter', 'reporter.x');
    const body = JSON.stringify({ articleId: id, data: { content: seedContent() } });
    const answer = await raw(
      sys.url,
      `POST /v1/drafts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}` +
        'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
    );
    expect(statusOf(answer), answer.slice(0, 200)).toBe(201);
    expect(await stream(id)).toHaveLength(1);
  });

  describe("Node's own parser errors are problem+json", () => {
    const cases = [
      [
        'two Content-Lengths',
        'POST /v1/drafts HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}',
        400,
      ],
      [
        'Content-Length with Transfer-Encoding',
        'POST /v1/drafts HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        400,
      ],
      ['a NUL in a header', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n', 400],
      ['a folded header', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  b\r\n\r\n', 400],
      ['an unknown method', 'BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n', 400],
      ['no Host in HTTP/1.1', 'GET /healthz HTTP/1.1\r\n\r\n', 400],
      ['an empty Host', 'GET /healthz HTTP/1.1\r\nHost:\r\n\r\n', 400],
      ['two Hosts', 'GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400],
      ['an Expect it cannot meet', 'GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: tea\r\n\r\n', 417],
      ['CONNECT', 'CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n', 405],
      [
        'headers over the limit',
        `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        431,
      ],
    ] as const;
    it.each(cases)('%s', async (_, request, status) => {
      const answer = await raw(sys.url, request);
      expect(statusOf(answer), answer).toBe(status);
      expect(answer).toMatch(/content-type: application\/problem\+json/i);
      const body = bodyOf(answer) as { status: number; errors?: unknown[] };
      expect(E.isRight(ProblemDetails.decode(body))).toBe(true);
      expect(body.status).toBe(status);
      if (status === 400) expect(body.errors).toHaveLength(1);
    });
  });
});
