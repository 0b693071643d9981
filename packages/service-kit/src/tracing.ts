/**
 * Trace spans. Each HTTP request and each webhook delivery is a span of the W3C trace its
 * caller (or its command) started; its `traceparent` is what goes on: into event metadata,
 * Kafka headers and webhook requests. With an OpenTelemetry collector configured
 * (OTEL_EXPORTER_OTLP_ENDPOINT), spans are recorded and exported over OTLP/HTTP; without one,
 * nothing is recorded and a span is only a fresh span id continuing the caller's trace.
 *
 * The process has one tracer (as OpenTelemetry has one provider per process): `startTracing`
 * at start, `stopTracing` at exit, which sends what is left.
 */
import { randomBytes } from 'node:crypto';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Span, Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface TracingConfig {
  /** The collector's base URL (`http://127.0.0.1:4318`): spans go to `<it>/v1/traces`. */
  readonly endpoint: string;
  readonly serviceName: string;
}

/** One span: the traceparent that continues it, its attributes and its end. */
export interface TraceSpan {
  /** This span as a W3C traceparent (version 00, its trace, its own span id, the flags). */
  readonly traceparent: string;
  readonly traceId: string;
  readonly set: (attributes: Attributes) => void;
  readonly rename: (name: string) => void;
  /** Ends it; `failed` marks it an error. */
  readonly end: (failed?: boolean) => void;
}

export interface SpanOptions {
  /** The caller's traceparent; without one (or an invalid one) no span is made unless
   *  tracing is on, which starts a trace. */
  readonly parent: string | undefined;
  readonly kind: 'server' | 'client' | 'internal';
  readonly attributes?: Attributes;
}

let provider: BasicTracerProvider | undefined;
let tracer: Tracer | undefined;

/** Records and exports spans from now on (once per process). */
export const startTracing = (config: TracingConfig): void => {
  if (provider !== undefined) throw new Error('tracing is started already');
  provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    spanProcessors: [
      new BatchSpanProcessor(
        new OTLPTraceExporter({ url: `${config.endpoint.replace(/\/$/, '')}/v1/traces` }),
        { scheduledDelayMillis: 500 },
      ),
    ],
  });
  tracer = provider.getTracer('newsroom');
};

/** Sends the spans not yet sent, and stops recording: given `withinMs` at most (a collector
 *  that does not answer must not hold a shutdown past its deadline). */
export const stopTracing = async (withinMs = 3_000): Promise<void> => {
  const stopping = provider;
  provider = tracer = undefined;
  if (stopping === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    stopping.shutdown().catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, withinMs))),
  ]);
  clearTimeout(timer);
};

/**
 * A caller's traceparent: version 00 exactly, or a later version read by its first four fields
 * (https://www.w3.org/TR/trace-context/#versioning-of-traceparent); what is continued is always
 * written as version 00. An invalid one is ignored, as the spec says.
 */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

export const parseTraceparent = (given: string | undefined) => {
  const m = given === undefined ? null : TRACEPARENT.exec(given);
  if (m === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  if (version === 'ff' || /^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  if (version === '00' && rest !== undefined) return undefined; // 00 has four fields exactly
  return { traceId, spanId, flags };
};

const KINDS = { server: SpanKind.SERVER, client: SpanKind.CLIENT, internal: SpanKind.INTERNAL };

const recorded = (name: string, options: SpanOptions): TraceSpan => {
  const parent = parseTraceparent(options.parent);
  const context =
    parent === undefined
      ? ROOT_CONTEXT
      : trace.setSpanContext(ROOT_CONTEXT, {
          traceId: parent.traceId,
          spanId: parent.spanId,
          traceFlags: Number.parseInt(parent.flags, 16),
          isRemote: true,
        });
  const span: Span = tracer!.startSpan(
    name,
    {
      kind: KINDS[options.kind],
      ...(options.attributes ? { attributes: options.attributes } : {}),
    },
    context,
  );
  const { traceId, spanId, traceFlags } = span.spanContext();
  return {
    traceparent: `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`,
    traceId,
    set: (attributes) => void span.setAttributes(attributes),
    rename: (next) => void span.updateName(next),
    end: (failed = false) => {
      if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
};

const NOTHING = (): void => undefined;

/**
 * A span named `name` under `options.parent`; undefined when tracing is off and there is no
 * valid parent (no trace to continue).
 */
export const startSpan = (name: string, options: SpanOptions): TraceSpan | undefined => {
  if (tracer !== undefined) return recorded(name, options);
  const parent = parseTraceparent(options.parent);
  if (parent === undefined) return undefined;
  // https://www.w3.org/TR/trace-context/#mutating-the-traceparent-field: a span id of our own.
  // Only the sampled flag is known to version 00: any other bit is sent as zero.
  const flags = (Number.parseInt(parent.flags, 16) & 0x01).toString(16).padStart(2, '0');
  const traceparent = `00-${parent.traceId}-${randomBytes(8).toString('hex')}-${flags}`;
  return { traceparent, traceId: parent.traceId, set: NOTHING, rename: NOTHING, end: NOTHING };
};
