/**
 * The EventStore port. Named like KurrentDB's Node client so that an adapter for it
 * stays a thin mapping; the PostgreSQL implementation (pg and PGlite) is in ./postgres.
 *
 * Everything here is plain data: no driver type leaks through the port.
 */

/** `any`: no check; `no_stream`: the stream must not exist; `stream_exists`: it must;
 *  a bigint: the stream's last revision must be exactly that number. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export const ANY = 'any' as const;
export const NO_STREAM = 'no_stream' as const;
export const STREAM_EXISTS = 'stream_exists' as const;

/** What a caller hands to appendToStream. `id` is the idempotency key. */
export interface EventData {
  readonly id: string; // uuid
  readonly type: string;
  readonly data: unknown; // JSON value
  readonly metadata?: unknown; // JSON value
}

/** An event as stored. Revisions start at 0 within a stream; positions are global. */
export interface RecordedEvent {
  readonly id: string;
  readonly type: string;
  readonly streamName: string;
  readonly revision: bigint;
  /** Global position: (transaction id, sequence). Order of readAll is by both. */
  readonly position: Position;
  readonly data: unknown;
  /** null when the event was appended without metadata. */
  readonly metadata: unknown;
  /** When the database recorded the event (server clock, millisecond precision, never
   *  earlier than the stream's previous event). */
  readonly recordedAt: Date;
  /** SHA-256 chain: hash of the previous event of this stream (32 zero bytes for the first). */
  readonly previousHash: string; // hex
  readonly hash: string; // hex
}

export interface Position {
  readonly transactionId: bigint;
  readonly sequence: bigint;
}

export const START: Position = { transactionId: 0n, sequence: 0n };

/** The log's order: negative when `a` comes before `b`, 0 when they are the same position. */
export const comparePositions = (a: Position, b: Position): number =>
  a.transactionId !== b.transactionId
    ? a.transactionId < b.transactionId
      ? -1
      : 1
    : a.sequence === b.sequence
      ? 0
      : a.sequence < b.sequence
        ? -1
        : 1;

export interface AppendResult {
  /** The stream's last revision after the append. An idempotent retry answers with the
   *  first append's result; an empty append with the stream's current revision (-1n when
   *  the stream does not exist). */
  readonly nextExpectedRevision: bigint;
  /** Position of the last event appended (for an empty append: of the stream's last event,
   *  START when there is none). */
  readonly position: Position;
  /** True when every event was already stored (a retry): nothing was written and the answer
   *  is the first append's. A caller that decided these events must not take them as its own. */
  readonly idempotent: boolean;
}

export interface AppendOptions {
  readonly expectedRevision?: ExpectedRevision; // default 'any'
  /**
   * The caller gives up: while the append still waits for its turn (group commit), it is
   * dropped unwritten and the call rejects with the signal's reason. Once it is being written
   * it runs to its end (a retry with the same event ids is idempotent).
   */
  readonly signal?: AbortSignal;
}

export interface ReadStreamOptions {
  readonly fromRevision?: bigint; // inclusive, default 0
  /** Stop after this revision (inclusive): the stream as it was at that revision. */
  readonly toRevision?: bigint;
  /** Only events recorded at or before this instant: the stream as it was then. */
  readonly toInstant?: Date;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Default START. */
  readonly fromPosition?: Position;
  readonly maxCount?: number; // default 1000
}

export interface SubscribeOptions {
  /**
   * Durable subscription name. When given, the checkpoint is stored in the database
   * (compare-and-swap) after each handled batch and a restart resumes from it.
   */
  readonly subscriptionName?: string;
  /** Where to start when there is no stored checkpoint (exclusive). Default START.
   *  For subscribeToStream: events at or before this global position are skipped. */
  readonly fromPosition?: Position;
  /** subscribeToStream only: start after this revision (exclusive) when there is no stored
   *  checkpoint. Default: from revision 0. */
  readonly fromRevision?: bigint;
  readonly pollIntervalMs?: number;
  readonly batchSize?: number;
  /**
   * A durable checkpoint is stored at most this often (and always when the subscription
   * stops). Default 0: after every batch. A handler whose effects are idempotent can take a
   * longer interval: after a crash it sees again at most that much, and the database is spared
   * one write per batch.
   */
  readonly checkpointIntervalMs?: number;
}

export interface Subscription {
  /** Stops polling; resolves once the current handler call (if any) has returned. */
  stop(): Promise<void>;
  /** Resolves when the subscription stops; rejects if the handler threw. */
  readonly done: Promise<void>;
}

export type EventHandler = (event: RecordedEvent) => Promise<void>;

/** A whole fetched batch, in order. A batch handler keeps its own progress: the next batch
 *  comes after the last event of this one once the call resolves; a throw ends the subscription. */
export type BatchHandler = (batch: readonly RecordedEvent[]) => Promise<void>;

export interface BatchSubscribeOptions {
  /** Exclusive: the batches start after this position. */
  readonly fromPosition: Position;
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
}

/** The last committed event of the global log. */
export interface LogHead {
  readonly position: Position;
  readonly recordedAt: Date;
}

/** Failures are values of this union, thrown as EventStoreError so that callers can switch on `tag`. */
export type EventStoreFailure =
  | {
      readonly tag: 'WrongExpectedVersion';
      readonly streamName: string;
      readonly expected: ExpectedRevision;
      /** The stream's actual last revision, or 'no_stream'. */
      readonly actual: bigint | 'no_stream';
    }
  | {
      readonly tag: 'IdempotencyConflict';
      readonly streamName: string;
      readonly eventId: string;
      readonly reason: string;
    }
  | { readonly tag: 'InvalidEvent'; readonly reason: string };

export class EventStoreError extends Error {
  constructor(readonly failure: EventStoreFailure) {
    super(
      `${failure.tag}: ${JSON.stringify(failure, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`,
    );
    this.name = 'EventStoreError';
  }
}

export interface EventStore {
  appendToStream(
    streamName: string,
    events: readonly EventData[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  /** Events of one stream in revision order; an empty array when the stream does not exist. */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<readonly RecordedEvent[]>;
  /** Gap-free global read: only events whose transaction is below the oldest running one. */
  readAll(options?: ReadAllOptions): Promise<readonly RecordedEvent[]>;
  subscribeToAll(handler: EventHandler, options?: SubscribeOptions): Subscription;
  subscribeToStream(
    streamName: string,
    handler: EventHandler,
    options?: SubscribeOptions,
  ): Subscription;
  /** The global log in batches, for a caller that stores its position itself (a processor
   *  commits it with its effects); woken by appends like subscribeToAll. */
  subscribeToAllInBatches(handler: BatchHandler, options: BatchSubscribeOptions): Subscription;
  /** The last committed event, in readAll order (readAll reaches it once the transactions
   *  older than it have ended); undefined when the log is empty. */
  readHead(): Promise<LogHead | undefined>;
  close(): Promise<void>;
}
