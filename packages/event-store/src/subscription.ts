/**
 * A catch-up subscription loop, independent of the database: fetch a batch after the cursor,
 * hand each event to the handler in order, then move the durable checkpoint by compare-and-swap.
 * When a batch comes back empty it sleeps until woken (an append in this process, a NOTIFY) or
 * until the poll interval passes.
 */
import type { BatchHandler, EventHandler, RecordedEvent, Subscription } from './port.js';

/** The stored checkpoint moved under us: another instance owns this subscription name. */
export class CheckpointConflictError extends Error {
  constructor(readonly subscriptionName: string) {
    super(
      `CheckpointConflict: the checkpoint of subscription "${subscriptionName}" was moved by another instance`,
    );
    this.name = 'CheckpointConflictError';
  }
}

export interface CheckpointStore<C> {
  load(): Promise<C | undefined>;
  /** Compare-and-swap: from `expected` (undefined: no row yet) to `next`; false when it lost. */
  save(expected: C | undefined, next: C): Promise<boolean>;
}

export interface SubscriptionSource<C> {
  readonly start: C;
  fetch(after: C, max: number): Promise<readonly RecordedEvent[]>;
  cursorOf(event: RecordedEvent): C;
  /** Events to skip without handing them to the handler (still advance the cursor). */
  skip?(event: RecordedEvent): boolean;
}

export class Waker {
  private pending = false;
  private resolve: (() => void) | undefined;

  wake(): void {
    this.pending = true;
    const r = this.resolve;
    this.resolve = undefined;
    r?.();
  }

  /** Resolves on the next wake() (or at once if one came since the last wait), or after `ms`. */
  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.resolve = undefined;
        resolve();
      }, ms);
      this.resolve = () => {
        clearTimeout(timer);
        this.pending = false;
        resolve();
      };
    });
  }
}

export interface RunOptions<C> {
  readonly source: SubscriptionSource<C>;
  /** One event at a time, or (`{ batch }`) each fetched batch whole: a batch handler stores
   *  its own progress (in the transaction that applies the batch), so `checkpoints` is unset. */
  readonly handler: EventHandler | { readonly batch: BatchHandler };
  readonly checkpoints: CheckpointStore<C> | undefined;
  readonly subscriptionName: string | undefined;
  readonly pollIntervalMs: number;
  readonly batchSize: number;
  /** Store the checkpoint at most this often (0: after every batch); always on stop. */
  readonly checkpointIntervalMs: number;
  readonly waker: Waker;
  readonly onEnd: () => void;
}

export function runSubscription<C>(options: RunOptions<C>): Subscription {
  const { source, handler, checkpoints, waker } = options;
  let stopping = false;

  const loop = async (): Promise<void> => {
    let stored: C | undefined = checkpoints ? await checkpoints.load() : undefined;
    let cursor = stored ?? source.start;
    let moved = false;
    const commit = async (): Promise<void> => {
      if (!checkpoints || !moved) return;
      if (!(await checkpoints.save(stored, cursor))) {
        throw new CheckpointConflictError(options.subscriptionName ?? '');
      }
      stored = cursor;
      moved = false;
    };
    let lastCommit = Date.now();
    const commitNow = async (): Promise<void> => {
      await commit();
      lastCommit = Date.now();
    };
    // Catching up, the next batch is read while this one is handled (the database and the
    // handler work at the same time); it is used only if the cursor ends where it began.
    let ahead: { readonly after: C; readonly batch: Promise<readonly RecordedEvent[]> } | undefined;
    while (!stopping) {
      const batch =
        ahead !== undefined && ahead.after === cursor
          ? await ahead.batch.catch(() => source.fetch(cursor, options.batchSize))
          : await source.fetch(cursor, options.batchSize);
      ahead = undefined;
      const last = batch[batch.length - 1];
      if (last !== undefined && batch.length >= options.batchSize) {
        const after = source.cursorOf(last);
        const next = source.fetch(after, options.batchSize);
        next.catch(() => undefined); // a failed read ahead is read again when needed
        ahead = { after, batch: next };
      }
      if (batch.length === 0) {
        if (moved && checkpoints) {
          // Caught up with a checkpoint still to store: store it once its interval is up.
          const due = lastCommit + options.checkpointIntervalMs - Date.now();
          if (due > 0) await waker.wait(Math.min(due, options.pollIntervalMs));
          if (Date.now() - lastCommit >= options.checkpointIntervalMs) await commitNow();
          continue;
        }
        await waker.wait(options.pollIntervalMs);
        continue;
      }
      try {
        if (typeof handler === 'function') {
          for (const event of batch) {
            if (stopping) break;
            if (!source.skip?.(event)) await handler(event);
            cursor = source.cursorOf(event);
            moved = true;
          }
        } else {
          await handler.batch(source.skip ? batch.filter((e) => !source.skip?.(e)) : batch);
          cursor = source.cursorOf(batch[batch.length - 1] as RecordedEvent);
          moved = true;
        }
      } catch (error) {
        // Keep what was handled before the failing event, then stop with the handler's error.
        await commit().catch(() => undefined);
        throw error;
      }
      if (Date.now() - lastCommit >= options.checkpointIntervalMs) await commitNow();
    }
    await commit(); // stopping: keep what was handled
  };

  const done = loop().finally(options.onEnd);
  done.catch(() => undefined); // observed through `done`; never an unhandled rejection
  return {
    done,
    stop: async () => {
      stopping = true;
      waker.wake();
      await done.catch(() => undefined);
    },
  };
}
