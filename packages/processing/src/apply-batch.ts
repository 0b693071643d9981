/**
 * Applies one batch of deliveries to a processor, whatever the source:
 *  1. pass over what the processor does not handle, undecoded;
 *  2. decode the rest; what does not decode is a dead letter;
 *  3. transactional: in one transaction, drop what was applied before (processed marks), hand
 *     the rest to `handle`, record dead letters and the source's progress, commit;
 *     external: `handle` with no transaction open, then a short transaction for the progress;
 *  4. on failure retry with backoff and jitter; a batch that keeps failing is applied one
 *     message at a time, and a message that keeps failing while the database answers is
 *     dead-lettered, so it never blocks the ones behind it. Failures of the database or the
 *     network (retry.ts) are never the message's: they are thrown to the runtime.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { ArticleEventMessage } from '@newsroom/contracts';
import type { SqlDriver, SqlQueryable } from '@newsroom/event-store';
import { quoteIdent } from '@newsroom/event-store';
import type { DeadLetter, DeadLetterSink } from './dead-letters.js';
import type { Delivery } from './delivery.js';
import type { EventOutcome, ProcessorMetrics } from './metrics.js';
import type { HandleContext, HandleResult, Processor } from './processor.js';
import { ack } from './processor.js';
import type { RetryPolicy } from './retry.js';
import { backoffDelay, isSystemic, sleep } from './retry.js';
import { claimMarks, MarkConflictError } from './sql/claim-marks.js';
import { FencedOffError } from './sql/move-progress.js';

/** Moves the source's progress inside the committing transaction (fenced). */
export type RecordProgress = (sql: SqlQueryable) => Promise<void>;

export interface BatchOutcome {
  readonly applied: number;
  /** Set when the processor answered stop: the runtime stops it after this batch. */
  readonly stop: string | undefined;
}

export interface ApplyDeps {
  readonly processor: Processor;
  readonly sql: SqlDriver;
  readonly deadLetters: DeadLetterSink;
  readonly retry: RetryPolicy;
  readonly metrics: ProcessorMetrics;
  readonly log: (line: Record<string, unknown>) => void;
  /** True once the runtime is stopping: retries give up (the batch is delivered again later). */
  readonly stopping: () => boolean;
  readonly random?: () => number;
}

/** Thrown out of a retry loop when the runtime stops meanwhile. */
export class StoppingError extends Error {
  override readonly name = 'StoppingError';
}

const errorText = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

export const createBatchApplier = (deps: ApplyDeps) => {
  const { processor, sql, metrics } = deps;
  const label = { processor: processor.name };
  const context = (q: SqlQueryable): HandleContext => ({
    sql: q,
    schema: quoteIdent(processor.schema),
    log: deps.log,
  });
  const count = (labels: { processor: string; outcome: EventOutcome }, n: number) => {
    if (n > 0) metrics.events.inc(labels, n);
  };
  const pause = async (attempt: number): Promise<void> => {
    if (deps.stopping()) throw new StoppingError(processor.name);
    await sleep(backoffDelay(deps.retry, attempt, deps.random));
    if (deps.stopping()) throw new StoppingError(processor.name);
  };

  /** Runs `attempt` until it succeeds; systemic failures are retried without end, others
   *  `retry.attempts` times, after which `onGiveUp` decides. */
  const withRetries = async <T>(
    attempt: () => Promise<T>,
    onGiveUp: (error: unknown) => Promise<T>,
  ): Promise<T> => {
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (error) {
        if (error instanceof FencedOffError || error instanceof StoppingError) throw error;
        const systemic = isSystemic(error) || error instanceof MarkConflictError;
        metrics.failures.inc({ ...label, kind: systemic ? 'systemic' : 'message' });
        deps.log({
          level: 'warn',
          msg: `processor ${processor.name}: attempt ${n} failed`,
          error: errorText(error),
        });
        if (systemic) {
          // The database or network: after the attempts, hand it to the runtime (it restarts
          // the processor from its progress and reports it not ready meanwhile).
          if (n >= deps.retry.attempts && !(error instanceof MarkConflictError)) throw error;
        } else if (n >= deps.retry.attempts) {
          await sql.query('SELECT 1'); // a database that does not answer is not the message's fault
          return onGiveUp(error);
        }
        await pause(n);
      }
    }
  };

  const commitTransactional = (
    messages: readonly ArticleEventMessage[],
    letters: readonly DeadLetter[],
    progress: RecordProgress | undefined,
  ): Promise<{ fresh: number; result: HandleResult }> =>
    sql.transaction(async (tx) => {
      const fresh = await claimMarks(tx, processor.schema, processor.name, messages);
      const result = fresh.length > 0 ? await processor.handle(fresh, context(tx)) : ack;
      await deps.deadLetters.record?.(tx, letters);
      await progress?.(tx);
      return { fresh: fresh.length, result };
    });

  /** Dead-letters `failed` (sent now) beside `letters` (sent already), passing them all. */
  const deadLetter = async (
    failed: DeadLetter,
    letters: readonly DeadLetter[],
    messages: readonly ArticleEventMessage[],
    progress: RecordProgress | undefined,
  ): Promise<void> => {
    await deps.deadLetters.send?.([failed]);
    const all = [...letters, failed];
    // Marked as processed with the letter: a redelivery does not dead-letter it twice.
    await withRetries(
      () =>
        sql.transaction(async (tx) => {
          await claimMarks(tx, processor.schema, processor.name, messages);
          await deps.deadLetters.record?.(tx, all);
          await progress?.(tx);
        }),
      (error) => Promise.reject(error),
    );
    count({ ...label, outcome: 'dead_lettered' }, all.length);
    for (const letter of all) {
      deps.log({
        level: 'error',
        msg: `processor ${processor.name}: dead-lettered ${letter.delivery.streamName}@${letter.delivery.revision ?? '?'}`,
        reason: letter.reason,
      });
    }
  };

  const applyTransactional = async (
    items: readonly { readonly delivery: Delivery; readonly message: ArticleEventMessage }[],
    letters: readonly DeadLetter[],
    progress: RecordProgress | undefined,
  ): Promise<BatchOutcome> => {
    await deps.deadLetters.send?.(letters);
    const messages = items.map((i) => i.message);
    const outcome = await withRetries<BatchOutcome | 'split'>(
      async () => {
        const { fresh, result } = await commitTransactional(messages, letters, progress);
        count({ ...label, outcome: 'duplicate' }, messages.length - fresh);
        count({ ...label, outcome: result._tag === 'Skip' ? 'skipped' : 'applied' }, fresh);
        count({ ...label, outcome: 'dead_lettered' }, letters.length);
        return { applied: fresh, stop: result._tag === 'Stop' ? result.reason : undefined };
      },
      async (error) => {
        if (items.length > 1) return 'split';
        const only = items[0];
        if (only === undefined) throw error;
        const letter = {
          processor: processor.name,
          delivery: only.delivery,
          reason: `handler failed ${deps.retry.attempts} times: ${errorText(error)}`,
          attempts: deps.retry.attempts,
        };
        await deadLetter(letter, letters, messages, progress);
        return { applied: 0, stop: undefined };
      },
    );
    if (outcome !== 'split') return outcome;
    // One at a time: the message that keeps failing is found and dead-lettered alone.
    let applied = 0;
    for (const item of items) {
      const single = await applyTransactional([item], [], undefined);
      applied += single.applied;
      // Stopped part way: the progress stays before this batch; after a restart the marks
      // pass over what was applied and the rest follows.
      if (single.stop !== undefined) return { applied, stop: single.stop };
    }
    await commitTransactional([], letters, progress);
    count({ ...label, outcome: 'dead_lettered' }, letters.length);
    return { applied, stop: undefined };
  };

  const applyExternal = async (
    messages: readonly ArticleEventMessage[],
    letters: readonly DeadLetter[],
    progress: RecordProgress | undefined,
  ): Promise<BatchOutcome> => {
    await deps.deadLetters.send?.(letters);
    // The effect is outside the database: no transaction is open while it runs (an open one
    // would hold back the log's horizon and every reader of it). Its failures are the
    // outside's (a broker away), so they are retried, never dead-lettered.
    let result: HandleResult = ack;
    if (messages.length > 0) {
      for (let n = 1; ; n++) {
        try {
          result = await processor.handle(messages, context(sql));
          break;
        } catch (error) {
          metrics.failures.inc({ ...label, kind: 'systemic' });
          deps.log({
            level: 'warn',
            msg: `processor ${processor.name}: attempt ${n} failed`,
            error: errorText(error),
          });
          await pause(Math.min(n, 30));
        }
      }
    }
    await withRetries(
      () =>
        sql.transaction(async (tx) => {
          await deps.deadLetters.record?.(tx, letters);
          await progress?.(tx);
        }),
      (error) => Promise.reject(error),
    );
    count({ ...label, outcome: result._tag === 'Skip' ? 'skipped' : 'applied' }, messages.length);
    count({ ...label, outcome: 'dead_lettered' }, letters.length);
    return { applied: messages.length, stop: result._tag === 'Stop' ? result.reason : undefined };
  };

  return async (
    deliveries: readonly Delivery[],
    progress: RecordProgress | undefined,
  ): Promise<BatchOutcome> => {
    const started = process.hrtime.bigint();
    const items: { delivery: Delivery; message: ArticleEventMessage }[] = [];
    const letters: DeadLetter[] = [];
    let ignored = 0;
    for (const delivery of deliveries) {
      if (!processor.canHandle(delivery.eventType)) {
        ignored++;
        continue;
      }
      const decoded = delivery.decode();
      if (E.isRight(decoded)) items.push({ delivery, message: decoded.right });
      else {
        letters.push({
          processor: processor.name,
          delivery,
          reason: `undecodable: ${decoded.left}`,
          attempts: 0,
        });
      }
    }
    count({ ...label, outcome: 'ignored' }, ignored);
    const outcome =
      processor.effects === 'external'
        ? await applyExternal(
            items.map((i) => i.message),
            letters,
            progress,
          )
        : await applyTransactional(items, letters, progress);
    metrics.batches.inc(label);
    metrics.batchSeconds.observe(label, Number(process.hrtime.bigint() - started) / 1e9);
    return outcome;
  };
};

export type BatchApplier = ReturnType<typeof createBatchApplier>;
