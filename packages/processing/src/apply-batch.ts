/**
 * Applies one batch of deliveries to a processor, whatever the source:
 *  1. pass over what the processor does not handle, undecoded;
 *  2. decode the rest; what does not decode is a dead letter (or, for a processor that must
 *     not skip anything, the relay, a failure that holds it until it can read the message);
 *  3. transactional: in one transaction, drop what was applied before (processed marks), hand
 *     the rest to `handle`, record dead letters and the source's progress, commit;
 *     external: `handle` with no transaction open, then a short transaction for the progress;
 *  4. on failure retry with backoff and jitter; a batch that keeps failing is applied one
 *     message at a time, and a message that keeps failing while the database answers is
 *     dead-lettered, so it never blocks the ones behind it. Failures of the database or the
 *     network (retry.ts) are never the message's: after the attempts they are thrown to the
 *     runtime, which reports the processor failing and starts it again.
 * Every commit is fenced: the one that moves the progress moves it for the current token only,
 * and every other one (a message applied alone, a dead letter) checks the token.
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

/** The source's progress, inside the committing transaction. */
export interface Progress {
  /** Moves it past this batch (fenced: throws FencedOffError for a stale token). */
  readonly move: (sql: SqlQueryable) => Promise<void>;
  /** Only checks the token (a commit that does not finish the batch). */
  readonly check: (sql: SqlQueryable) => Promise<void>;
}

export interface BatchOutcome {
  readonly applied: number;
  /** Set when the processor answered stop: the runtime stops it after this batch. */
  readonly stop: string | undefined;
  /** False when it stopped part way and the progress stayed before this batch. */
  readonly moved: boolean;
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

/** A message this processor cannot read and must not pass over (the relay). */
export class UnreadableMessageError extends Error {
  override readonly name = 'UnreadableMessageError';
}

const errorText = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

interface Item {
  readonly delivery: Delivery;
  readonly message: ArticleEventMessage;
}

export const createBatchApplier = (deps: ApplyDeps) => {
  const { processor, sql, metrics } = deps;
  const label = { processor: processor.name };
  const context = (q: SqlQueryable): HandleContext => ({
    sql: q,
    schema: quoteIdent(processor.schema),
    log: deps.log,
  });
  const count = (outcome: EventOutcome, n: number) => {
    if (n > 0) metrics.events.inc({ ...label, outcome }, n);
  };
  const pause = async (attempt: number): Promise<void> => {
    if (deps.stopping()) throw new StoppingError(processor.name);
    await sleep(backoffDelay(deps.retry, Math.min(attempt, 30), deps.random));
    if (deps.stopping()) throw new StoppingError(processor.name);
  };

  /**
   * Runs `attempt` until it succeeds. Systemic failures are retried `retry.attempts` times,
   * then thrown to the runtime; a lost race on the marks is retried until it wins (the other
   * transaction has committed by then, so the next try sees its marks); the message's own failures are
   * counted apart and, after `retry.attempts` of them, `onGiveUp` decides (while the database
   * answers: one that does not is not the message's fault).
   */
  const withRetries = async <T>(
    attempt: () => Promise<T>,
    onGiveUp: ((error: unknown) => Promise<T>) | undefined,
  ): Promise<T> => {
    let systemicFailures = 0;
    let messageFailures = 0;
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (error) {
        if (error instanceof FencedOffError || error instanceof StoppingError) throw error;
        const race = error instanceof MarkConflictError;
        const systemic = race || onGiveUp === undefined || isSystemic(error);
        metrics.failures.inc({ ...label, kind: systemic ? 'systemic' : 'message' });
        deps.log({
          level: 'warn',
          msg: `processor ${processor.name}: attempt ${n} failed`,
          error: errorText(error),
        });
        if (systemic && !race && ++systemicFailures >= deps.retry.attempts) throw error;
        if (!systemic && ++messageFailures >= deps.retry.attempts) {
          await sql.query('SELECT 1');
          return onGiveUp(error);
        }
        await pause(n);
      }
    }
  };

  const commit = (
    messages: readonly ArticleEventMessage[],
    letters: readonly DeadLetter[],
    progress: Progress | undefined,
    finishes: boolean,
  ): Promise<{ fresh: number; result: HandleResult }> =>
    sql.transaction(async (tx) => {
      const fresh = await claimMarks(tx, processor.schema, processor.name, messages);
      const result = fresh.length > 0 ? await processor.handle(fresh, context(tx)) : ack;
      await deps.deadLetters.record?.(tx, letters);
      await (finishes ? progress?.move(tx) : progress?.check(tx));
      return { fresh: fresh.length, result };
    });

  const logLetters = (letters: readonly DeadLetter[]) => {
    for (const letter of letters) {
      const decoded = letter.delivery.decode();
      deps.log({
        level: 'error',
        msg: `processor ${processor.name}: dead-lettered ${letter.delivery.streamName}@${letter.delivery.revision ?? '?'}`,
        reason: letter.reason,
        ...(letter.delivery.eventId === undefined ? {} : { eventId: letter.delivery.eventId }),
        // The command's, so that the line is found beside its request's.
        ...(E.isRight(decoded) ? { correlationId: decoded.right.metadata.correlationId } : {}),
      });
    }
  };

  const applyTransactional = async (
    items: readonly Item[],
    letters: readonly DeadLetter[],
    progress: Progress | undefined,
    finishes: boolean,
  ): Promise<BatchOutcome> => {
    await deps.deadLetters.send?.(letters);
    const messages = items.map((i) => i.message);
    const outcome = await withRetries<BatchOutcome | 'split'>(
      async () => {
        const { fresh, result } = await commit(messages, letters, progress, finishes);
        count('duplicate', messages.length - fresh);
        count(result._tag === 'Skip' ? 'skipped' : 'applied', fresh);
        count('dead_lettered', letters.length);
        logLetters(letters);
        return {
          applied: fresh,
          stop: result._tag === 'Stop' ? result.reason : undefined,
          moved: finishes,
        };
      },
      async (error) => {
        const only = items.length === 1 ? items[0] : undefined;
        if (only === undefined) return 'split';
        const letter: DeadLetter = {
          processor: processor.name,
          delivery: only.delivery,
          reason: `handler failed ${deps.retry.attempts} times: ${errorText(error)}`,
          attempts: deps.retry.attempts,
        };
        await deps.deadLetters.send?.([letter]);
        // Marked as processed with its letter: a redelivery does not dead-letter it twice.
        await withRetries(
          () =>
            sql.transaction(async (tx) => {
              await claimMarks(tx, processor.schema, processor.name, messages);
              await deps.deadLetters.record?.(tx, [...letters, letter]);
              await (finishes ? progress?.move(tx) : progress?.check(tx));
            }),
          undefined,
        );
        count('dead_lettered', letters.length + 1);
        logLetters([...letters, letter]);
        return { applied: 0, stop: undefined, moved: finishes };
      },
    );
    if (outcome !== 'split') return outcome;
    // One at a time: the message that keeps failing is found and dead-lettered alone. Each of
    // these commits checks the token; only the last one moves the progress.
    let applied = 0;
    for (const item of items) {
      const single = await applyTransactional([item], [], progress, false);
      applied += single.applied;
      // Stopped part way: the progress stays before this batch; after a restart the marks
      // pass over what was applied and the rest follows.
      if (single.stop !== undefined) return { applied, stop: single.stop, moved: false };
    }
    await withRetries(() => commit([], letters, progress, finishes), undefined);
    count('dead_lettered', letters.length);
    logLetters(letters);
    return { applied, stop: undefined, moved: finishes };
  };

  const applyExternal = async (
    messages: readonly ArticleEventMessage[],
    letters: readonly DeadLetter[],
    progress: Progress | undefined,
  ): Promise<BatchOutcome> => {
    await deps.deadLetters.send?.(letters);
    // The effect is outside the database: no transaction is open while it runs (an open one
    // would hold back the log's horizon and every reader of it). Its failures are the
    // outside's (a broker away): retried, then thrown to the runtime, never dead-lettered.
    // Still the holder? (A lost lock is then found before the send, not only at the commit.)
    if (progress !== undefined && messages.length > 0) {
      await withRetries(() => sql.transaction((tx) => progress.check(tx)), undefined);
    }
    const result =
      messages.length === 0
        ? ack
        : await withRetries(() => processor.handle(messages, context(sql)), undefined);
    await withRetries(
      () =>
        sql.transaction(async (tx) => {
          await deps.deadLetters.record?.(tx, letters);
          await progress?.move(tx);
        }),
      undefined,
    );
    count(result._tag === 'Skip' ? 'skipped' : 'applied', messages.length);
    count('dead_lettered', letters.length);
    logLetters(letters);
    return {
      applied: messages.length,
      stop: result._tag === 'Stop' ? result.reason : undefined,
      moved: true,
    };
  };

  return async (
    deliveries: readonly Delivery[],
    progress: Progress | undefined,
  ): Promise<BatchOutcome> => {
    const started = process.hrtime.bigint();
    const items: Item[] = [];
    const letters: DeadLetter[] = [];
    let ignored = 0;
    for (const delivery of deliveries) {
      if (!processor.canHandle(delivery.eventType)) {
        ignored++;
        continue;
      }
      const decoded = delivery.decode();
      if (E.isRight(decoded)) items.push({ delivery, message: decoded.right });
      else if (processor.undecodable === 'hold') {
        metrics.failures.inc({ ...label, kind: 'message' });
        throw new UnreadableMessageError(
          `${delivery.streamName}@${delivery.revision ?? '?'} cannot be read: ${decoded.left}`,
        );
      } else {
        letters.push({
          processor: processor.name,
          delivery,
          reason: `undecodable: ${decoded.left}`,
          attempts: 0,
        });
      }
    }
    count('ignored', ignored);
    const outcome =
      processor.effects === 'external'
        ? await applyExternal(
            items.map((i) => i.message),
            letters,
            progress,
          )
        : await applyTransactional(items, letters, progress, true);
    metrics.batches.inc(label);
    metrics.batchSeconds.observe(label, Number(process.hrtime.bigint() - started) / 1e9);
    return outcome;
  };
};

export type BatchApplier = ReturnType<typeof createBatchApplier>;
