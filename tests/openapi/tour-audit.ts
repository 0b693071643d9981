/**
 * The audit's endpoints the story does not reach, after it (the system caught up): history in
 * both media types, time travel, the diff in its three, an actor's record, a seal and its
 * tree heads, proofs, verification, the export, the request log, and the audit page through
 * its session cookie; with the refusals an auditor's tools meet.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { waitFor } from '@newsroom/messaging';
import { tourAuditor, tourCalls } from './tour.js';
import type { TourApi } from './tour.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export const tourTheAudit = async (api: TourApi, articleId: string): Promise<void> => {
  const { call, expectStatus } = tourCalls(api);
  const as = { as: tourAuditor };
  const article = `/v1/audit/articles/${articleId}`;

  const history = await expectStatus(200, 'GET', `${article}/history`, as);
  const events = history.body.events as Json[];
  expect(events.length).toBeGreaterThan(5);
  const lines = await expectStatus(200, 'GET', `${article}/history`, {
    ...as,
    headers: { accept: 'application/x-ndjson' },
  });
  expect(lines.text.trim().split('\n')).toHaveLength(events.length);
  await expectStatus(403, 'GET', `${article}/history`, { as: { role: 'editor', sub: 'tour.ed' } });
  await expectStatus(401, 'GET', `${article}/history`);
  await expectStatus(404, 'GET', `/v1/audit/articles/${randomUUID()}/state`, as);

  await expectStatus(200, 'GET', `${article}/state?revision=3`, as);
  await expectStatus(200, 'GET', `${article}/state?at=2099-01-01T00:00:00Z`, as);
  await expectStatus(400, 'GET', `${article}/state?at=yesterday`, as);
  await expectStatus(200, 'GET', `${article}/public?at=2099-01-01T00:00:00%2B07:00`, as);
  await expectStatus(200, 'GET', `${article}/diff?from=v1&to=v2`, as);
  await expectStatus(200, 'GET', `${article}/diff?from=0&to=v2`, {
    ...as,
    headers: { accept: 'text/plain' },
  });
  await expectStatus(200, 'GET', `${article}/diff?from=v1&to=v2`, {
    ...as,
    headers: { accept: 'text/html' },
  });
  await expectStatus(400, 'GET', `${article}/diff?from=v1`, as);
  await expectStatus(200, 'GET', '/v1/audit/actors/hoang.tung?limit=5', as);

  // A seal, then its heads and the proofs over its tree.
  const sealed = await waitFor(
    async () => {
      const reply = await call('POST', '/v1/audit/tree-heads', as);
      return reply.status === 201 && reply;
    },
    30_000,
    { description: 'a tree head sealed', intervalMs: 100 },
  );
  const size: number = sealed.body.treeSize;
  await expectStatus(200, 'GET', '/v1/audit/tree-heads?limit=5');
  await expectStatus(200, 'GET', '/v1/audit/tree-heads/latest');
  await expectStatus(200, 'GET', '/v1/audit/tree-heads/key');
  await expectStatus(
    200,
    'GET',
    `/v1/audit/proofs/inclusion?eventId=${events[0].eventId}&treeSize=${size}`,
    as,
  );
  await expectStatus(200, 'GET', `/v1/audit/proofs/consistency?from=1&to=${size}`, as);
  await expectStatus(400, 'GET', `/v1/audit/proofs/consistency?from=1&to=${size + 1000}`, as);
  await expectStatus(400, 'GET', '/v1/audit/proofs/inclusion?eventId=x', as);

  await expectStatus(200, 'GET', `/v1/audit/verify?articleId=${articleId}`, as);
  await expectStatus(200, 'GET', '/v1/audit/verify', as);
  const exported = await expectStatus(200, 'GET', '/v1/audit/export', as);
  expect(exported.text.split('\n').filter(Boolean).length).toBeGreaterThan(size);
  await expectStatus(400, 'GET', '/v1/audit/export?fromPosition=nope', as);
  await expectStatus(200, 'GET', '/v1/audit/requests?limit=10', as);

  // The page, signed in by its session cookie.
  await expectStatus(401, 'GET', '/audit');
  await expectStatus(400, 'POST', '/audit/session', { body: { token: 7 } });
  const session = await expectStatus(204, 'POST', '/audit/session', {
    body: { token: await api.token(tourAuditor.role, tourAuditor.sub) },
  });
  const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0]!;
  const page = { headers: { cookie } };
  await expectStatus(200, 'GET', '/audit', page);
  await expectStatus(200, 'GET', '/audit?q=H%E1%BA%A2I%20PH%C3%92NG', page);
  await expectStatus(200, 'GET', '/audit/verify', page);
  await expectStatus(200, 'GET', `/audit/articles/${articleId}`, page);
  await expectStatus(200, 'GET', `/audit/articles/${articleId}/diff?from=v1&to=v2`, page);
  await expectStatus(200, 'GET', '/audit/assets/audit.css');
  await expectStatus(200, 'GET', '/audit/assets/login.js');
  await expectStatus(204, 'POST', '/audit/session/end', page);
};
