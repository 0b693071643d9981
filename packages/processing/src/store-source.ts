/**
 * The embedded source: the event store's own log, read in batches from the processor's
 * position, woken by appends. The position moves in the transaction that applies the batch,
 * fenced by the lock holder's token, so a restart resumes exactly after the last commit.
 */
import type { EventStore, Position } from '@newsroom/event-store';
import { storeDelivery } from './delivery.js';
import type { Delivery } from './delivery.js';
import { atOrAfter } from './position.js';
import { ProcessorStoppedError } from './source.js';
import type { ProcessorSource } from './source.js';
import { checkFence, moveProgress } from './sql/move-progress.js';

export interface StoreSourceOptions {
  readonly store: Pick<EventStore, 'subscribeToAllInBatches' | 'readHead' | 'readAll'>;
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
}

export const storeSource = (options: StoreSourceOptions): ProcessorSource => ({
  exclusive: true,
  open: async ({ processor, apply, fenced, committed }) => {
    if (fenced === undefined) throw new Error('the store source needs the lock holder');
    const subscription = options.store.subscribeToAllInBatches(
      async (batch) => {
        const last = batch[batch.length - 1];
        if (last === undefined) return;
        const deliveries = batch.map(storeDelivery).filter((d): d is Delivery => d !== undefined);
        const outcome = await apply(deliveries, {
          move: (tx) =>
            moveProgress(tx, processor.schema, processor.name, fenced.fence, last.position),
          check: (tx) => checkFence(tx, processor.schema, processor.name, fenced.fence),
        });
        if (outcome.moved) committed(last.position);
        if (outcome.stop !== undefined) throw new ProcessorStoppedError(outcome.stop);
      },
      {
        fromPosition: fenced.position,
        batchSize: processor.batchSize ?? options.batchSize ?? 100,
        ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
      },
    );
    return { done: subscription.done, stop: subscription.stop };
  },
  lag: async (position: Position | undefined) => {
    const head = await options.store.readHead();
    if (head === undefined || (position !== undefined && atOrAfter(position, head.position))) {
      return { events: 0, seconds: 0 };
    }
    const [next] = await options.store.readAll({
      ...(position === undefined ? {} : { fromPosition: position }),
      maxCount: 1,
    });
    const from = position?.sequence ?? 0n;
    return {
      // Positions are one sequence across the log: their difference counts the events behind
      // (a rolled-back append leaves a gap, so it is an upper bound).
      events: Math.max(1, Number(head.position.sequence - from)),
      // The next event's age, or (not readable yet: an older transaction still runs) the head's.
      seconds: Math.max(0, (Date.now() - (next ?? head).recordedAt.getTime()) / 1000),
    };
  },
});
