/**
 * The schemas syndication's answers share, each a named component made once per document: a
 * public article as `/v1/feeds/articles` gives it, a ninjs document (described, not copied:
 * its schema is IPTC's), and the `{ type, timestamp, data }` payload the push channels carry.
 */
import { IsoDateTime, RecordedContent } from '@newsroom/contracts';
import type { JsonSchema, SchemaSet } from '@newsroom/contracts';
import { EventType } from '../webhooks/subscription.js';

/** `application/json`, from `application/json; charset=utf-8`: the type a route sets. */
export const mediaOf = (type: string): string => type.split(';')[0]!.trim();

import { NULLABLE_STRING, UTC_MILLIS, UUID } from '@newsroom/service-kit';
export { NULLABLE_STRING, UTC_MILLIS, UUID };

/** What a listing's `next` is: the `cursor` of the next page, absent on the last one. */
export const NEXT_CURSOR: JsonSchema = {
  type: 'string',
  description: 'pass as `cursor` for the next page; absent on the last one',
};

export const ninjsDocument = (schemas: SchemaSet): JsonSchema =>
  schemas.once('NinjsDocument', () => ({
    type: 'object',
    description:
      'an IPTC ninjs 3.1 document: `uri` is `urn:newsroom:article:<uuid>` for every version; `pubStatus` is `usable` while published and `canceled` (no `bodies`, no summary) once unpublished or retracted; each correction notice is a `descriptions` entry with role `correction`, a retraction notice one with role `retraction`',
    externalDocs: { description: 'IPTC ninjs', url: 'https://www.iptc.org/std/ninjs/' },
    properties: {
      uri: { type: 'string', pattern: '^urn:newsroom:article:' },
      standard: { type: 'object' },
      version: { type: 'string', pattern: '^[1-9][0-9]*$' },
      versionCreated: { type: 'string', format: 'date-time' },
      pubStatus: { enum: ['usable', 'canceled'] },
      headlines: { type: 'array' },
    },
    required: ['uri', 'standard', 'version', 'versionCreated', 'pubStatus', 'headlines'],
  }));

export const publicArticle = (schemas: SchemaSet): JsonSchema =>
  schemas.once('PublicArticle', () => ({
    type: 'object',
    description: 'an article as the public sees it now: its published text as the event holds it',
    properties: {
      articleId: UUID,
      version: { type: 'integer', minimum: 1 },
      firstPublishedAt: UTC_MILLIS,
      updatedAt: { ...UTC_MILLIS, description: 'its last publication or correction' },
      corrections: {
        type: 'array',
        description: 'the corrections that went out, oldest first',
        items: {
          type: 'object',
          properties: {
            version: { type: 'integer', minimum: 1 },
            notice: { type: 'string' },
            at: schemas.of(IsoDateTime),
          },
          required: ['version', 'notice', 'at'],
          additionalProperties: false,
        },
      },
      content: schemas.of(RecordedContent),
    },
    required: ['articleId', 'version', 'firstPublishedAt', 'updatedAt', 'corrections', 'content'],
    additionalProperties: false,
  }));

/** What each webhook delivery and each live-stream event carries (Standard Webhooks' shape). */
export const syndicationPayload = (schemas: SchemaSet): JsonSchema =>
  schemas.once('SyndicationPayload', () => ({
    type: 'object',
    description: 'one public change: its type, when it happened, and the ninjs document it sent',
    properties: {
      type: schemas.of(EventType),
      timestamp: {
        type: 'string',
        format: 'date-time',
        description: "when the change happened, in the publisher's offset",
      },
      data: ninjsDocument(schemas),
    },
    required: ['type', 'timestamp', 'data'],
    additionalProperties: false,
  }));
