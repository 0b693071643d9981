/**
 * The webhook sender, a processor that only ticks: one active instance (its lock), which every
 * `intervalMs` claims the deliveries due (see dueDeliveries: one per subscription and article,
 * so each article's changes reach a subscription in order) and sends each on its own, up to
 * `maxInFlight` at once. A tick never waits for a send: a slow or dead receiver holds only its
 * own deliveries, never the others. Each attempt and its outcome commit together; a delivery
 * marked delivered is never sent again (one cut off mid-send, by a crash or a lost lock, is sent
 * again: at least once, under the same webhook-id a receiver can deduplicate by).
 */
import type { Registry } from 'prom-client';
import { Counter, Histogram } from 'prom-client';
import type { SqlDriver } from '@newsroom/event-store';
import { sqlState } from '@newsroom/event-store';
import { ack } from '@newsroom/processing';
import type { Processor } from '@newsroom/processing';
import { sendOnce } from './send.js';
import type { SendSettings } from './send.js';
import { claimDeliveries, recordAttempt } from './sql/deliveries.js';
import type { DueDelivery } from './sql/deliveries.js';
import { disableSubscription } from './sql/subscriptions.js';

export const WEBHOOK_SENDER = 'syndication.webhooks';

export interface SenderOptions extends SendSettings {
  readonly schema: string;
  readonly sql: SqlDriver;
  readonly registry?: Registry;
  readonly intervalMs?: number;
  readonly maxInFlight?: number;
  /** At most this many of one subscription in flight (default 10). */
  readonly perSubscription?: number;
}

export interface WebhookSender {
  readonly processor: Processor;
  /** Resolves once the sends in flight have been recorded (or `timeoutMs` passed). */
  readonly drain: (timeoutMs?: number) => Promise<void>;
}

export const webhookSender = (options: SenderOptions): WebhookSender => {
  const inFlight = new Map<string, Promise<void>>();
  const maxInFlight = options.maxInFlight ?? 200;
  const registers = options.registry === undefined ? [] : [options.registry];
  const outcomes = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Webhook attempts by outcome (delivered, retry, failed, gone)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const latency = new Histogram({
    name: 'webhook_attempt_seconds',
    help: 'Time from sending a webhook to its receiver answering',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const deliver = async (schema: string, d: DueDelivery) => {
    try {
      const result = await sendOnce(d, options);
      outcomes.inc({ outcome: result.outcome.kind });
      latency.observe(result.latencyMs / 1000);
      await options.sql.transaction(async (tx) => {
        if (result.outcome.kind === 'gone') {
          await disableSubscription(tx, schema, d.subscriptionId, 'receiver answered 410 Gone');
        }
        await recordAttempt(tx, schema, {
          deliveryId: d.id,
          n: d.attempts + 1,
          at: result.at,
          status: result.status,
          error: result.error,
          latencyMs: result.latencyMs,
          outcome: result.outcome.kind === 'gone' ? { kind: 'failed' } : result.outcome,
        });
      });
    } finally {
      inFlight.delete(d.id);
    }
  };
  const drain = async (timeoutMs = 15_000) => {
    await Promise.race([
      Promise.allSettled([...inFlight.values()]),
      new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
  };
  const processor: Processor = {
    name: WEBHOOK_SENDER,
    version: 1,
    schema: options.schema,
    // It reads no events: its work is the deliveries the public-articles processor makes.
    canHandle: () => false,
    source: 'store',
    migrations: [],
    handle: async () => ack,
    truncate: async () => undefined,
    tick: {
      intervalMs: options.intervalMs ?? 50,
      // The SQL here quotes the schema itself: the unquoted name, not the context's.
      run: async ({ log }) => {
        const schema = options.schema;
        const room = maxInFlight - inFlight.size;
        if (room <= 0) return;
        let due;
        try {
          due = await claimDeliveries(options.sql, schema, {
            total: room,
            perSubscription: options.perSubscription ?? 10,
            leaseMs: options.timeoutMs + 5_000,
          });
        } catch (error) {
          // Its tables and columns are made by the public-articles processor's migrations: on a
          // first start, or the first after an upgrade, they may come a moment after this.
          const state = sqlState(error);
          if (state === '42P01' || state === '42703') return;
          throw error;
        }
        for (const d of due) {
          const sending = deliver(schema, d).catch((error: unknown) =>
            log({
              level: 'error',
              msg: 'webhook attempt not recorded',
              deliveryId: d.id,
              error: String(error),
            }),
          );
          inFlight.set(d.id, sending);
        }
      },
    },
  };
  return { processor, drain };
};
