/**
 * Group commit's queue: appends that arrive while batches are in flight wait, and go together
 * in the next batch, one transaction and one WAL flush for all of them. Nothing waits when the
 * store is idle: an append that finds a free slot runs at once, alone. What the batch does with
 * each append is `run`'s business (append-batch.ts); this only decides what goes together:
 * - at most `maxEvents` events per batch (an append larger than that runs alone; 0: every
 *   append alone, no coalescing);
 * - at most `maxInFlight` batches at once, never two with the same stream, and an append
 *   never overtakes an earlier one to its stream: appends to one stream in one batch are
 *   chained there in the order they came;
 * - an append told to retry goes first into the next batch (up to `maxAttempts` times);
 * - at most `maxMultiEventAppends` appends of several events per batch (the database writes
 *   each in a subtransaction of its own, and too many of them slow every session's snapshots);
 * - when a batch fails as a whole, each of its appends runs again alone, so the one that broke
 *   it fails by itself and the others are written (`rerunFailed` may say that a rerun's error
 *   only echoes the batch's, e.g. on a connection whose transaction the batch aborted);
 * - an append whose caller gives up (its signal aborts) while it waits is dropped unwritten;
 * - once closed, it takes no more appends and finishes those it has.
 */

export interface Queued {
  readonly streamName: string;
  readonly eventCount: number;
}

/** What a batch says of one of its appends. */
export type BatchAnswer<R> =
  { readonly ok: R } | { readonly retry: true } | { readonly error: unknown };

export interface GroupCommitOptions {
  readonly maxEvents: number;
  readonly maxInFlight: number;
  readonly maxAttempts: number;
  readonly maxMultiEventAppends?: number;
  /** The error to give an append whose rerun alone failed with `error` after its batch failed
   *  with `batchFailure` (default: `error`). */
  readonly rerunFailed?: (error: unknown, batchFailure: unknown) => unknown;
}

export interface GroupCommitStats {
  readonly batches: number;
  readonly appends: number;
  /** Appends in the largest batch so far. */
  readonly largestBatch: number;
}

export interface GroupCommitter<A extends Queued, R> {
  submit(append: A, signal?: AbortSignal): Promise<R>;
  /** Resolves once nothing is queued or in flight. */
  drained(): Promise<void>;
  /** Takes no more appends (they reject with `reason`); resolves once the others are done. */
  close(reason: Error): Promise<void>;
  stats(): GroupCommitStats;
}

interface Entry<A, R> {
  readonly append: A;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
  attempts: number;
  /** Run in a batch of its own (its last batch failed as a whole, with this failure). */
  alone: boolean;
  batchFailure?: unknown;
}

export function groupCommitter<A extends Queued, R>(
  run: (batch: readonly A[]) => Promise<readonly BatchAnswer<R>[]>,
  options: GroupCommitOptions,
): GroupCommitter<A, R> {
  let queue: Entry<A, R>[] = [];
  const busy = new Map<string, number>(); // streams of batches in flight
  let inFlight = 0;
  const idle: (() => void)[] = [];
  let batches = 0;
  let appends = 0;
  let largestBatch = 0;
  let closing: { readonly reason: Error; readonly done: Promise<void> } | undefined;
  const maxMulti = options.maxMultiEventAppends ?? Number.POSITIVE_INFINITY;

  const settle = (entry: Entry<A, R>): void => {
    entry.signal?.removeEventListener('abort', entry.onAbort);
  };
  const succeed = (entry: Entry<A, R>, result: R): void => {
    settle(entry);
    entry.resolve(result);
  };
  const fail = (entry: Entry<A, R>, error: unknown): void => {
    settle(entry);
    entry.reject(error);
  };

  /** The next batch: the queue's eligible appends in order, within the cap. */
  const take = (): Entry<A, R>[] => {
    const batch: Entry<A, R>[] = [];
    const passedOver = new Set<string>();
    let events = 0;
    let multi = 0;
    const rest: Entry<A, R>[] = [];
    for (const entry of queue) {
      const { streamName, eventCount } = entry.append;
      const fits =
        batch.length === 0 ||
        (!entry.alone &&
          options.maxEvents > 0 &&
          events + eventCount <= options.maxEvents &&
          (eventCount <= 1 || multi < maxMulti));
      const full = batch.length > 0 && batch[0]?.alone === true;
      if (!full && fits && !busy.has(streamName) && !passedOver.has(streamName)) {
        batch.push(entry);
        events += eventCount;
        if (eventCount > 1) multi++;
      } else {
        passedOver.add(streamName); // later appends to it must not overtake this one
        rest.push(entry);
      }
    }
    queue = rest;
    return batch;
  };

  const hold = (batch: readonly Entry<A, R>[], delta: 1 | -1): void => {
    for (const { append } of batch) {
      const n = (busy.get(append.streamName) ?? 0) + delta;
      if (n === 0) busy.delete(append.streamName);
      else busy.set(append.streamName, n);
    }
    inFlight += delta;
  };

  const runBatch = async (batch: Entry<A, R>[]): Promise<void> => {
    hold(batch, 1);
    batches++;
    appends += batch.length;
    largestBatch = Math.max(largestBatch, batch.length);
    let answers: readonly BatchAnswer<R>[] | undefined;
    let failure: unknown;
    try {
      answers = await run(batch.map((entry) => entry.append));
      if (answers.length !== batch.length) {
        throw new Error(`a batch of ${batch.length} appends gave ${answers.length} answers`);
      }
    } catch (error) {
      answers = undefined;
      failure = error ?? new Error('the batch failed');
    }
    hold(batch, -1);
    const again: Entry<A, R>[] = [];
    batch.forEach((entry, i) => {
      if (answers === undefined) {
        if (batch.length > 1) {
          entry.alone = true;
          entry.batchFailure = failure;
          again.push(entry);
        } else if (entry.batchFailure !== undefined && options.rerunFailed) {
          fail(entry, options.rerunFailed(failure, entry.batchFailure));
        } else fail(entry, failure);
        return;
      }
      const answer = answers[i] as BatchAnswer<R>;
      if ('ok' in answer) succeed(entry, answer.ok);
      else if ('error' in answer) fail(entry, answer.error);
      else if (++entry.attempts >= options.maxAttempts) {
        fail(
          entry,
          new Error(
            `append to ${entry.append.streamName} kept racing with concurrent appends ` +
              `(${entry.attempts} attempts)`,
          ),
        );
      } else again.push(entry);
    });
    // An append whose caller gave up while it was being written is not written again.
    const waiting = again.filter((entry) => {
      if (!entry.signal?.aborted) return true;
      fail(entry, entry.signal.reason);
      return false;
    });
    queue = [...waiting, ...queue];
    pump();
  };

  const pump = (): void => {
    while (inFlight < options.maxInFlight) {
      const batch = take();
      if (batch.length === 0) break;
      void runBatch(batch);
    }
    if (inFlight === 0 && queue.length === 0) {
      for (const wake of idle.splice(0)) wake();
    }
  };

  const drained = (): Promise<void> =>
    inFlight === 0 && queue.length === 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => idle.push(resolve));

  return {
    submit(append, signal) {
      return new Promise<R>((resolve, reject) => {
        if (closing) {
          reject(closing.reason);
          return;
        }
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const entry: Entry<A, R> = {
          append,
          resolve,
          reject,
          signal,
          attempts: 0,
          alone: false,
          onAbort: () => {
            // Only while it waits: once in a batch, the batch decides (the caller has gone,
            // but the append may be written; a retry with the same event ids is idempotent),
            // and if that batch sends it back (a retry, a rerun alone) it is dropped then.
            const at = queue.indexOf(entry);
            if (at === -1) return;
            queue.splice(at, 1);
            fail(entry, signal?.reason);
            pump();
          },
        };
        signal?.addEventListener('abort', entry.onAbort, { once: true });
        queue.push(entry);
        pump();
      });
    },
    drained,
    close(reason) {
      closing ??= { reason, done: drained() };
      return closing.done;
    },
    stats: () => ({ batches, appends, largestBatch }),
  };
}
