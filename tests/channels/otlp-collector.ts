/**
 * A stand-in OpenTelemetry collector, named as such: an HTTP server on 127.0.0.1 that takes
 * OTLP/HTTP JSON exports at `/v1/traces`, as the real collector does, and keeps the spans.
 * (No collector can be installed here; the claim the tests rest on is what the exporter sent,
 * which this reads as the OTLP specification writes it.)
 */
import { createServer } from 'node:http';
import { arrivals } from './arrivals.js';

export interface CollectedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  readonly attributes: Record<string, unknown>;
  readonly status?: { readonly code?: number };
  /** The resource's attributes (service.name...). */
  readonly resource: Record<string, unknown>;
}

interface KeyValue {
  readonly key: string;
  readonly value: Record<string, unknown>;
}

const valuesOf = (list: readonly KeyValue[] | undefined): Record<string, unknown> =>
  Object.fromEntries((list ?? []).map(({ key, value }) => [key, Object.values(value)[0]]));

export const startCollector = async () => {
  const spans: CollectedSpan[] = [];
  const arrived = arrivals(spans, 'collector');
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: {
          resource?: { attributes?: KeyValue[] };
          scopeSpans: {
            spans: (Omit<CollectedSpan, 'attributes' | 'resource'> & { attributes?: KeyValue[] })[];
          }[];
        }[];
      };
      for (const r of body.resourceSpans) {
        for (const scope of r.scopeSpans) {
          for (const span of scope.spans) {
            spans.push({
              ...span,
              attributes: valuesOf(span.attributes),
              resource: valuesOf(r.resource?.attributes),
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      arrived.notify();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    until: (predicate: (s: readonly CollectedSpan[]) => boolean, timeoutMs = 15_000) =>
      arrived.until(predicate, timeoutMs),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
