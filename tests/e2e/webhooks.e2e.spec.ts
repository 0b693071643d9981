/**
 * Webhooks to real HTTP receivers that verify every signature with the `standardwebhooks`
 * library (one process, PGlite; receivers on loopback, so private URLs are allowed here, and a
 * short retry schedule): signed payloads with a valid ninjs document, retries under one
 * webhook-id, filters, 410 disabling, Retry-After, a slow receiver delaying no one, each
 * article's changes in order, failure after the last retry and redelivery, secret rotation
 * with both signatures, redirects never followed, and the management API's refusals.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { syndicationConfig } from '@newsroom/syndication';
import { startReceiver } from '../channels/webhook-receiver.js';
import type { Receiver } from '../channels/webhook-receiver.js';
import { ninjsValidator } from '../ninjs/validator.js';
import { useTestSystem } from './harness.js';
import { seedContent } from './seed-article.js';

const reporter = { role: 'reporter', sub: 'reporter.w' } as const;
const editor = { role: 'editor', sub: 'editor.w' } as const;
const publisher = { role: 'publisher', sub: 'publisher.w' } as const;

describe('webhooks', () => {
  const sys = useTestSystem('pglite', undefined, {
    syndication: syndicationConfig({
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      WEBHOOK_RETRY_SCHEDULE_MS: '0,300,600',
      WEBHOOK_TIMEOUT_MS: '5000',
    }),
  });
  const validator = ninjsValidator();
  const receivers: Receiver[] = [];
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
  });
  const ok = (reply: { status: number; text: string }) =>
    expect(reply.status, reply.text).toBeLessThan(300);
  const receiver = async () => {
    const r = await startReceiver();
    receivers.push(r);
    return r;
  };
  const subscribe = async (r: Receiver, filters: Record<string, unknown> = {}) => {
    const reply = await sys.post('/v1/subscriptions', publisher, { url: r.url, ...filters });
    expect(reply.status, reply.text).toBe(201);
    r.secrets.push(reply.body.secret);
    return reply.body as { id: string; secret: string };
  };
  const publish = async (section: string) => {
    const id = randomUUID();
    const content = { ...seedContent(), section };
    ok(await sys.post('/v1/drafts', reporter, { articleId: id, data: { content } }));
    ok(await sys.post(`/v1/drafts/${id}/submit`, reporter, {}));
    ok(await sys.post(`/v1/reviews/${id}/approve`, editor, {}));
    ok(await sys.post(`/v1/publications/${id}/publish`, publisher, { data: { mode: 'now' } }));
    return { id, content };
  };
  const correct = async (id: string, content: ReturnType<typeof seedContent>) => {
    ok(
      await sys.post(`/v1/publications/${id}/corrections`, reporter, {
        data: { content: { ...content, headline: `${content.headline}.` }, notice: 'Đính chính.' },
      }),
    );
    ok(await sys.post(`/v1/reviews/${id}/approve`, editor, {}));
    ok(await sys.post(`/v1/publications/${id}/corrections/publish`, publisher, {}));
  };
  const deliveries = async (subscription: string) => {
    const reply = await sys.get(`/v1/subscriptions/${subscription}/deliveries`, publisher);
    expect(reply.status).toBe(200);
    return reply.body.items as {
      id: string;
      webhookId: string;
      status: string;
      eventType: string;
      attempts: { status: number | null; latencyMs: number; error: string | null }[];
    }[];
  };

  it('signs each delivery, retries under one webhook-id, logs every attempt, and filters', async () => {
    const section = `wh ${randomUUID()}`;
    const r = await receiver();
    const all = await receiver();
    const sub = await subscribe(r, { sections: [section], eventTypes: ['article.published'] });
    await subscribe(all);
    expect(sub.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const shown = await sys.get(`/v1/subscriptions/${sub.id}`, publisher);
    expect(shown.body).toMatchObject({
      id: sub.id,
      url: r.url,
      sections: [section],
      status: 'active',
    });
    expect(JSON.stringify(shown.body)).not.toContain(sub.secret.slice(6, 20));

    r.script = [{ status: 500 }];
    const { id } = await publish(section);
    await r.until((got) => got.length === 2);
    const [first, second] = r.received;
    expect(first!.webhookId).toBe(second!.webhookId);
    expect(first!.webhookId).toMatch(/^msg_[0-9a-f]{32}$/);
    expect([first!.verifiedBy, second!.verifiedBy]).toEqual([0, 0]);
    const payload = JSON.parse(second!.body) as {
      type: string;
      timestamp: string;
      data: { uri: string };
    };
    expect(payload.type).toBe('article.published');
    expect(payload.data.uri).toBe(`urn:newsroom:article:${id}`);
    expect(validator.errorsOf(payload.data)).toEqual([]);
    await sys.caughtUp();
    const [logged] = await deliveries(sub.id);
    expect(logged).toMatchObject({
      webhookId: first!.webhookId,
      status: 'delivered',
      eventType: 'article.published',
    });
    expect(logged!.attempts.map((a) => a.status)).toEqual([500, 204]);
    expect(logged!.attempts.every((a) => a.latencyMs >= 0)).toBe(true);

    // Another section: the unfiltered subscription gets it, the filtered one does not.
    await publish(`other ${randomUUID()}`);
    await all.until((got) => got.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.received).toHaveLength(2);
  });

  it('keeps each article in order, honours Retry-After, disables on 410, and lets no slow receiver delay others', async () => {
    const section = `wh ${randomUUID()}`;
    const [slow, fast, limited, gone, ordered] = await Promise.all([
      receiver(),
      receiver(),
      receiver(),
      receiver(),
      receiver(),
    ]);
    slow.otherwise = { status: 204, delayMs: 3_000 };
    limited.script = [{ status: 429, headers: { 'retry-after': '1' } }];
    gone.otherwise = { status: 410 };
    ordered.script = [{ status: 503 }, { status: 500 }];
    const subs = await Promise.all(
      [slow, fast, limited, gone, ordered].map((r) => subscribe(r, { sections: [section] })),
    );
    const started = performance.now();
    const { id, content } = await publish(section);
    await correct(id, content);
    await fast.until((got) => got.length === 2);
    expect(performance.now() - started).toBeLessThan(2_500); // while the slow one is still answering
    expect(fast.received.map((g) => (JSON.parse(g.body) as { type: string }).type)).toEqual([
      'article.published',
      'article.corrected',
    ]);

    // Two failures of the publication hold the correction back: it comes after, never before.
    await ordered.until((got) => got.length === 4);
    expect(
      ordered.received.map((g) => [(JSON.parse(g.body) as { type: string }).type, g.answered]),
    ).toEqual([
      ['article.published', 503],
      ['article.published', 500],
      ['article.published', 204],
      ['article.corrected', 204],
    ]);

    await limited.until((got) => got.length >= 2);
    expect(limited.received[1]!.at - limited.received[0]!.at).toBeGreaterThanOrEqual(950);

    await gone.until((got) => got.length === 1);
    await sys.caughtUp();
    const disabled = await sys.get(`/v1/subscriptions/${subs[3]!.id}`, publisher);
    await expect
      .poll(async () => (await sys.get(`/v1/subscriptions/${subs[3]!.id}`, publisher)).body.status)
      .toBe('disabled');
    expect(disabled.status).toBe(200);
    await slow.until((got) => got.length === 2, 15_000);
    expect(gone.received).toHaveLength(1); // the correction never went to it

    // Sending the publication again after its correction would put it out of order: refused;
    // so is anything for a disabled subscription.
    const orderedLog = await deliveries(subs[4]!.id);
    const publication = orderedLog.find((d) => d.eventType === 'article.published')!;
    const superseded = await sys.post(
      `/v1/subscriptions/${subs[4]!.id}/deliveries/${publication.id}/redeliver`,
      publisher,
      {},
    );
    expect(superseded.status).toBe(409);
    expect(superseded.body.title).toBe('Delivery Superseded');
    const [goneDelivery] = await deliveries(subs[3]!.id);
    const inactive = await sys.post(
      `/v1/subscriptions/${subs[3]!.id}/deliveries/${goneDelivery!.id}/redeliver`,
      publisher,
      {},
    );
    expect(inactive.status).toBe(409);
    expect(inactive.body.title).toBe('Subscription Inactive');
  });

  it('fails after the last retry, redelivers on demand, and signs with both secrets after a rotation', async () => {
    const section = `wh ${randomUUID()}`;
    const r = await receiver();
    r.otherwise = { status: 500 };
    const sub = await subscribe(r, { sections: [section] });
    await publish(section);
    await r.until((got) => got.length === 3);
    await expect
      .poll(async () => (await deliveries(sub.id))[0]?.status, { timeout: 5_000 })
      .toBe('failed');
    const [failed] = await deliveries(sub.id);
    expect(failed!.attempts).toHaveLength(3);

    r.otherwise = { status: 200 };
    const again = await sys.post(
      `/v1/subscriptions/${sub.id}/deliveries/${failed!.id}/redeliver`,
      publisher,
      {},
    );
    expect(again.status).toBe(202);
    await r.until((got) => got.length === 4);
    expect(r.received[3]!.webhookId).toBe(r.received[0]!.webhookId);
    await expect
      .poll(async () => (await deliveries(sub.id))[0]?.status, { timeout: 5_000 })
      .toBe('delivered');

    const rotated = await sys.post(`/v1/subscriptions/${sub.id}/rotate`, publisher, {});
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(sub.secret);
    expect(rotated.body.previousSecretUntil).toEqual(expect.any(String));
    const next = await publish(section);
    await r.until((got) => got.length === 5);
    const signed = r.received[4]!;
    expect(signed.signature.split(' ')).toHaveLength(2);
    expect(signed.verifiedBy).toBe(0); // the old secret still verifies...
    r.secrets.splice(0, 1, rotated.body.secret); // ...and so does the new one
    const { Webhook } = await import('standardwebhooks');
    expect(() =>
      new Webhook(rotated.body.secret).verify(signed.body, {
        'webhook-id': signed.webhookId,
        'webhook-timestamp': signed.timestamp,
        'webhook-signature': signed.signature,
      }),
    ).not.toThrow();
    expect(JSON.parse(signed.body).data.uri).toBe(`urn:newsroom:article:${next.id}`);
  });

  it('never follows a redirect, and refuses bad subscriptions with their fields', async () => {
    const section = `wh ${randomUUID()}`;
    const target = await receiver();
    const redirecting = await receiver();
    redirecting.otherwise = { status: 302, headers: { location: target.url } };
    const sub = await subscribe(redirecting, { sections: [section] });
    await publish(section);
    await redirecting.until((got) => got.length === 3);
    expect(target.received).toHaveLength(0);
    await expect
      .poll(async () => (await deliveries(sub.id))[0]?.attempts[0]?.error ?? '')
      .toMatch(/redirect/);

    expect((await sys.post('/v1/subscriptions', reporter, { url: target.url })).status).toBe(403);
    const bad = await sys.post('/v1/subscriptions', publisher, {
      url: 'ftp://example.org/x',
      eventTypes: ['article.deleted'],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['eventTypes.0']);
    const scheme = await sys.post('/v1/subscriptions', publisher, { url: 'ftp://example.org/x' });
    expect(scheme.body.errors).toEqual([{ path: 'url', message: 'expected an http or https URL' }]);
    expect((await sys.request('GET', '/v1/subscriptions')).status).toBe(401);
    expect((await sys.get(`/v1/subscriptions/${randomUUID()}`, publisher)).status).toBe(404);
    const deleted = await sys.request('DELETE', `/v1/subscriptions/${sub.id}`, {
      token: await sys.token('admin', 'admin.w'),
    });
    expect(deleted.status).toBe(204);
    expect((await sys.get(`/v1/subscriptions/${sub.id}`, publisher)).status).toBe(404);
  });
});
