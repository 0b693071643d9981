/** What every processor reports on /metrics, labelled by processor name. */
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

export type EventOutcome = 'applied' | 'skipped' | 'duplicate' | 'dead_lettered' | 'ignored';

export interface ProcessorMetrics {
  readonly events: Counter<'processor' | 'outcome'>;
  readonly batches: Counter<'processor'>;
  readonly failures: Counter<'processor' | 'kind'>;
  readonly batchSeconds: Histogram<'processor'>;
  readonly active: Gauge<'processor'>;
  readonly lagEvents: Gauge<'processor'>;
  readonly lagSeconds: Gauge<'processor'>;
}

const metricsByRegistry = new WeakMap<Registry, ProcessorMetrics>();

/** The processor metrics of `registry` (created once per registry). */
export const processorMetrics = (registry: Registry): ProcessorMetrics => {
  const existing = metricsByRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const metrics: ProcessorMetrics = {
    events: new Counter({
      name: 'processor_events_total',
      help: 'Messages a processor was given, by outcome (applied, skipped, duplicate, dead_lettered, ignored)',
      labelNames: ['processor', 'outcome'] as const,
      registers,
    }),
    batches: new Counter({
      name: 'processor_batches_total',
      help: 'Batches a processor committed',
      labelNames: ['processor'] as const,
      registers,
    }),
    failures: new Counter({
      name: 'processor_failures_total',
      help: 'Failed attempts, by kind (message: the handler failed; systemic: the database or network)',
      labelNames: ['processor', 'kind'] as const,
      registers,
    }),
    batchSeconds: new Histogram({
      name: 'processor_batch_seconds',
      help: 'Time to apply and commit one batch',
      labelNames: ['processor'] as const,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    }),
    active: new Gauge({
      name: 'processor_active',
      help: '1 while this instance is the active one of the processor, 0 while standby or stopped',
      labelNames: ['processor'] as const,
      registers,
    }),
    lagEvents: new Gauge({
      name: 'processor_lag_events',
      help: 'Events between the processor and the head of its source (approximate for the store)',
      labelNames: ['processor'] as const,
      registers,
    }),
    lagSeconds: new Gauge({
      name: 'processor_lag_seconds',
      help: 'Age of the oldest event the processor has not handled yet (0 when caught up)',
      labelNames: ['processor'] as const,
      registers,
    }),
  };
  metricsByRegistry.set(registry, metrics);
  return metrics;
};
