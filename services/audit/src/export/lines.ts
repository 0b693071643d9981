/**
 * The export's NDJSON lines, one codec for the boundary (the server writes them, `newsroom
 * audit verify-export` reads them back): a header (the log's origin and key, where the export
 * starts in the tree: its leaf index and the tree's edge there, and the last tree head at or
 * before it), each event as stored (the body is the exact text its hash covers), each tree head
 * once the log reaches its size (its signed note and a consistency proof from the previous
 * head), and an end line with the counts, so that a cut-off file is told from a whole one.
 */
import * as t from 'io-ts';
import { Sha256Hex, strict } from '@newsroom/contracts';

export const EXPORT_FORMAT = 'newsroom.audit-export.v1';

const Decimal = t.refinement(t.string, (s) => /^(0|[1-9]\d{0,19})$/.test(s), 'Decimal');
const Count = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'Count');

export const ExportHead = strict(
  {
    number: Count,
    treeSize: Count,
    rootHash: Sha256Hex,
    time: t.string,
    note: t.string,
  },
  {},
  'ExportHead',
);
export type ExportHead = t.TypeOf<typeof ExportHead>;

export const ExportHeader = strict(
  {
    kind: t.literal('header'),
    format: t.literal(EXPORT_FORMAT),
    origin: t.string,
    verifierKey: t.string,
    leafIndex: Count,
    /** The complete subtrees of the first `leafIndex` leaves, largest first (hex). */
    frontier: t.array(Sha256Hex),
    anchor: t.union([ExportHead, t.null]),
    exportedAt: t.string,
  },
  {},
  'ExportHeader',
);
export type ExportHeader = t.TypeOf<typeof ExportHeader>;

export const ExportEvent = strict(
  {
    kind: t.literal('event'),
    leafIndex: Count,
    position: strict({ transactionId: Decimal, sequence: Decimal }, {}, 'ExportPosition'),
    streamName: t.string,
    revision: Decimal,
    eventId: t.string,
    type: t.string,
    /** Milliseconds since the epoch, as the hash covers it. */
    recordedAtMs: Count,
    /** The stored body itself, as JSON (its canonical text is what the hash covers). */
    body: t.UnknownRecord,
    previousHash: Sha256Hex,
    hash: Sha256Hex,
  },
  {},
  'ExportEvent',
);
export type ExportEvent = t.TypeOf<typeof ExportEvent>;

export const ExportTreeHead = strict(
  {
    kind: t.literal('tree-head'),
    head: ExportHead,
    /** From the previous head of the export (or its anchor); null for the first of the log. */
    consistency: t.union([
      strict({ fromSize: Count, proof: t.array(Sha256Hex) }, {}, 'ExportConsistency'),
      t.null,
    ]),
  },
  {},
  'ExportTreeHead',
);
export type ExportTreeHead = t.TypeOf<typeof ExportTreeHead>;

export const ExportEnd = strict(
  { kind: t.literal('end'), events: Count, treeHeads: Count, treeSize: Count },
  {},
  'ExportEnd',
);

export const ExportLine = t.union([ExportHeader, ExportEvent, ExportTreeHead, ExportEnd]);
export type ExportLine = t.TypeOf<typeof ExportLine>;

/**
 * An event's line as the export writes it, up to its body: the stored body's own text follows,
 * then `eventLineTail`. One writer of the format for both ways the export reads the log.
 */
export const eventLineHead = (
  leafIndex: number,
  transactionId: bigint,
  sequence: bigint,
  streamName: string,
  revision: bigint,
  eventId: string,
  type: string,
  recordedAtMs: number,
): string =>
  `{"kind":"event","leafIndex":${leafIndex},"position":{"transactionId":"${transactionId}","sequence":"${sequence}"},"streamName":${JSON.stringify(streamName)},"revision":"${revision}","eventId":"${eventId}","type":${JSON.stringify(type)},"recordedAtMs":${recordedAtMs},"body":`;

/** An event's line after its body: the two hashes, lower-case hex. */
export const eventLineTail = (previousHash: string, hash: string): string =>
  `,"previousHash":"${previousHash}","hash":"${hash}"}`;
