/**
 * OpenTelemetry spans where a collector is configured: each HTTP request is a server span of
 * the caller's trace (its parent the caller's span), and the span id the request's events
 * carry in their traceparent is that span's, so the trace in the collector and the trace in
 * the audit record are one; a webhook delivery is a client span under the publication's.
 * The collector is a stand-in (tests/channels/otlp-collector.ts) reading OTLP/HTTP JSON.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, stopTracing } from '@newsroom/service-kit';
import { syndicationConfig } from '@newsroom/syndication';
import { startCollector } from '../channels/otlp-collector.js';
import { startReceiver } from '../channels/webhook-receiver.js';
import { useTestSystem } from './harness.js';
import { seedContent } from './seed-article.js';

const reporter = { role: 'reporter', sub: 'reporter.otel' } as const;
const editor = { role: 'editor', sub: 'editor.otel' } as const;
const publisher = { role: 'publisher', sub: 'publisher.otel' } as const;
const TRACE = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const CALLER_SPAN = '1234567890abcdef';
const SERVER = 2; // OTLP SpanKind
const CLIENT = 3;

describe('OpenTelemetry spans', () => {
  let collector: Awaited<ReturnType<typeof startCollector>>;
  // Before the system starts (the harness's own beforeAll comes after this one).
  beforeAll(async () => {
    collector = await startCollector();
    startTracing({ endpoint: collector.url, serviceName: 'newsroom-under-test' });
  });
  const sys = useTestSystem('pglite', undefined, {
    syndication: syndicationConfig({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }),
  });
  const receiver = startReceiver();
  afterAll(async () => {
    await stopTracing();
    await (await receiver).close();
    await collector.close();
  });

  it('records the request and the webhook delivery as spans of the caller trace', async () => {
    const hook = await receiver;
    const section = `otel ${randomUUID()}`;
    const subscribed = await sys.post('/v1/subscriptions', publisher, {
      url: hook.url,
      sections: [section],
    });
    expect(subscribed.status, subscribed.text).toBe(201);
    const id = randomUUID();
    const ok = (reply: { status: number; text: string }) =>
      expect(reply.status, reply.text).toBeLessThan(300);
    const traced = { traceparent: `00-${TRACE}-${CALLER_SPAN}-01` };
    ok(
      await sys.post(
        '/v1/drafts',
        reporter,
        { articleId: id, data: { content: { ...seedContent(), section } } },
        traced,
      ),
    );
    ok(await sys.post(`/v1/drafts/${id}/submit`, reporter, {}, traced));
    ok(await sys.post(`/v1/reviews/${id}/approve`, editor, {}, traced));
    ok(
      await sys.post(
        `/v1/publications/${id}/publish`,
        publisher,
        { data: { mode: 'now' } },
        traced,
      ),
    );
    await hook.until((r) => r.length >= 1);

    await collector.until((spans) => spans.some((s) => s.kind === CLIENT && s.traceId === TRACE));
    const ofTrace = collector.spans.filter((s) => s.traceId === TRACE);
    const created = ofTrace.find((s) => s.name === 'POST /v1/drafts/');
    expect(created, JSON.stringify(ofTrace.map((s) => s.name))).toMatchObject({
      kind: SERVER,
      parentSpanId: CALLER_SPAN,
      attributes: { 'http.route': '/v1/drafts/', 'http.response.status_code': 201 },
      resource: { 'service.name': 'newsroom-under-test' },
    });

    // The events carry the spans' ids: the record and the collector tell one trace.
    const stored = await sys.store.readStream(`article-${id}`);
    const spanOf = (type: string) =>
      (stored.find((e) => e.type === type)!.metadata as { traceparent: string }).traceparent.split(
        '-',
      )[2];
    expect(spanOf('DraftCreated.v1')).toBe(created!.spanId);
    const publish = ofTrace.find((s) => s.name === 'POST /v1/publications/:articleId/publish');
    expect(publish!.spanId).toBe(spanOf('ArticlePublished.v1'));

    // The delivery: a client span under the publication's, its id the one the receiver got.
    const delivery = ofTrace.find((s) => s.kind === CLIENT)!;
    expect(delivery).toMatchObject({
      name: 'webhook delivery',
      parentSpanId: publish!.spanId,
      attributes: { 'newsroom.outcome': 'delivered', 'http.response.status_code': 204 },
    });
    expect(hook.received[0]!.traceparent).toBe(`00-${TRACE}-${delivery.spanId}-01`);
  });

  it('starts a trace for a request that brings none', async () => {
    const reply = await sys.post('/v1/drafts', reporter, { data: {} });
    expect(reply.status).toBe(400);
    const correlationId = reply.headers.get('x-correlation-id');
    await collector.until((spans) =>
      spans.some((s) => s.attributes['newsroom.correlation_id'] === correlationId),
    );
    const span = collector.spans.find(
      (s) => s.attributes['newsroom.correlation_id'] === correlationId,
    )!;
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.traceId).not.toBe(TRACE);
    expect(span.parentSpanId ?? '').toBe('');
    expect(span.attributes['http.response.status_code']).toBe(400);
  });
});
