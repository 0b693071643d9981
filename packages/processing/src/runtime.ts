/**
 * Runs one processor for as long as the process lives:
 *  1. init: its schema, bookkeeping and migrations (retried while the database is away);
 *  2. for an exclusive source, wait for its lock (a standby meanwhile), take a fencing token,
 *     and rebuild first when its read model was built by another version;
 *  3. open the source and feed batches through the applier; run its tick while active;
 *  4. when the feed fails, restart it after a backoff, reporting not ready meanwhile; when the
 *     lock is lost or the token is stale, go back to standby.
 * Readiness, lag and the active flag are reported for every processor alike.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import type { EventStore, Position, SqlDriver } from '@newsroom/event-store';
import { quoteIdent } from '@newsroom/event-store';
import { createBatchApplier, StoppingError } from './apply-batch.js';
import type { DeadLetterSink } from './dead-letters.js';
import { acquireLock } from './lock.js';
import type { HeldLock } from './lock.js';
import { processorMetrics } from './metrics.js';
import { atOrAfter } from './position.js';
import type { Processor } from './processor.js';
import type { RetryPolicy } from './retry.js';
import { backoffDelay, DEFAULT_RETRY, isSystemic, sleep } from './retry.js';
import { ProcessorStoppedError } from './source.js';
import type { Feed, Lag, ProcessorSource } from './source.js';
import { initProcessor } from './sql/init-processor.js';
import { FencedOffError } from './sql/move-progress.js';
import { readProgress } from './sql/read-progress.js';
import { resetReadModel } from './sql/reset-read-model.js';
import { takeFence } from './sql/take-fence.js';
import { markBuilt } from './sql/mark-built.js';
import type { Fenced } from './sql/take-fence.js';

/** This instance cannot run the read model as stored (another version built it). */
export class VersionMismatchError extends Error {
  override readonly name = 'VersionMismatchError';
}

export type ProcessorStatus = 'starting' | 'standby' | 'active' | 'failing' | 'stopped';

export interface ProcessorRuntimeOptions {
  readonly processor: Processor;
  readonly sql: SqlDriver;
  /** For whenCaughtUp: the head of the log. */
  readonly store: Pick<EventStore, 'readHead'>;
  readonly source: ProcessorSource;
  readonly deadLetters: DeadLetterSink;
  readonly registry: Registry;
  readonly log?: (line: Record<string, unknown>) => void;
  readonly retry?: RetryPolicy;
  /** How often a standby tries the lock (default 500 ms: a takeover within about a second). */
  readonly standbyPollMs?: number;
  /** How often the holder checks its lock's connection (default 1000 ms). */
  readonly heartbeatMs?: number;
  /** Pause before a failed feed is opened again: doubles from this up to 30 s (default 500). */
  readonly restartDelayMs?: number;
  /** How often lag is measured while active (default 2000 ms). */
  readonly lagIntervalMs?: number;
  /** Names this instance in the progress row (`owner`). */
  readonly instanceId?: string;
}

export interface RunningProcessor {
  readonly name: string;
  readonly status: () => ProcessorStatus;
  /** For /readyz: rejects while starting, failing or stopped. */
  readonly ready: () => Promise<void>;
  /** Resolves once the processor's committed position is at or after `position`. */
  readonly whenProcessed: (position: Position, timeoutMs?: number) => Promise<void>;
  /** Resolves once it has processed everything the log held when called. */
  readonly whenCaughtUp: (timeoutMs?: number) => Promise<void>;
  /** Drops its read model and replays it from the start of the log. */
  readonly rebuild: () => Promise<void>;
  readonly stop: () => Promise<void>;
}

export const startProcessor = (options: ProcessorRuntimeOptions): RunningProcessor => {
  const { processor, sql, source } = options;
  const log = options.log ?? ((line) => console.error(JSON.stringify(line)));
  const retry = options.retry ?? DEFAULT_RETRY;
  const metrics = processorMetrics(options.registry);
  const label = { processor: processor.name };
  const owner = options.instanceId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  let status: ProcessorStatus = 'starting';
  let lastError: string | undefined;
  let stopping = false;
  let signalStop!: () => void;
  const stopSignal = new Promise<void>((resolve) => (signalStop = resolve));
  let committedAt: Position | undefined;
  let restart!: () => void;
  let restartSignal = new Promise<void>((resolve) => (restart = resolve));
  const renewRestart = () => {
    restartSignal = new Promise<void>((resolve) => (restart = resolve));
  };
  const waiters = new Set<() => void>();
  let markStarted!: () => void;
  /** Resolves once it first ran (active) or waits (standby): its tables exist by then. */
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const setStatus = (next: ProcessorStatus) => {
    if (next === 'active' || next === 'standby') markStarted();
    status = next;
    metrics.active.set(label, next === 'active' ? 1 : 0);
  };
  setStatus('starting');

  const apply = createBatchApplier({
    processor,
    sql,
    deadLetters: options.deadLetters,
    retry,
    metrics,
    log,
    stopping: () => stopping,
  });

  const committed = (position: Position | undefined) => {
    if (position !== undefined) committedAt = position;
    lastError = undefined;
    if (status === 'failing') setStatus('active');
    for (const wake of [...waiters]) wake();
  };

  const measureLag = async (): Promise<Lag | undefined> => {
    try {
      const lag = await source.lag(committedAt);
      metrics.lagEvents.set(label, lag.events);
      metrics.lagSeconds.set(label, lag.seconds);
      return lag;
    } catch {
      return undefined; // lag is best effort; the feed reports real failures
    }
  };

  /** Runs the tick while active; resolves its stopper. */
  const startTick = (): (() => Promise<void>) => {
    const tick = processor.tick;
    if (tick === undefined) return async () => undefined;
    let running: Promise<void> | undefined;
    const timer = setInterval(() => {
      if (running !== undefined) return; // still at the last one: ticks never queue up
      running = tick
        .run({ sql, schema: quoteIdent(processor.schema), log })
        .catch((error: unknown) =>
          log({
            level: 'error',
            msg: `processor ${processor.name}: tick failed`,
            error: String(error),
          }),
        )
        .finally(() => (running = undefined));
    }, tick.intervalMs);
    return async () => {
      clearInterval(timer);
      await running;
    };
  };

  /** One period as the active instance: until the feed ends, the lock is lost or we stop. */
  const activePeriod = async (lock: HeldLock | undefined): Promise<void> => {
    let fenced: Fenced | undefined;
    if (!source.exclusive) {
      // A group source replays from its own start when new; a rebuild would also need the
      // group's offsets reset on every member, which this runtime does not do: refused.
      const stored = await readProgress(sql, processor.schema, processor.name);
      if (stored?.version === 0)
        await markBuilt(sql, processor.schema, processor.name, processor.version);
      else if (stored !== undefined && stored.version !== processor.version) {
        throw new VersionMismatchError(
          `processor ${processor.name}: its read model was built by version ${stored.version}, this is ${processor.version}; a Kafka-fed read model is rebuilt by a new processor name (a new group)`,
        );
      }
    } else {
      fenced = await takeFence(sql, processor.schema, processor.name, owner);
      if (fenced.builtByVersion > processor.version) {
        // An older instance (a rollback, a rolling deploy) must not undo a newer rebuild.
        throw new VersionMismatchError(
          `processor ${processor.name}: its read model was built by version ${fenced.builtByVersion}, newer than this instance's ${processor.version}`,
        );
      }
      if (fenced.builtByVersion < processor.version) {
        log({
          level: 'info',
          msg: `processor ${processor.name}: built by version ${fenced.builtByVersion}, rebuilding as ${processor.version}`,
        });
        const fence = await resetReadModel(sql, processor, owner, log);
        fenced = {
          fence,
          position: { transactionId: 0n, sequence: 0n },
          builtByVersion: processor.version,
        };
      }
      committedAt = fenced.position;
    }
    const feed: Feed = await source.open({ processor, apply, fenced, committed });
    // After a failure it stays "failing" until a batch commits (or it finds nothing to do).
    if (status !== 'failing') setStatus('active');
    const stopTick = startTick();
    // Measures the lag, and watches the token: a rebuild elsewhere (or a takeover) voids it
    // even while no batch comes to be refused at its commit.
    let fencedOff!: () => void;
    const voided = new Promise<void>((resolve) => (fencedOff = resolve));
    const watch = async () => {
      const lag = await measureLag();
      // Restarted after a failure with nothing to commit since: caught up is recovered.
      if (status === 'failing' && lag?.events === 0) committed(undefined);
      if (fenced === undefined) return;
      const stored = await readProgress(sql, processor.schema, processor.name).catch(
        () => undefined,
      );
      if (stored !== undefined && stored.fence !== fenced.fence) fencedOff();
    };
    const lagTimer = setInterval(() => void watch(), options.lagIntervalMs ?? 2000);
    lagTimer.unref();
    void measureLag();
    try {
      const ended = await Promise.race([
        feed.done.then(() => 'ended' as const),
        (lock?.lost ?? new Promise<never>(() => undefined)).then(() => 'lost' as const),
        voided.then(() => 'fenced' as const),
        restartSignal.then(() => 'fenced' as const),
        stopSignal.then(() => 'stopping' as const),
      ]);
      if (ended === 'lost') log({ level: 'warn', msg: `processor ${processor.name}: lock lost` });
      if (ended === 'fenced') throw new FencedOffError(processor.name); // the feed stops below
    } finally {
      clearInterval(lagTimer);
      await stopTick();
      await feed.stop();
    }
    await feed.done; // rethrows the feed's failure
  };

  const run = async (): Promise<void> => {
    for (let attempt = 1; !stopping; attempt++) {
      try {
        await initProcessor(sql, processor);
        break;
      } catch (error) {
        lastError = String(error);
        setStatus('failing');
        log({ level: 'error', msg: `processor ${processor.name}: init failed`, error: lastError });
        await Promise.race([sleep(backoffDelay(retry, Math.min(attempt, 20))), stopSignal]);
      }
    }
    let failures = 0;
    while (!stopping) {
      let lock: HeldLock | undefined;
      let pauseMs = 0;
      try {
        if (source.exclusive) {
          if (status !== 'failing') setStatus('standby');
          lock = await acquireLock(sql, `${processor.schema}.${processor.name}`, {
            pollMs: options.standbyPollMs ?? 500,
            heartbeatMs: options.heartbeatMs ?? 1000,
            abandon: stopSignal,
            // Another instance holds the lock and the database answers: whatever failed
            // before, this one is a healthy standby now (else it stayed "failing" for good).
            onBusy: () => {
              if (status !== 'failing') return;
              lastError = undefined;
              setStatus('standby');
            },
            // A standby that cannot reach the database could not take over: not ready.
            onError: (error) => {
              lastError = `standby cannot reach the database: ${String(error)}`;
              setStatus('failing');
            },
          });
          if (lock === undefined) break;
        }
        await activePeriod(lock);
        failures = 0;
      } catch (error) {
        if (error instanceof ProcessorStoppedError) {
          log({ level: 'info', msg: `processor ${processor.name} stopped: ${error.message}` });
          lastError = `stopped by its handler: ${error.message}`;
          stopping = true;
          break;
        }
        if (error instanceof StoppingError) break;
        if (error instanceof FencedOffError) {
          log({ level: 'warn', msg: error.message });
          renewRestart();
          setStatus('standby');
          continue;
        }
        failures++;
        lastError = String(error instanceof Error ? error.message : error);
        setStatus('failing');
        log({
          level: 'error',
          msg: `processor ${processor.name} failed; restarting`,
          error: lastError,
          systemic: isSystemic(error),
        });
        pauseMs = Math.min(
          30_000,
          (options.restartDelayMs ?? 500) * 2 ** Math.min(failures - 1, 10),
        );
      } finally {
        // Released before the pause: a healthy standby takes over meanwhile.
        await lock?.release();
      }
      if (pauseMs > 0) await Promise.race([sleep(pauseMs), stopSignal]);
    }
    setStatus('stopped');
  };
  const done = run();

  const whenProcessed = async (position: Position, timeoutMs = 30_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (committedAt !== undefined && atOrAfter(committedAt, position)) return;
      // Another instance may be the active one: its progress row says as much.
      const stored = await readProgress(sql, processor.schema, processor.name).catch(
        () => undefined,
      );
      if (stored !== undefined && atOrAfter(stored.position, position)) return;
      if (Date.now() > deadline) {
        throw new Error(
          `processor ${processor.name} did not reach the position in ${timeoutMs} ms`,
        );
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, 100);
        waiters.add(wake);
      });
    }
  };

  return {
    name: processor.name,
    status: () => status,
    ready: async () => {
      if (status === 'active' || status === 'standby') return;
      throw new Error(
        `processor ${processor.name} is ${status}${lastError ? `: ${lastError}` : ''}`,
      );
    },
    whenProcessed,
    whenCaughtUp: async (timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        started,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`processor ${processor.name} did not start in ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]).finally(() => clearTimeout(timer));
      timeoutMs = Math.max(1, deadline - Date.now());
      if (source.whenCaughtUp) return source.whenCaughtUp(timeoutMs);
      const head = await options.store.readHead();
      if (head !== undefined) await whenProcessed(head.position, timeoutMs);
    },
    rebuild: async () => {
      if (!source.exclusive) {
        throw new Error(
          `processor ${processor.name} is fed by a consumer group: rebuild it under a new name (a new group) instead`,
        );
      }
      await resetReadModel(sql, processor, owner, log);
      committedAt = undefined;
      restart(); // this instance, if active, replays at once
    },
    stop: async () => {
      stopping = true;
      signalStop();
      await done;
    },
  };
};
