/**
 * Seals the event store's global log on an interval, in every process that writes, so that a
 * truncated tail or a removed stream is caught by `verifyIntegrity` (until the audit service's
 * signed tree heads take this over). A failed seal is logged and counted, never swallowed, and
 * `/readyz` reports the process not ready once no seal has succeeded for three intervals.
 */
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { PostgresEventStore } from '@newsroom/event-store';
import type { ReadinessCheck } from './app.js';
import { sharedRun } from './shared-run.js';

export interface SealerOptions {
  readonly store: Pick<PostgresEventStore, 'seal'>;
  readonly intervalMs: number;
  readonly registry: Registry;
  readonly log: (line: Record<string, unknown>) => void;
  readonly clock?: () => number;
  /** Events one seal covers at most: a backlog is sealed in steps, yielding between them, so
   *  an embedded database (PGlite runs on the main thread) never stalls requests for long. */
  readonly maxEventsPerSeal?: number;
}

export interface Sealer {
  readonly readiness: ReadinessCheck;
  /** Seals now (also what the timer does); resolves whether or not it succeeded. */
  readonly sealNow: () => Promise<void>;
  readonly stop: () => Promise<void>;
}

export const startSealer = (options: SealerOptions): Sealer => {
  const clock = options.clock ?? Date.now;
  const runs = new Counter({
    name: 'event_store_seal_runs_total',
    help: 'Seal attempts by outcome: sealed, nothing new to seal, failed',
    labelNames: ['outcome'] as const,
    registers: [options.registry],
  });
  const lastSuccess = new Gauge({
    name: 'event_store_seal_last_success_timestamp_seconds',
    help: 'When a seal last succeeded (or found nothing new to seal)',
    registers: [options.registry],
  });
  const startedAt = clock();
  const maxEvents = options.maxEventsPerSeal ?? 10_000;
  let stopped = false;
  /** The log's sealed event count after the last seal this sealer made (a running total). */
  let lastSealedCount: bigint | undefined;
  let lastOkAt: number | undefined;
  let lastError: string | undefined;

  const attempt = async (): Promise<void> => {
    try {
      let sealed = await options.store.seal({ maxEvents });
      runs.inc({ outcome: sealed === undefined ? 'empty' : 'sealed' });
      // A backlog is sealed in steps, on while a step was full. Events written meanwhile wait
      // for the next interval: steady writes make one seal per interval, not one per step.
      for (let step = 1; sealed !== undefined && !stopped && step < 10_000; step++) {
        const covered =
          lastSealedCount === undefined ? undefined : sealed.eventCount - lastSealedCount;
        lastSealedCount = sealed.eventCount;
        lastOkAt = clock();
        if (covered !== undefined && covered < BigInt(maxEvents)) break;
        await new Promise((resolve) => setImmediate(resolve));
        sealed = await options.store.seal({ maxEvents });
        if (sealed !== undefined) runs.inc({ outcome: 'sealed' });
      }
      lastOkAt = clock();
      lastError = undefined;
      lastSuccess.set(lastOkAt / 1000);
    } catch (error) {
      runs.inc({ outcome: 'failed' });
      lastError = String((error as Error)?.message ?? error);
      options.log({ level: 'error', msg: 'sealing the event store failed', error: lastError });
    }
  };
  const sealNow = sharedRun(attempt);
  const timer = setInterval(() => void sealNow(), options.intervalMs);
  timer.unref();
  void sealNow();

  return {
    readiness: {
      name: 'event-store-seal',
      check: async () => {
        const since = lastOkAt ?? startedAt;
        const age = clock() - since;
        if (age > 3 * options.intervalMs) {
          throw new Error(
            `no successful seal for ${Math.round(age / 1000)} s${lastError === undefined ? '' : ` (last error: ${lastError})`}`,
          );
        }
      },
    },
    sealNow,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      // A seal that hangs (waiting on another process's lock) must not hang the shutdown.
      let timeout: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        sealNow.current(),
        new Promise((resolve) => (timeout = setTimeout(resolve, 5_000))),
      ]);
      clearTimeout(timeout);
    },
  };
};
