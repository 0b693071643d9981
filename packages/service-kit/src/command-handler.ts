import { createHash } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { Either } from 'fp-ts/lib/Either.js';
import type { EventStore, RecordedEvent } from '@newsroom/event-store';
import { EventStoreError } from '@newsroom/event-store';
import type { StreamQueue } from './stream-queue.js';

/** The decider shape of @newsroom/domain, restated structurally so the kit stays generic. */
export interface DeciderLike<Command, Event, State, Rejection> {
  readonly initialState: State;
  readonly evolve: (state: State, event: Event) => State;
  readonly decide: (command: Command, state: State) => Either<Rejection, readonly Event[]>;
}

export interface TypedEvent {
  readonly type: string;
  readonly data: unknown;
}

export interface CommandSpec<Command, Event extends TypedEvent, State, Rejection> {
  readonly store: EventStore;
  readonly decider: DeciderLike<Command, Event, State, Rejection>;
  /** Decodes a stored row ({type, data}) into a domain event: the store edge's codec. */
  readonly decodeEvent: (row: { type: string; data: unknown }) => Either<string, Event>;
  /** Decodes a stored row's metadata to the command id that caused it: the same edge. */
  readonly decodeMetadata: (
    metadata: unknown,
  ) => Either<string, { readonly commandId: string; readonly commandType: string }>;
  /** A fast check that an event reads back as itself (a codec's `is`): what the handler runs on
   *  every event it is about to append, decoding it only to explain a failure. */
  readonly readsBack?: (event: { type: string; data: unknown }) => boolean;
  /** Folded streams kept between commands; without one every command reads its whole stream. */
  readonly cache?: StreamCache<State>;
  /** Commands on one stream from this process run one at a time (see StreamQueue). */
  readonly queue?: StreamQueue;
  /** Retries on a concurrent append when the caller sent no If-Match. Default 20. */
  readonly maxAttempts?: number;
}

export interface CommandRequest<Command> {
  readonly streamName: string;
  readonly commandId: string;
  readonly command: Command;
  /** From If-Match: the revision the caller last saw. `-1n` means "the stream must not exist". */
  readonly expectedRevision?: bigint;
  /** Written beside every event (actor, command, correlation and causation ids, time). */
  readonly metadata: Record<string, unknown> & {
    readonly commandId: string;
    readonly commandType: string;
  };
}

export interface CommandAccepted<Event, State> {
  /** The stream's last revision after the command. */
  readonly revision: bigint;
  readonly events: readonly Event[];
  readonly state: State;
  /** True when the command id had already been handled: the first result is returned. */
  readonly replayed: boolean;
}

export type CommandFailure<Rejection> =
  | { readonly tag: 'Rejected'; readonly rejection: Rejection }
  | { readonly tag: 'StaleRevision'; readonly expected: bigint; readonly current: bigint }
  | { readonly tag: 'ConcurrencyExhausted'; readonly attempts: number }
  | { readonly tag: 'CommandIdReused'; readonly commandId: string; readonly reason: string }
  /** What the command would write does not decode with the codecs that read it back: refused
   *  before anything is stored (a defect, never the caller's input: that was decoded first). */
  | { readonly tag: 'Unwritable'; readonly reason: string }
  /** Too many commands already wait for this stream in this process: try again shortly. */
  | { readonly tag: 'Busy'; readonly streamName: string }
  | {
      readonly tag: 'CorruptStream';
      readonly streamName: string;
      readonly revision: bigint;
      readonly reason: string;
    };

/** What is written beside every event of a command. */
export const commandMetadata = (input: {
  readonly actor: { readonly id: string; readonly role: string };
  readonly commandId: string;
  readonly commandType: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly now: Date;
  /** The W3C trace context the command came in (see app.ts), when it came in one. */
  readonly traceparent?: string;
}): CommandRequest<unknown>['metadata'] => ({
  actor: { id: input.actor.id, role: input.actor.role },
  commandId: input.commandId,
  commandType: input.commandType,
  correlationId: input.correlationId,
  causationId: input.causationId,
  occurredAt: input.now.toISOString(),
  ...(input.traceparent === undefined ? {} : { traceparent: input.traceparent }),
});

/** Deterministic event ids from the command id: a retried command appends the same ids,
 *  which the store recognises (idempotent append). RFC 9562 version 8 layout. */
export const eventIdFor = (commandId: string, index: number | string): string => {
  const bytes = createHash('sha256').update(`${commandId}:${index}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/** A stream folded up to `revision`, with the command ids seen in it (id -> last revision). */
export interface FoldedStream<State> {
  readonly state: State;
  /** -1n when the stream does not exist. */
  readonly revision: bigint;
  /**
   * Command id -> the revision of its last event. One map per stream, shared by its folds and
   * only ever added to: a command id in it was handled, whichever fold an answer is built on.
   */
  readonly commands: Map<string, bigint>;
}

/**
 * About how many bytes of heap `value` holds: two per UTF-16 unit of every string, plus a
 * little per object, array and primitive. Cheap (it visits nodes, not characters) and on the
 * high side: a text shared by two fields counts twice.
 */
export const approximateBytes = (value: unknown): number => {
  let bytes = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') bytes += 16 + 2 * next.length;
    else if (Array.isArray(next)) {
      bytes += 16 + 8 * next.length;
      for (const item of next) pending.push(item);
    } else if (typeof next === 'object' && next !== null) {
      for (const [key, item] of Object.entries(next)) {
        bytes += 16 + 2 * key.length;
        pending.push(item);
      }
    } else bytes += 8;
  }
  return bytes;
};

/** What a command id costs in a fold's `commands` map, about. */
const COMMAND_ENTRY_BYTES = 120;

/**
 * Folded streams kept between commands. Events are immutable, so a folded prefix stays true
 * forever: a command only reads the events after the cached revision (usually none). Bounded by
 * count and by size (about `maxBytes` of heap), least recently used first out; a stream larger
 * than a quarter of the bound is not kept at all.
 */
export class StreamCache<State> {
  private readonly entries = new Map<string, { fold: FoldedStream<State>; bytes: number }>();
  private totalBytes = 0;
  constructor(
    private readonly maxStreams = 10_000,
    private readonly maxBytes = 128 * 1024 * 1024,
  ) {}
  /** Streams held now, and about how many bytes they take. */
  get usage(): { readonly streams: number; readonly bytes: number } {
    return { streams: this.entries.size, bytes: this.totalBytes };
  }
  get(streamName: string): FoldedStream<State> | undefined {
    const entry = this.entries.get(streamName);
    if (entry !== undefined) {
      this.entries.delete(streamName);
      this.entries.set(streamName, entry);
    }
    return entry?.fold;
  }
  set(streamName: string, fold: FoldedStream<State>): void {
    const current = this.entries.get(streamName);
    if (current !== undefined && current.fold.revision > fold.revision) return;
    this.remove(streamName);
    const bytes = approximateBytes(fold.state) + fold.commands.size * COMMAND_ENTRY_BYTES;
    if (bytes > this.maxBytes / 4) return;
    this.entries.set(streamName, { fold, bytes });
    this.totalBytes += bytes;
    while (this.entries.size > this.maxStreams || this.totalBytes > this.maxBytes) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.remove(oldest);
    }
  }
  private remove(streamName: string): void {
    const entry = this.entries.get(streamName);
    if (entry === undefined) return;
    this.entries.delete(streamName);
    this.totalBytes -= entry.bytes;
  }
}

/** Decodes rows at the store edge and folds them onto `from`. */
const foldRows = <Command, Event extends TypedEvent, State, Rejection>(
  spec: CommandSpec<Command, Event, State, Rejection>,
  streamName: string,
  from: FoldedStream<State>,
  rows: readonly RecordedEvent[],
): Either<
  CommandFailure<Rejection>,
  FoldedStream<State> & { readonly events: readonly Event[] }
> => {
  let { state, revision } = from;
  const commands = from.commands; // shared by the stream's folds: ids only ever join it
  const events: Event[] = [];
  for (const row of rows) {
    const decoded = spec.decodeEvent({ type: row.type, data: row.data });
    const metadata = spec.decodeMetadata(row.metadata);
    if (E.isLeft(decoded) || E.isLeft(metadata)) {
      const reason = E.isLeft(decoded) ? decoded.left : E.isLeft(metadata) ? metadata.left : '';
      return E.left({ tag: 'CorruptStream', streamName, revision: row.revision, reason });
    }
    events.push(decoded.right);
    state = spec.decider.evolve(state, decoded.right);
    revision = row.revision;
    commands.set(metadata.right.commandId, row.revision);
  }
  return E.right({ state, revision, commands, events });
};

/** Why what a command is about to append could not be read back by the store edge's codecs
 *  (the very ones `foldRows` uses), or undefined: nothing is stored that cannot be read. */
const unreadableReason = <Command, Event extends TypedEvent, State, Rejection>(
  spec: CommandSpec<Command, Event, State, Rejection>,
  events: readonly Event[],
  metadata: CommandRequest<Command>['metadata'],
): string | undefined => {
  const decodedMetadata = spec.decodeMetadata(metadata);
  if (E.isLeft(decodedMetadata)) return decodedMetadata.left;
  for (const event of events) {
    if (spec.readsBack?.({ type: event.type, data: event.data }) === true) continue;
    const decoded = spec.decodeEvent({ type: event.type, data: event.data });
    if (E.isLeft(decoded)) return `${event.type}: ${decoded.left}`;
  }
  return undefined;
};

const emptyFold = <State>(state: State): FoldedStream<State> => ({
  state,
  revision: -1n,
  commands: new Map(),
});

/** The stream's current fold: the cached prefix plus whatever was appended since. */
const loadCurrent = async <Command, Event extends TypedEvent, State, Rejection>(
  spec: CommandSpec<Command, Event, State, Rejection>,
  streamName: string,
): Promise<Either<CommandFailure<Rejection>, FoldedStream<State>>> => {
  const cached = spec.cache?.get(streamName) ?? emptyFold(spec.decider.initialState);
  const rows = await spec.store.readStream(streamName, { fromRevision: cached.revision + 1n });
  if (rows.length === 0) return E.right(cached);
  const folded = foldRows(spec, streamName, cached, rows);
  if (E.isRight(folded)) spec.cache?.set(streamName, folded.right);
  return folded;
};

/**
 * Load, decide, append. Optimistic concurrency: with an expected revision (If-Match) a stale
 * caller gets StaleRevision; without one a conflicting append is retried on the fresh state.
 * A command id seen before returns the first result instead of deciding again.
 *
 * A cached fold is used without reading the stream first: the append's exact expected revision
 * proves it current. Any other outcome decided on an unread cache (a rejection, a stale
 * If-Match, nothing to do) is decided again after reading the stream's tail, so a cache that
 * another process left behind can cost a read but never a wrong answer.
 */
export const handleCommand = <Command, Event extends TypedEvent, State, Rejection>(
  spec: CommandSpec<Command, Event, State, Rejection>,
  request: CommandRequest<Command>,
): Promise<Either<CommandFailure<Rejection>, CommandAccepted<Event, State>>> =>
  spec.queue === undefined
    ? decideAndAppend(spec, request)
    : (spec.queue.run(request.streamName, () => decideAndAppend(spec, request)) ??
      Promise.resolve(E.left({ tag: 'Busy', streamName: request.streamName })));

const decideAndAppend = async <Command, Event extends TypedEvent, State, Rejection>(
  spec: CommandSpec<Command, Event, State, Rejection>,
  request: CommandRequest<Command>,
): Promise<Either<CommandFailure<Rejection>, CommandAccepted<Event, State>>> => {
  const maxAttempts = spec.maxAttempts ?? 20;
  let current = spec.cache?.get(request.streamName);
  let read = false; // whether `current` was just brought up to date from the store
  const refresh = async () => {
    const loaded = await loadCurrent(spec, request.streamName);
    if (E.isRight(loaded)) {
      current = loaded.right;
      read = true;
    }
    return loaded;
  };
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    // No cache: read now. A cache: decide on it, and read only if the answer is not an append.
    if (current === undefined) {
      const loaded = await refresh();
      if (E.isLeft(loaded)) return loaded;
    }
    const { state, revision, commands } = current as FoldedStream<State>;
    const retryAfterRead = async () => {
      const loaded = await refresh();
      return E.isLeft(loaded) ? loaded : undefined;
    };

    const handledAt = commands.get(request.commandId);
    if (handledAt !== undefined) {
      // Seen before: answer with the stream as that command left it (a rare path: full read).
      const rows = await spec.store.readStream(request.streamName, { toRevision: handledAt });
      const then = foldRows(spec, request.streamName, emptyFold(spec.decider.initialState), rows);
      if (E.isLeft(then)) return then;
      const mine = rows.flatMap((row, i) => {
        const metadata = spec.decodeMetadata(row.metadata);
        return E.isRight(metadata) && metadata.right.commandId === request.commandId
          ? [{ event: then.right.events[i] as Event, type: metadata.right.commandType }]
          : [];
      });
      if (mine.some((m) => m.type !== request.metadata.commandType)) {
        return E.left({
          tag: 'CommandIdReused',
          commandId: request.commandId,
          reason: `it was used for ${mine[0]?.type ?? 'another command'}`,
        });
      }
      return E.right({
        revision: handledAt,
        events: mine.map((m) => m.event),
        state: then.right.state,
        replayed: true,
      });
    }

    const decided =
      request.expectedRevision !== undefined && request.expectedRevision !== revision
        ? undefined
        : spec.decider.decide(request.command, state);
    if (decided === undefined || E.isLeft(decided) || decided.right.length === 0) {
      if (!read) {
        const failed = await retryAfterRead();
        if (failed) return failed;
        attempt--; // reading the cache's tail is not a lost race
        continue;
      }
      if (decided === undefined) {
        return E.left({
          tag: 'StaleRevision',
          expected: request.expectedRevision ?? revision,
          current: revision,
        });
      }
      if (E.isLeft(decided)) return E.left({ tag: 'Rejected', rejection: decided.left });
      return E.right({ revision, events: [], state, replayed: false });
    }
    const newEvents = decided.right;
    const unreadable = unreadableReason(spec, newEvents, request.metadata);
    if (unreadable !== undefined) return E.left({ tag: 'Unwritable', reason: unreadable });

    try {
      const result = await spec.store.appendToStream(
        request.streamName,
        newEvents.map((event, i) => ({
          id: eventIdFor(request.commandId, i),
          type: event.type,
          data: event.data,
          metadata: request.metadata,
        })),
        { expectedRevision: revision === -1n ? 'no_stream' : revision },
      );
      if (result.idempotent) {
        // The store already held these event ids: this command was handled before (by another
        // request with the same command id, here or in another process). What this request
        // decided was not written: read the tail and answer as a replay.
        const failed = await retryAfterRead();
        if (failed) return failed;
        continue;
      }
      const after = newEvents.reduce(spec.decider.evolve, state);
      spec.cache?.set(request.streamName, {
        state: after,
        revision: result.nextExpectedRevision,
        commands: commands.set(request.commandId, result.nextExpectedRevision),
      });
      return E.right({
        revision: result.nextExpectedRevision,
        events: newEvents,
        state: after,
        replayed: false,
      });
    } catch (error) {
      const conflict =
        error instanceof EventStoreError &&
        (error.failure.tag === 'WrongExpectedVersion' ||
          error.failure.tag === 'IdempotencyConflict');
      if (!conflict) throw error;
      if (error.failure.tag === 'IdempotencyConflict' && read) {
        // Decided on the stream as it is, and still the command's event ids are stored
        // elsewhere: the command id was used before for another command.
        return E.left({
          tag: 'CommandIdReused',
          commandId: request.commandId,
          reason: error.failure.reason,
        });
      }
      if (
        request.expectedRevision !== undefined &&
        error.failure.tag === 'WrongExpectedVersion' &&
        read
      ) {
        const actual = error.failure.actual;
        return E.left({
          tag: 'StaleRevision',
          expected: request.expectedRevision,
          current: actual === 'no_stream' ? -1n : actual,
        });
      }
      // Someone else appended first (or the cache was behind): read the tail and decide again,
      // after a short jittered pause so that a crowd of writers on one stream spreads out.
      if (read)
        await new Promise((resolve) =>
          setTimeout(resolve, Math.random() * Math.min(64, 2 ** attempt)),
        );
      const failed = await retryAfterRead();
      if (failed) return failed;
    }
  }
  return E.left({ tag: 'ConcurrencyExhausted', attempts: maxAttempts });
};
