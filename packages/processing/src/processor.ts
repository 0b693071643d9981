/**
 * A processor is plain data: what it is called, which events it wants, the tables it keeps
 * (migrated by version in its own schema) and how it applies a batch. The runtime (runtime.ts)
 * feeds it from a source, commits its writes with its progress, keeps one instance active,
 * retries, dead-letters and reports; the processor itself knows nothing of where events come
 * from (the store's log in one process, a Kafka consumer group across processes).
 */
import type { ArticleEventMessage } from '@newsroom/contracts';
import type { SqlQueryable } from '@newsroom/event-store';

/** What a processor answers for a batch. */
export type HandleResult =
  /** Applied: commit the writes and move on. */
  | { readonly _tag: 'Ack' }
  /** Passed over on purpose: commit (nothing, or what was written) and move on, counted apart. */
  | { readonly _tag: 'Skip'; readonly reason: string }
  /** Applied, then stop this processor (it stays stopped until the process starts again). */
  | { readonly _tag: 'Stop'; readonly reason: string };

export const ack: HandleResult = { _tag: 'Ack' };
export const skip = (reason: string): HandleResult => ({ _tag: 'Skip', reason });
export const stop = (reason: string): HandleResult => ({ _tag: 'Stop', reason });

export interface HandleContext {
  /**
   * Where the writes go. For a transactional processor this is the transaction that also moves
   * its progress: a crash loses or repeats nothing. For an external one it is the pool.
   */
  readonly sql: SqlQueryable;
  /** The processor's own schema, already quoted for SQL text. */
  readonly schema: string;
  readonly log: (line: Record<string, unknown>) => void;
}

/** One step of a processor's tables, applied once, in version order, in its own schema. */
export interface ProcessorMigration {
  readonly version: number;
  readonly name: string;
  /** One statement per entry; `schema` is quoted. */
  readonly statements: (schema: string) => readonly string[];
}

/** Work on a timer, run only by the active instance (the scheduler's releases). */
export interface ProcessorTick {
  readonly intervalMs: number;
  readonly run: (context: HandleContext) => Promise<void>;
}

export interface Processor {
  /** Unique in the deployment: names the lock, the progress row and the metrics. */
  readonly name: string;
  /** Raise it when `handle` changes what it writes: the runtime then rebuilds the read model. */
  readonly version: number;
  /** Its own schema (unquoted); its tables and its progress live there. */
  readonly schema: string;
  /** Events it wants; every other one is passed over without being decoded. */
  readonly canHandle: (eventType: string) => boolean;
  readonly migrations: readonly ProcessorMigration[];
  /**
   * `transactional` (the default): `handle` runs inside the transaction that records the
   * progress, so its writes happen exactly once. `external`: its effect is outside the
   * database (a Kafka send); `handle` runs with no transaction open and the progress is
   * recorded after it resolved, so the effect happens at least once.
   */
  readonly effects?: 'transactional' | 'external';
  /**
   * What a message it cannot decode does. `dead-letter` (the default): recorded with its
   * reason and passed. `hold`: the processor stops there, reported failing, until a version
   * that reads it runs (the relay: a gap on the topic would be silent and permanent).
   */
  readonly undecodable?: 'dead-letter' | 'hold';
  readonly handle: (
    batch: readonly ArticleEventMessage[],
    context: HandleContext,
  ) => Promise<HandleResult>;
  /** Empties its read model for a rebuild (inside the rebuild's transaction). */
  readonly truncate: (context: HandleContext) => Promise<void>;
  readonly tick?: ProcessorTick;
  /** `store`: always fed by the store's log, whatever the process's transport (the relay,
   *  which is what puts that log on Kafka). Default: the process's transport. */
  readonly source?: 'store';
  /** Messages per batch it prefers (the relay takes large ones); the source's default else. */
  readonly batchSize?: number;
}

/** The types a processor handles, as `canHandle`. */
export const handles =
  (...types: readonly string[]) =>
  (eventType: string): boolean =>
    types.includes(eventType);

export const handlesAll = (): boolean => true;
