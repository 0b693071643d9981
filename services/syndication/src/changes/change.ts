/** A public change, as every channel names it: the webhook and stream event types. */
import type { NinjsDocument } from '../documents/ninjs.js';

export type PublicChange = 'published' | 'corrected' | 'unpublished' | 'retracted';

export const EVENT_TYPES = [
  'article.published',
  'article.corrected',
  'article.unpublished',
  'article.retracted',
] as const;
export type SyndicationEventType = (typeof EVENT_TYPES)[number];

export const eventTypeOf = (change: PublicChange): SyndicationEventType => `article.${change}`;

/** One entry of the syndication log: what webhooks, the public topic and the stream send. */
export interface SyndicationEvent {
  readonly seq: number;
  readonly type: SyndicationEventType;
  readonly articleId: string;
  readonly revision: number;
  readonly section: string | null;
  readonly language: string | null;
  /** When the change happened (the event's `at`), RFC 3339 in the publisher's offset. */
  readonly timestamp: string;
  readonly document: NinjsDocument;
}

/** The payload every push channel carries: `{ type, timestamp, data }` (Standard Webhooks). */
export const payloadOf = (e: Pick<SyndicationEvent, 'type' | 'timestamp' | 'document'>) => ({
  type: e.type,
  timestamp: e.timestamp,
  data: e.document,
});
