/**
 * The store's group commit in /metrics: how many transactions its appends took and how many
 * appends went in them (their ratio is the coalescing under load), read at each scrape.
 */
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { PostgresEventStore } from '@newsroom/event-store';

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
