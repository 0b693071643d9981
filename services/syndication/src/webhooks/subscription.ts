/** A webhook subscription as it is asked for over HTTP, and as it is answered. */
import * as t from 'io-ts';
import { boundedArray, boundedText, LanguageTag, strict } from '@newsroom/contracts';
import { EVENT_TYPES } from '../changes/change.js';

export const EventType = t.keyof(
  Object.fromEntries(EVENT_TYPES.map((e) => [e, null])) as Record<
    (typeof EVENT_TYPES)[number],
    null
  >,
  'EventType',
);

export const NewSubscription = strict(
  { url: boundedText('Url', 2048) },
  {
    sections: boundedArray(boundedText('Section', 100), 0, 50, 'Sections'),
    languages: boundedArray(LanguageTag, 0, 20, 'Languages'),
    eventTypes: boundedArray(EventType, 0, 4, 'EventTypes'),
  },
  'NewSubscription',
);
export type NewSubscription = t.TypeOf<typeof NewSubscription>;

export interface SubscriptionView {
  readonly id: string;
  readonly url: string;
  readonly sections: readonly string[];
  readonly languages: readonly string[];
  readonly eventTypes: readonly string[];
  readonly status: 'active' | 'disabled';
  readonly disabledReason: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  /** Until when the previous secret still signs too (after a rotation). */
  readonly previousSecretUntil: string | null;
}
