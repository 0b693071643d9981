/**
 * The store's appends in /metrics: each append's latency as this process waited for it
 * (`event_store_append_seconds`, by outcome), and the group commit: how many transactions its
 * appends took and how many appends went in them (their ratio is the coalescing under load),
 * read at each scrape. And every command by type and outcome (`commands_total`).
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { PostgresEventStore } from '@newsroom/event-store';
import type { CommandOutcome } from './http-commands.js';

export const registerAppendMetrics = (
  store: Pick<PostgresEventStore, 'groupCommitStats'>,
  registry: Registry,
): void => {
  if (registry.getSingleMetric('event_store_appends_total') !== undefined) return; // registered
  /** A counter whose value is read from the store at scrape time. */
  const readCounter = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  readCounter(
    'event_store_append_transactions_total',
    'Transactions (batches) the appends of this process were written in',
    () => store.groupCommitStats().batches,
  );
  readCounter(
    'event_store_appends_total',
    'Appends this process handed to the store and saw written or refused',
    () => store.groupCommitStats().appends,
  );
  new Gauge({
    name: 'event_store_largest_append_batch',
    help: 'Appends in the largest transaction so far (group commit)',
    registers: [registry],
    collect() {
      this.set(store.groupCommitStats().largestBatch);
    },
  });
};

/** The store, its appends timed into `event_store_append_seconds` (written or refused). */
export const timedAppends = <S extends Pick<PostgresEventStore, 'appendToStream'>>(
  store: S,
  registry: Registry,
): S => {
  const histogram =
    (registry.getSingleMetric('event_store_append_seconds') as Histogram<'outcome'> | undefined) ??
    new Histogram({
      name: 'event_store_append_seconds',
      help: 'How long each append took, queue and transaction included, by outcome',
      labelNames: ['outcome'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
  const append: PostgresEventStore['appendToStream'] = async (...args) => {
    const done = histogram.startTimer();
    try {
      const written = await store.appendToStream(...args);
      done({ outcome: 'written' });
      return written;
    } catch (error) {
      done({ outcome: 'refused' });
      throw error;
    }
  };
  return { ...store, appendToStream: append };
};

/** Counts each command by type and outcome into `commands_total`. */
export const commandCounter = (registry: Registry) => {
  const counter =
    (registry.getSingleMetric('commands_total') as Counter<'command' | 'outcome'> | undefined) ??
    new Counter({
      name: 'commands_total',
      help: 'Commands by type and outcome (accepted, replayed, invalid, rejected, conflict, busy, failed)',
      labelNames: ['command', 'outcome'] as const,
      registers: [registry],
    });
  return (command: string, outcome: CommandOutcome): void => counter.inc({ command, outcome });
};
