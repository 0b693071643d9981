import type { Either } from 'fp-ts/lib/Either.js';

/**
 * An Emmett-style decider as plain data: `decide` turns a command and the current state into
 * new events (or a rejection), `evolve` folds one event into the state. Both are pure.
 */
export interface Decider<Command, Event, State, Rejection> {
  readonly initialState: State;
  readonly evolve: (state: State, event: Event) => State;
  readonly decide: (command: Command, state: State) => Either<Rejection, readonly Event[]>;
}

/** Folds `events` through `decider.evolve` from `decider.initialState`. */
export const replayWith =
  <Event, State>(decider: Pick<Decider<never, Event, State, never>, 'initialState' | 'evolve'>) =>
  (events: Iterable<Event>, from: State = decider.initialState): State => {
    let state = from;
    for (const event of events) state = decider.evolve(state, event);
    return state;
  };
