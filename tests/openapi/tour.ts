/**
 * After the seed story: a call to every endpoint the story does not reach, and the refusals
 * any client meets (a bad body, no token, the wrong role, a stale revision, an unknown
 * article), so that each operation of the API reference is answered for real at least once.
 * Requests go through the caller's fetch (the test records them); each step checks only that
 * it got the status it asked for, the reference check is the test's.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { seedContent } from '../e2e/seed-article.js';
import { tourTheChannels } from './tour-channels.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface TourApi {
  readonly url: string;
  readonly fetch: typeof fetch;
  readonly token: (role: string, sub: string) => Promise<string>;
}

interface As {
  readonly role: string;
  readonly sub: string;
}

export const reporter: As = { role: 'reporter', sub: 'tour.reporter' };
export const editor: As = { role: 'editor', sub: 'tour.editor' };
export const publisher: As = { role: 'publisher', sub: 'tour.publisher' };
export const tourAuditor: As = { role: 'auditor', sub: 'tour.auditor' };

export const tourCalls = (api: TourApi) => {
  const call = async (
    method: string,
    path: string,
    options: { as?: As; body?: unknown; headers?: Record<string, string>; raw?: string } = {},
  ) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.as !== undefined)
      headers['authorization'] = `Bearer ${await api.token(options.as.role, options.as.sub)}`;
    const body =
      options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await api.fetch(`${api.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    let json: Json = undefined;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, body: json };
  };
  /** `call`, expecting `status`. */
  const expectStatus = async (
    status: number,
    method: string,
    path: string,
    options: Parameters<typeof call>[2] = {},
  ) => {
    const reply = await call(method, path, options);
    expect(reply.status, `${method} ${path}: ${reply.text.slice(0, 300)}`).toBe(status);
    return reply;
  };
  return { call, expectStatus };
};

/** An article taken through its story up to approval (and publication when `publish`). */
export const approvedArticle = async (
  expectStatus: ReturnType<typeof tourCalls>['expectStatus'],
  section: string,
) => {
  const id = randomUUID();
  const content = { ...seedContent(), section };
  await expectStatus(201, 'POST', '/v1/drafts', {
    as: reporter,
    body: { articleId: id, data: { content } },
  });
  await expectStatus(200, 'POST', `/v1/drafts/${id}/submit`, { as: reporter, body: {} });
  await expectStatus(200, 'POST', `/v1/reviews/${id}/approve`, { as: editor, body: {} });
  return id;
};

/** The commands, reads and refusals the story does not reach; returns the webhook
 *  deliveries its receiver got (their bodies), for the test to hold to the document too. */
export const tourTheNewsroom = async (api: TourApi, storyArticle: string): Promise<string[]> => {
  const { expectStatus } = tourCalls(api);
  const section = `tour ${randomUUID().slice(0, 8)}`;

  // The process's own endpoints and the reference itself.
  await expectStatus(200, 'GET', '/');
  await expectStatus(200, 'GET', '/healthz');
  await expectStatus(200, 'GET', '/readyz');
  await expectStatus(200, 'GET', '/metrics');
  await expectStatus(200, 'GET', '/openapi.json');
  await expectStatus(200, 'GET', '/docs');
  await expectStatus(200, 'GET', '/docs/start.js');
  await expectStatus(200, 'GET', '/docs/assets/swagger-ui.css');
  await expectStatus(404, 'GET', '/docs/assets/no-such-file.js');
  await expectStatus(404, 'GET', '/docs/assets/index.html'); // swagger-ui-dist's demo page

  // Refusals: a body the codec refuses, no token, the wrong role, a stale revision, no article.
  await expectStatus(400, 'POST', '/v1/drafts', { as: reporter, body: { data: { content: {} } } });
  await expectStatus(400, 'POST', '/v1/drafts', { as: reporter, raw: '{"data": ' });
  await expectStatus(415, 'POST', '/v1/drafts', {
    as: reporter,
    raw: 'headline',
    headers: { 'content-type': 'text/plain' },
  });
  await expectStatus(401, 'POST', '/v1/drafts', { body: { data: { content: seedContent() } } });
  await expectStatus(403, 'POST', '/v1/drafts', {
    as: { role: 'auditor', sub: 'tour.nosy' },
    body: { data: { content: seedContent() } },
  });
  await expectStatus(412, 'POST', `/v1/drafts/${storyArticle}/revise`, {
    as: reporter,
    body: { data: { content: seedContent() } },
    headers: { 'if-match': '"1"' },
  });
  await expectStatus(404, 'GET', `/v1/drafts/${randomUUID()}`, { as: reporter });
  await expectStatus(404, 'GET', '/v1/drafts/not-an-id', { as: reporter });
  await expectStatus(404, 'GET', '/v1/no-such-route');

  // Each service's view of an article, now and as of a revision.
  await expectStatus(200, 'GET', `/v1/drafts/${storyArticle}`, { as: reporter });
  await expectStatus(200, 'GET', `/v1/reviews/${storyArticle}?revision=2`, { as: editor });
  await expectStatus(200, 'GET', `/v1/publications/${storyArticle}?at=2099-01-01T00:00:00Z`, {
    as: publisher,
  });
  await expectStatus(400, 'GET', `/v1/publications/${storyArticle}?revision=x`, { as: publisher });
  await expectStatus(200, 'GET', `/v1/reviews?section=${encodeURIComponent(section)}`, {
    as: editor,
  });
  await expectStatus(400, 'GET', '/v1/reviews?limit=1000', { as: editor });

  return tourTheChannels(api, section, storyArticle);
};
