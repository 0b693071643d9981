import type { ArticleCommand, ArticleEvent, ArticleRejection } from '@newsroom/contracts';
import { replayWith } from './decider.js';
import type { Decider } from './decider.js';
import { decide } from './decide.js';
import { evolve, initialState } from './state.js';
import type { ArticleState } from './state.js';

/** The whole article lifecycle as one pure decider; every service appends through it. */
export const articleDecider: Decider<ArticleCommand, ArticleEvent, ArticleState, ArticleRejection> =
  { initialState, evolve, decide };

/** The article's state after `events` (in stream order), from the initial state. */
export const replay: (events: Iterable<ArticleEvent>, from?: ArticleState) => ArticleState =
  replayWith(articleDecider);
