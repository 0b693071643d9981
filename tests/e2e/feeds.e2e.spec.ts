/**
 * The feeds and ninjs documents as consumers read them (one process, PGlite): RSS, Atom and
 * JSON Feed parsed by rss-parser, an independent library; every ninjs document validated
 * against IPTC's schema. Stable ids across a correction, notices shown, a retraction leaving
 * the feeds (an Atom tombstone), dates in +07:00, paging, conditional requests, and markup in a
 * text reaching readers as text.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { htmlText, parseJsonFeed, parseXmlFeed } from '../channels/feeds.js';
import { ninjsValidator } from '../ninjs/validator.js';
import { useTestSystem } from './harness.js';
import { seedContent } from './seed-article.js';

const reporter = { role: 'reporter', sub: 'reporter.f' } as const;
const editor = { role: 'editor', sub: 'editor.f' } as const;
const publisher = { role: 'publisher', sub: 'publisher.f' } as const;

describe('feeds and ninjs', () => {
  const sys = useTestSystem('pglite');
  const validator = ninjsValidator();
  const section = `feeds ${randomUUID()}`;
  const ok = (reply: { status: number; text: string }) =>
    expect(reply.status, reply.text).toBeLessThan(300);

  const publish = async (blocks = seedContent().blocks) => {
    const id = randomUUID();
    const content = { ...seedContent(), section, blocks };
    ok(await sys.post('/v1/drafts', reporter, { articleId: id, data: { content } }));
    ok(await sys.post(`/v1/drafts/${id}/submit`, reporter, {}));
    ok(await sys.post(`/v1/reviews/${id}/approve`, editor, {}));
    ok(await sys.post(`/v1/publications/${id}/publish`, publisher, { data: { mode: 'now' } }));
    return { id, content };
  };
  const feed = (file: string, extra = '') =>
    sys.request('GET', `/v1/feeds/${file}?section=${encodeURIComponent(section)}${extra}`);

  it('serves every format with stable ids, notices, tombstones, +07:00 dates, paging and 304s', async () => {
    const first = await publish();
    const second = await publish([
      { kind: 'paragraph', text: 'Đoạn có <script>alert("x")</script> & <b>thẻ</b> bên trong' },
      // A control character XML cannot carry: stored as sent, shown as U+FFFD in the feeds.
      { kind: 'paragraph', text: 'Ký tự điều khiển \u0001 ở giữa' },
    ]);
    const third = await publish();
    const notice = 'Đính chính: đúng là "Đại hội XIII".';
    const corrected = {
      ...first.content,
      blocks: first.content.blocks.map((b) =>
        b.kind === 'paragraph' ? { ...b, text: b.text.replace('Đại hội VIII', 'Đại hội XIII') } : b,
      ),
    };
    ok(
      await sys.post(`/v1/publications/${first.id}/corrections`, reporter, {
        data: { content: corrected, notice },
      }),
    );
    ok(await sys.post(`/v1/reviews/${first.id}/approve`, editor, {}));
    ok(await sys.post(`/v1/publications/${first.id}/corrections/publish`, publisher, {}));
    const retraction = 'Bài viết bị thu hồi do sai sót.';
    ok(
      await sys.post(`/v1/publications/${third.id}/retract`, publisher, {
        data: { reason: 'sai', notice: retraction },
      }),
    );
    await sys.caughtUp();

    const uri = (id: string) => `urn:newsroom:article:${id}`;
    for (const [file, type] of [
      ['rss.xml', 'application/rss+xml'],
      ['atom.xml', 'application/atom+xml'],
      ['feed.json', 'application/feed+json'],
    ] as const) {
      const reply = await feed(file);
      expect(reply.status).toBe(200);
      expect(reply.headers.get('content-type')).toBe(`${type}; charset=utf-8`);
      const parsed =
        file === 'feed.json' ? parseJsonFeed(reply.text) : await parseXmlFeed(reply.text);
      // Newest first publication first; the retracted one gone; the corrected one keeps its id.
      expect(
        parsed.entries.map((e) => e.id),
        file,
      ).toEqual([uri(second.id), uri(first.id)]);
      const entry = parsed.entries[1]!;
      expect(entry.title).toBe(first.content.headline);
      expect(htmlText(entry.html)).toContain(notice);
      // The notice first, as an element readers see (not escaped markup).
      expect(entry.html).toMatch(/^<aside><p>Đính chính: /);
      expect(parsed.entries[0]!.html).toContain('Ký tự điều khiển \uFFFD ở giữa');
      expect(entry.html).toContain('Đại hội XIII');
      // The text with markup is shown as text: no element came through.
      const marked = parsed.entries[0]!.html;
      expect(marked).not.toMatch(/<script|<b>/);
      expect(marked).toMatch(/&lt;script&gt;/);
      expect(htmlText(marked)).toContain(
        'Đoạn có <script>alert("x")</script> & <b>thẻ</b> bên trong',
      );
      expect(reply.text).toMatch(/\+07:00|\+0700/);

      // Conditional requests: the same bytes are not sent again.
      const etag = reply.headers.get('etag')!;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
      const cached = await sys.request(
        'GET',
        `/v1/feeds/${file}?section=${encodeURIComponent(section)}`,
        {
          headers: { 'if-none-match': etag },
        },
      );
      expect(cached.status).toBe(304);
      expect(cached.text).toBe('');
      const since = await sys.request(
        'GET',
        `/v1/feeds/${file}?section=${encodeURIComponent(section)}`,
        {
          headers: { 'if-modified-since': reply.headers.get('last-modified')! },
        },
      );
      expect(since.status).toBe(304);

      // Paging: one entry a page, following next, gives the same entries.
      const ids: string[] = [];
      let page = await feed(file, '&limit=1');
      for (let n = 0; n < 5; n++) {
        const p = file === 'feed.json' ? parseJsonFeed(page.text) : await parseXmlFeed(page.text);
        ids.push(...p.entries.map((e) => e.id));
        if (p.next === undefined) break;
        page = await sys.request('GET', new URL(p.next).pathname + new URL(p.next).search);
      }
      expect(ids, `${file} paged`).toEqual([uri(second.id), uri(first.id)]);
    }

    // Atom carries the retraction as an RFC 6721 tombstone with its notice.
    const atom = await parseXmlFeed((await feed('atom.xml')).text);
    expect(atom.deleted).toEqual([
      { ref: uri(third.id), when: expect.stringMatching(/\+07:00$/), comment: retraction },
    ]);
    const atomEntry = (await parseXmlFeed((await feed('atom.xml')).text)).entries[1]!;
    expect(atomEntry.updated).not.toBe(atomEntry.published); // bumped by the correction
  });

  it('emits ninjs documents valid against IPTC 3.1, per version, canceled once retracted', async () => {
    const { id, content } = await publish();
    const notice = 'Đính chính ngày họp.';
    ok(
      await sys.post(`/v1/publications/${id}/corrections`, reporter, {
        data: { content: { ...content, headline: `${content.headline} (sửa)` }, notice },
      }),
    );
    ok(await sys.post(`/v1/reviews/${id}/approve`, editor, {}));
    ok(await sys.post(`/v1/publications/${id}/corrections/publish`, publisher, {}));
    await sys.caughtUp();
    const current = await sys.request('GET', `/v1/feeds/ninjs/${id}`);
    expect(current.status, current.text).toBe(200);
    expect(validator.errorsOf(current.body)).toEqual([]);
    expect(current.body).toMatchObject({
      uri: `urn:newsroom:article:${id}`,
      version: '2',
      pubStatus: 'usable',
    });
    expect(current.body.descriptions).toContainEqual({
      role: 'correction',
      contentType: 'text/plain',
      value: notice,
    });
    const v1 = await sys.request('GET', `/v1/feeds/ninjs/${id}/versions/1`);
    expect(v1.status).toBe(200);
    expect(validator.errorsOf(v1.body)).toEqual([]);
    expect(v1.body.headlines[0].value).toBe(content.headline);
    expect(v1.body.version).toBe('1');
    const page = await sys.request(
      'GET',
      `/v1/feeds/ninjs?section=${encodeURIComponent(section)}&limit=100`,
    );
    expect(page.status).toBe(200);
    for (const doc of page.body.items) expect(validator.errorsOf(doc)).toEqual([]);
    expect(page.body.items.map((d: { uri: string }) => d.uri)).toContain(
      `urn:newsroom:article:${id}`,
    );

    ok(
      await sys.post(`/v1/publications/${id}/retract`, publisher, {
        data: { reason: 'sai', notice: 'Thu hồi.' },
      }),
    );
    await sys.caughtUp();
    const canceled = await sys.request('GET', `/v1/feeds/ninjs/${id}`);
    expect(canceled.status).toBe(200);
    expect(validator.errorsOf(canceled.body)).toEqual([]);
    expect(canceled.body).toMatchObject({ pubStatus: 'canceled', version: '2' });
    expect(canceled.body.bodies).toBeUndefined();
    expect((await sys.request('GET', `/v1/feeds/ninjs/${id}/versions/1`)).status).toBe(410);
    expect((await sys.request('GET', `/v1/feeds/ninjs/${randomUUID()}`)).status).toBe(404);
    expect((await sys.request('GET', `/v1/feeds/ninjs/${id}/versions/0`)).status).toBe(404);
  });
});
