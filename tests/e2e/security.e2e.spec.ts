/**
 * Who may send what. For every command, the article is first brought (over HTTP, by allowed
 * actors) into a state where the command is valid; then every role that may not send it gets
 * 403 problem+json and the stream is unchanged, and an allowed role succeeds, which proves the
 * arrangement. Tokens that are missing, expired, unsigned or signed with another key get 401.
 * An actor named in a body is refused as an unknown field and never becomes the event's actor.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type { CallerRole as Role } from '@newsroom/service-kit';
import { STORE_KINDS, useTestSystem } from './harness.js';
import { seedContent } from './seed-article.js';

const ALL_ROLES: readonly Role[] = ['reporter', 'editor', 'publisher', 'auditor', 'admin']; // `system` is not a caller's role: its tokens get 401 (hardening.e2e.spec.ts)
const WRITERS: readonly Role[] = ['reporter', 'editor', 'admin'];
const EDITORS: readonly Role[] = ['editor', 'admin'];
const PUBLISHERS: readonly Role[] = ['publisher', 'admin'];

type Arrangement =
  | 'none'
  | 'Draft'
  | 'InReview'
  | 'Approved'
  | 'Scheduled'
  | 'Published'
  | 'CorrectionDrafted'
  | 'CorrectionApproved';

interface Case {
  readonly command: string;
  readonly path: (id: string) => string;
  readonly body: () => unknown;
  readonly given: Arrangement;
  readonly allowed: readonly Role[];
}

const future = () => new Date(Date.now() + 3_600_000).toISOString();
const revisedContent = () => ({ ...seedContent(), summary: 'Tóm tắt.' });

const CASES: readonly Case[] = [
  {
    command: 'CreateDraft',
    path: () => '/v1/drafts',
    body: () => ({ data: { content: seedContent() } }),
    given: 'none',
    allowed: WRITERS,
  },
  {
    command: 'ReviseDraft',
    path: (id) => `/v1/drafts/${id}/revise`,
    body: () => ({ data: { content: revisedContent() } }),
    given: 'Draft',
    allowed: WRITERS,
  },
  {
    command: 'SubmitForReview',
    path: (id) => `/v1/drafts/${id}/submit`,
    body: () => ({}),
    given: 'Draft',
    allowed: WRITERS,
  },
  {
    command: 'WithdrawSubmission',
    path: (id) => `/v1/drafts/${id}/withdraw`,
    body: () => ({}),
    given: 'InReview',
    allowed: WRITERS,
  },
  {
    command: 'DiscardDraft',
    path: (id) => `/v1/drafts/${id}/discard`,
    body: () => ({ data: { reason: 'trùng lặp' } }),
    given: 'Draft',
    allowed: WRITERS,
  },
  {
    command: 'AssignReviewer',
    path: (id) => `/v1/reviews/${id}/assign`,
    body: () => ({ data: { reviewerId: 'editor.z' } }),
    given: 'InReview',
    allowed: EDITORS,
  },
  {
    command: 'RequestChanges',
    path: (id) => `/v1/reviews/${id}/request-changes`,
    body: () => ({ data: { comments: [{ text: 'Sửa.' }] } }),
    given: 'InReview',
    allowed: EDITORS,
  },
  {
    command: 'ApproveArticle',
    path: (id) => `/v1/reviews/${id}/approve`,
    body: () => ({}),
    given: 'InReview',
    allowed: EDITORS,
  },
  {
    command: 'RejectArticle',
    path: (id) => `/v1/reviews/${id}/reject`,
    body: () => ({ data: { reason: 'không đạt' } }),
    given: 'InReview',
    allowed: EDITORS,
  },
  {
    command: 'PublishArticle',
    path: (id) => `/v1/publications/${id}/publish`,
    body: () => ({ data: { mode: 'now' } }),
    given: 'Approved',
    allowed: PUBLISHERS,
  },
  {
    command: 'CancelSchedule',
    path: (id) => `/v1/publications/${id}/cancel-schedule`,
    body: () => ({}),
    given: 'Scheduled',
    allowed: PUBLISHERS,
  },
  {
    command: 'CorrectArticle',
    path: (id) => `/v1/publications/${id}/corrections`,
    body: () => ({ data: { content: revisedContent(), notice: 'Đính chính.' } }),
    given: 'Published',
    allowed: WRITERS,
  },
  {
    command: 'PublishCorrection',
    path: (id) => `/v1/publications/${id}/corrections/publish`,
    body: () => ({}),
    given: 'CorrectionApproved',
    allowed: PUBLISHERS,
  },
  {
    command: 'UnpublishArticle',
    path: (id) => `/v1/publications/${id}/unpublish`,
    body: () => ({ data: { reason: 'tạm gỡ' } }),
    given: 'Published',
    allowed: PUBLISHERS,
  },
  {
    command: 'RetractArticle',
    path: (id) => `/v1/publications/${id}/retract`,
    body: () => ({ data: { reason: 'sai sự thật', notice: 'Bài viết bị thu hồi.' } }),
    given: 'Published',
    allowed: PUBLISHERS,
  },
];

const as = (role: Role, sub = `${role}.x`) => ({ role, sub });

describe.each(STORE_KINDS)('security on %s', (kind) => {
  const sys = useTestSystem(kind);

  const ok = async (path: string, who: { role: Role; sub: string }, body: unknown) => {
    const reply = await sys.post(path, who, body);
    expect(reply.status, `${path}: ${reply.text}`).toBeLessThan(300);
    return reply;
  };

  /** An article brought to `given` by actors who may: reporter writes, editor.r reviews. */
  const arrange = async (given: Arrangement): Promise<string> => {
    const id = randomUUID();
    if (given === 'none') return id;
    await ok('/v1/drafts', as('reporter', 'writer.r'), {
      articleId: id,
      data: { content: seedContent() },
    });
    if (given === 'Draft') return id;
    await ok(`/v1/drafts/${id}/submit`, as('reporter', 'writer.r'), {});
    if (given === 'InReview') return id;
    await ok(`/v1/reviews/${id}/approve`, as('editor', 'editor.r'), {});
    if (given === 'Approved') return id;
    if (given === 'Scheduled') {
      await ok(`/v1/publications/${id}/publish`, as('publisher', 'publisher.r'), {
        data: { mode: 'scheduled', at: future() },
      });
      return id;
    }
    await ok(`/v1/publications/${id}/publish`, as('publisher', 'publisher.r'), {
      data: { mode: 'now' },
    });
    if (given === 'Published') return id;
    await ok(`/v1/publications/${id}/corrections`, as('reporter', 'writer.r'), {
      data: { content: revisedContent(), notice: 'Đính chính.' },
    });
    if (given === 'CorrectionDrafted') return id;
    await ok(`/v1/reviews/${id}/approve`, as('editor', 'editor.r'), {});
    return id;
  };

  const revisionOf = async (id: string) => (await sys.store.readStream(`article-${id}`)).length;

  for (const c of CASES) {
    const refused = ALL_ROLES.filter((r) => !c.allowed.includes(r));
    it(`${c.command}: ${refused.join(', ')} get 403 and change nothing; ${c.allowed.join(', ')} may`, async () => {
      const id = await arrange(c.given);
      const before = await revisionOf(id);
      for (const role of refused) {
        const body =
          c.command === 'CreateDraft' ? { articleId: id, ...(c.body() as object) } : c.body();
        const reply = await sys.post(c.path(id), as(role), body);
        expect(reply.status, `${role} ${c.command}: ${reply.text}`).toBe(403);
        expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(reply.body.rejection).toMatchObject({
          _tag: 'RoleNotAllowed',
          role,
          command: c.command,
        });
        expect(await revisionOf(id)).toBe(before);
      }
      for (const role of c.allowed) {
        const fresh = await arrange(c.given);
        const body =
          c.command === 'CreateDraft' ? { articleId: fresh, ...(c.body() as object) } : c.body();
        const reply = await sys.post(c.path(fresh), as(role, `${role}.allowed`), body);
        expect(reply.status, `${role} ${c.command}: ${reply.text}`).toBeLessThan(300);
      }
    });
  }

  describe('bearer tokens', () => {
    const path = () => `/v1/drafts`;
    const body = () => JSON.stringify({ data: { content: seedContent() } });
    const key = () => new TextEncoder().encode(sys.secret);

    it('a missing token gets 401 with WWW-Authenticate', async () => {
      const reply = await sys.request('POST', path(), { body: body() });
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    });

    it('an expired token gets 401', async () => {
      const token = await new SignJWT({ role: 'reporter' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('late.reporter')
        .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
        .sign(key());
      const reply = await sys.request('POST', path(), { token, body: body() });
      expect(reply.status).toBe(401);
      expect(reply.body.detail).toMatch(/expired/);
    });

    it('an unsigned token (alg none) gets 401', async () => {
      const token = new UnsecuredJWT({ role: 'admin' })
        .setSubject('mallory')
        .setExpirationTime('1h')
        .encode();
      expect((await sys.request('POST', path(), { token, body: body() })).status).toBe(401);
    });

    it('a token signed with another key gets 401', async () => {
      const token = await new SignJWT({ role: 'admin' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('mallory')
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode('not-the-secret-not-the-secret-xx'));
      expect((await sys.request('POST', path(), { token, body: body() })).status).toBe(401);
    });

    it('a rejected request writes nothing', async () => {
      const id = randomUUID();
      const reply = await sys.request('POST', path(), {
        body: JSON.stringify({ articleId: id, data: { content: seedContent() } }),
        token: 'not.a.jwt',
      });
      expect(reply.status).toBe(401);
      expect(await sys.store.readStream(`article-${id}`)).toEqual([]);
    });
  });

  describe('the actor comes from the token', () => {
    it('an actor named in the body is refused as an unknown field, and nothing is written', async () => {
      const id = randomUUID();
      const reply = await sys.post('/v1/drafts', as('reporter', 'real.reporter'), {
        articleId: id,
        actor: { id: 'someone.else', role: 'admin' },
        data: { content: seedContent(), by: { id: 'someone.else', role: 'admin' } },
      });
      expect(reply.status).toBe(400);
      expect(reply.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
        'actor',
        'data.by',
      ]);
      expect(await sys.store.readStream(`article-${id}`)).toEqual([]);
    });

    it("every event's actor and by are the token's subject and role", async () => {
      const id = randomUUID();
      await ok('/v1/drafts', as('editor', 'token.subject'), {
        articleId: id,
        data: { content: seedContent() },
      });
      const [event] = await sys.store.readStream(`article-${id}`);
      expect((event?.metadata as { actor: unknown }).actor).toEqual({
        id: 'token.subject',
        role: 'editor',
      });
      expect((event?.data as { by: unknown }).by).toEqual({ id: 'token.subject', role: 'editor' });
    });
  });
});
