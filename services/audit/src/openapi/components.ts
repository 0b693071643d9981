/**
 * What the audit's answers share in the API reference: its tag and its readers, hex hashes,
 * decimal positions, an event of the record as the history lists it (history/routes.ts
 * `entryOf`), a signed tree head (tree/sql/heads.ts `treeHeadJson`), each named component
 * made once a document.
 */
import { bearer } from '@newsroom/service-kit';
import { RecordedActorId, Sha256Hex } from '@newsroom/contracts';
import type { JsonSchema, SchemaSet } from '@newsroom/contracts';
import { AUDIT_READERS } from '../auditors.js';
import { SIDE } from '../diff/load.js';

export const TAGS = ['audit'];

/** Auditors and admins, by bearer token (the page: by the cookie holding one). */
export const AUDITORS = bearer([...AUDIT_READERS]);

import { NULLABLE_STRING, UTC_MILLIS, UUID } from '@newsroom/service-kit';
export { NULLABLE_STRING, UTC_MILLIS, UUID };
export const COUNT: JsonSchema = { type: 'integer', minimum: 0 };
/** A bigint as its decimal text (a position, a store revision). */
export const DECIMAL: JsonSchema = { type: 'string', pattern: '^(0|[1-9][0-9]*)$' };

export const hex = (schemas: SchemaSet): JsonSchema => schemas.of(Sha256Hex);

/** A side of a diff, as the diff route reads it (diff/load.ts). */
export const SIDE_TEXT: JsonSchema = { type: 'string', pattern: SIDE.source };

/** Where an event is in the global log: `{ transactionId, sequence }`, decimal texts. */
export const positionSchema = (schemas: SchemaSet): JsonSchema =>
  schemas.once('AuditPosition', () => ({
    type: 'object',
    description: 'a place in the global log; `<transactionId>.<sequence>` is its text form',
    properties: { transactionId: DECIMAL, sequence: DECIMAL },
    required: ['transactionId', 'sequence'],
    additionalProperties: false,
  }));

const ENTRY_REQUIRED = [
  'revision',
  'position',
  'eventId',
  'type',
  'summary',
  'readable',
  'recordedAt',
  'occurredAt',
  'actor',
  'commandId',
  'commandType',
  'correlationId',
  'causationId',
  'hash',
  'previousHash',
  'data',
  'metadata',
];

const entryProperties = (schemas: SchemaSet): Record<string, JsonSchema> => ({
  revision: { ...COUNT, description: "its revision in the article's stream" },
  position: positionSchema(schemas),
  eventId: UUID,
  type: { type: 'string', description: 'the event type as stored (`DraftCreated.v1`...)' },
  summary: { type: 'string', maxLength: 200, description: 'one line, for a person' },
  readable: { type: 'boolean', description: 'false: this version cannot decode the event' },
  recordedAt: UTC_MILLIS,
  occurredAt: NULLABLE_STRING,
  actor: {
    anyOf: [
      {
        type: 'object',
        properties: { id: { type: 'string' }, role: { type: 'string' } },
        required: ['id', 'role'],
        additionalProperties: false,
      },
      { type: 'null' },
    ],
  },
  commandId: NULLABLE_STRING,
  commandType: NULLABLE_STRING,
  correlationId: NULLABLE_STRING,
  causationId: NULLABLE_STRING,
  hash: hex(schemas),
  previousHash: { ...hex(schemas), description: "the previous event's hash (zeros for the first)" },
  data: { description: 'the data exactly as stored (what the hash covers)' },
  metadata: { description: 'the metadata exactly as stored (what the hash covers)' },
});

/** An event of an article's history, as stored, with what the audit reads off it. */
export const historyEntry = (schemas: SchemaSet): JsonSchema =>
  schemas.once('AuditHistoryEntry', () => ({
    type: 'object',
    properties: entryProperties(schemas),
    required: ENTRY_REQUIRED,
    additionalProperties: false,
  }));

/** An event one actor caused: a history entry and the article it is of. */
export const actorEntry = (schemas: SchemaSet): JsonSchema =>
  schemas.once('AuditActorEntry', () => ({
    type: 'object',
    properties: {
      articleId: { anyOf: [UUID, { type: 'null' }], description: 'null: not an article stream' },
      ...entryProperties(schemas),
    },
    required: ['articleId', ...ENTRY_REQUIRED],
    additionalProperties: false,
  }));

/** A signed tree head, as the feed of heads and a seal give it. */
export const treeHead = (schemas: SchemaSet): JsonSchema =>
  schemas.once('AuditTreeHead', () => ({
    type: 'object',
    properties: {
      number: { type: 'integer', minimum: 1, description: 'numbered from 1, oldest first' },
      treeSize: { ...COUNT, description: 'the leaves (events) the tree holds' },
      rootHash: hex(schemas),
      time: UTC_MILLIS,
      keyId: { type: 'string', pattern: '^[0-9a-f]+$', description: 'the C2SP key id, hex' },
      note: { type: 'string', description: 'the signed note (a C2SP checkpoint), as signed' },
    },
    required: ['number', 'treeSize', 'rootHash', 'time', 'keyId', 'note'],
    additionalProperties: false,
  }));

/** The actor an answer is about (a person's id, or `system`). */
export const actorIdSchema = (schemas: SchemaSet): JsonSchema => schemas.of(RecordedActorId);
