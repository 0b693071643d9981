import { createHash } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { Either } from 'fp-ts/lib/Either.js';
import type { EventStore, RecordedEvent } from '@newsroom/event-store';
import { EventStoreError } from '@newsroom/event-store';

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
  /** Retries on a concurrent append when the caller sent no If-Match. Default 5. */
  readonly maxAttempts?: number;
}

export interface CommandRequest<Command> {
  readonly streamName: string;
  readonly commandId: string;
  readonly command: Command;
  /** From If-Match: the revision the caller last saw. `-1n` means "the stream must not exist". */
  readonly expectedRevision?: bigint;
  /** Written beside every event (actor, command, correlation and causation ids, time). */
  readonly metadata: Record<string, unknown> & { readonly commandId: string };
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
  | {
      readonly tag: 'CorruptStream';
      readonly streamName: string;
      readonly revision: bigint;
      readonly reason: string;
    };

/** Deterministic event ids from the command id: a retried command appends the same ids,
 *  which the store recognises (idempotent append). RFC 9562 version 8 layout. */
export const eventIdFor = (commandId: string, index: number | string): string => {
  const bytes = createHash('sha256').update(`${commandId}:${index}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

interface Loaded<Event, State> {
  readonly state: State;
  /** -1n when the stream does not exist. */
  readonly revision: bigint;
  readonly recorded: readonly RecordedEvent[];
  readonly events: readonly Event[];
}

/** Reads a stream and folds it through the decider, decoding every row at the store edge. */
export const loadStream = async <Command, Event extends TypedEvent, State, Rejection>(
  spec: CommandSpec<Command, Event, State, Rejection>,
  streamName: string,
  options: { readonly toRevision?: bigint; readonly toInstant?: Date } = {},
): Promise<Either<CommandFailure<Rejection>, Loaded<Event, State>>> => {
  const recorded = await spec.store.readStream(streamName, options);
  const events: Event[] = [];
  let state = spec.decider.initialState;
  for (const row of recorded) {
    const decoded = spec.decodeEvent({ type: row.type, data: row.data });
    if (E.isLeft(decoded)) {
      return E.left({
        tag: 'CorruptStream',
        streamName,
        revision: row.revision,
        reason: decoded.left,
      });
    }
    events.push(decoded.right);
    state = spec.decider.evolve(state, decoded.right);
  }
  const last = recorded[recorded.length - 1];
  return E.right({ state, revision: last === undefined ? -1n : last.revision, recorded, events });
};

const commandIdOf = (metadata: unknown): unknown =>
  typeof metadata === 'object' && metadata !== null
    ? (metadata as { commandId?: unknown }).commandId
    : undefined;

/**
 * Load, decide, append. Optimistic concurrency: with an expected revision (If-Match) a stale
 * caller gets StaleRevision; without one a conflicting append is retried on the fresh state.
 * A command id seen before returns the first result instead of deciding again.
 */
export const handleCommand = async <Command, Event extends TypedEvent, State, Rejection>(
  spec: CommandSpec<Command, Event, State, Rejection>,
  request: CommandRequest<Command>,
): Promise<Either<CommandFailure<Rejection>, CommandAccepted<Event, State>>> => {
  const maxAttempts = spec.maxAttempts ?? 5;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const loaded = await loadStream(spec, request.streamName);
    if (E.isLeft(loaded)) return loaded;
    const { state, revision, recorded, events } = loaded.right;

    const earlier = recorded.flatMap((row, i) =>
      commandIdOf(row.metadata) === request.commandId ? [i] : [],
    );
    const lastEarlier = earlier[earlier.length - 1];
    if (lastEarlier !== undefined) {
      const upTo = recorded[lastEarlier]!.revision;
      const replayedState = events
        .slice(0, lastEarlier + 1)
        .reduce(spec.decider.evolve, spec.decider.initialState);
      return E.right({
        revision: upTo,
        events: earlier.map((i) => events[i]!),
        state: replayedState,
        replayed: true,
      });
    }

    if (request.expectedRevision !== undefined && request.expectedRevision !== revision) {
      return E.left({
        tag: 'StaleRevision',
        expected: request.expectedRevision,
        current: revision,
      });
    }

    const decided = spec.decider.decide(request.command, state);
    if (E.isLeft(decided)) return E.left({ tag: 'Rejected', rejection: decided.left });
    const newEvents = decided.right;
    if (newEvents.length === 0) return E.right({ revision, events: [], state, replayed: false });

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
      return E.right({
        revision: result.nextExpectedRevision,
        events: newEvents,
        state: newEvents.reduce(spec.decider.evolve, state),
        replayed: false,
      });
    } catch (error) {
      if (error instanceof EventStoreError && error.failure.tag === 'WrongExpectedVersion') {
        if (request.expectedRevision !== undefined) {
          const actual = error.failure.actual;
          return E.left({
            tag: 'StaleRevision',
            expected: request.expectedRevision,
            current: actual === 'no_stream' ? -1n : actual,
          });
        }
        continue; // someone else appended first: decide again on the fresh state
      }
      throw error;
    }
  }
  return E.left({ tag: 'ConcurrencyExhausted', attempts: maxAttempts });
};
