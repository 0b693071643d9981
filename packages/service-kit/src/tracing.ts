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
import * as E from 'fp-ts/lib/Either.js';
import { TraceParent } from '@newsroom/contracts';

export interface TracingConfig {
  /** The collector's base URL (`http://127.0.0.1:4318`): spans go to `<it>/v1/traces`. */
  readonly endpoint: string;
  readonly serviceName: string;
}

/** One span: the traceparent that continues it, its attributes and its end. */
export interface TraceSpan {
  /** This span as a W3C traceparent (its trace, its own span id, the caller's flags). */
  readonly traceparent: string;
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

/** Records and exports spans from now on. */
export const startTracing = (config: TracingConfig): void => {
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

/** Sends the spans not yet sent, and stops recording. */
export const stopTracing = async (): Promise<void> => {
  const stopping = provider;
  provider = tracer = undefined;
  await stopping?.shutdown();
};

const parsed = (given: string | undefined) => {
  if (given === undefined || E.isLeft(TraceParent.decode(given))) return undefined;
  const [, traceId, spanId, flags] = given.split('-') as [string, string, string, string];
  return { traceId, spanId, flags };
};

const KINDS = { server: SpanKind.SERVER, client: SpanKind.CLIENT, internal: SpanKind.INTERNAL };

const recorded = (name: string, options: SpanOptions): TraceSpan => {
  const parent = parsed(options.parent);
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
  const parent = parsed(options.parent);
  if (parent === undefined) return undefined;
  // https://www.w3.org/TR/trace-context/#mutating-the-traceparent-field: a span id of our own.
  const traceparent = `00-${parent.traceId}-${randomBytes(8).toString('hex')}-${parent.flags}`;
  return { traceparent, set: NOTHING, rename: NOTHING, end: NOTHING };
};
