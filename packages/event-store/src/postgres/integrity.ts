/**
 * verifyIntegrity: reads the whole global log in readAll order (by binary COPY on PostgreSQL,
 * see log-rows.ts) and recomputes, in Node (node:crypto + JCS), every event's hash, every
 * stream's chain and every seal. It trusts nothing stored but the event content it hashes, and
 * stops at the first bad thing it finds. The hot loop holds hashes as binary strings and a
 * body as its bytes (sha256.ts): a million events are checked without an object per field.
 */
import { digestStepBinary, eventHashOfBytes, sealHash, ZERO_BINARY, ZERO_HASH } from '../hash.js';
import { isCanonicalJson } from '../jcs.js';
import type { CanonicalScan } from '../jcs-scan.js';
import { scanCanonical } from '../jcs-scan.js';
import type { Position } from '../port.js';
import { comparePositions, START } from '../port.js';
import type { BinaryHash } from '../sha256.js';
import { hexOfBinary } from '../sha256.js';
import type { SqlDriver, SqlQueryable } from './driver.js';
import { quoteIdent } from './driver.js';
import type { LogRow } from './log-rows.js';
import { logRows } from './log-rows.js';
import type { EventRow } from './sql.js';

/** What verifies alongside the log's own checks (the audit's tree heads), fed each event. */
export interface LogObserver {
  /** Before a page of events is checked, with the count the log reaches at its end at most. */
  readonly beforePage?: (upTo: number) => Promise<void>;
  /** After event number `count` (from 1) checked out, with its hash as a binary string (see
   *  sha256.ts); a violation stops the run there. */
  readonly onEvent: (hash: BinaryHash, count: number) => IntegrityViolation | undefined;
  /** After the last event. */
  readonly atEnd: (count: number) => IntegrityViolation | undefined;
}

export interface VerifyOptions {
  readonly schema?: string;
  /** Events read per query (default 5000). */
  readonly batchSize?: number;
  readonly observer?: LogObserver;
}

export type IntegrityViolation =
  | {
      readonly kind: 'event';
      readonly streamName: string;
      readonly revision: bigint;
      readonly eventId: string;
      readonly position: Position;
      /** What the hash (or previous hash, or revision) should be, recomputed from the content. */
      readonly expected: string;
      /** What is stored. */
      readonly found: string;
      readonly reason: string;
    }
  | {
      readonly kind: 'seal';
      readonly sealNumber: bigint;
      readonly expected: string;
      readonly found: string;
      readonly reason: string;
    }
  | {
      readonly kind: 'tree-head';
      readonly number: number;
      readonly expected: string;
      readonly found: string;
      readonly reason: string;
    };

export type IntegrityReport =
  | {
      readonly ok: true;
      readonly streams: number;
      readonly events: number;
      readonly seals: number;
      /** Events after the last seal: their removal from the tail could not be detected. */
      readonly unsealedEvents: number;
      readonly lastPosition: Position;
    }
  | {
      readonly ok: false;
      /** Events checked before the violation. */
      readonly events: number;
      readonly violation: IntegrityViolation;
    };

interface SealRow {
  readonly seal_number: string;
  readonly last_transaction_id: string;
  readonly last_position: string;
  readonly event_count: string;
  readonly digest: string;
  readonly previous_hash: string;
  readonly hash: string;
}

const BODY_KEYS = 'data,eventId,metadata,type';

/** The same judgement as storedBodyProblem from its fields (the slow path, with reasons). */
function parsedBodyProblem(
  row: Pick<EventRow, 'body' | 'event_id' | 'event_type'>,
): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(row.body);
  } catch {
    return 'body is not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return 'body is not a JSON object';
  }
  const body = parsed as Record<string, unknown>;
  if (Object.keys(body).sort().join(',') !== BODY_KEYS) {
    return `body must have exactly the members ${BODY_KEYS}`;
  }
  if (body.eventId !== row.event_id) return 'event_id column differs from the hashed body';
  if (body.type !== row.event_type) return 'event_type column differs from the hashed body';
  try {
    if (!isCanonicalJson(body, row.body)) return 'body is not in RFC 8785 canonical form';
  } catch (error) {
    if (error instanceof RangeError) return 'body is nested too deeply to be canonical';
    throw error;
  }
  return undefined;
}

/** Whether a scan shows a canonical body of exactly the event's members, id and type. */
const soundScan = (scan: CanonicalScan, eventId: string, type: string): boolean => {
  if (scan === 'unsure' || !scan.canonical) return false;
  const [k0, k1, k2, k3] = scan.keys;
  return (
    scan.keys.length === 4 &&
    k0 === 'data' &&
    k1 === 'eventId' &&
    k2 === 'metadata' &&
    k3 === 'type' &&
    scan.strings.get('eventId') === eventId &&
    scan.strings.get('type') === type
  );
};

/**
 * Why a stored body is not the canonical form of exactly the event's id and type, if not. One
 * scan of the text answers for a sound body; anything else is judged (and explained) by
 * parsing it.
 */
export function storedBodyProblem(
  row: Pick<EventRow, 'body' | 'event_id' | 'event_type'>,
): string | undefined {
  return soundScan(scanCanonical(row.body), row.event_id, row.event_type)
    ? undefined
    : parsedBodyProblem(row);
}

/** A column's text as the byte view (latin1 of its UTF-8) the byte scan answers strings in. */
const byteView = (text: string): string =>
  Buffer.byteLength(text, 'utf8') === text.length // ASCII: its own byte view
    ? text
    : Buffer.from(text, 'utf8').toString('latin1');

/**
 * The same judgement of a body as its UTF-8 bytes, scanned without decoding them: the scan's
 * strings are byte views, so the columns are compared as byte views too (a member name past
 * ASCII sends the body to the decoded path).
 */
const storedBytesProblem = (row: LogRow): string | undefined =>
  soundScan(
    scanCanonical(row.body.toString('latin1'), true),
    byteView(row.eventId),
    byteView(row.type),
  )
    ? undefined
    : parsedBodyProblem({
        body: row.body.toString('utf8'),
        event_id: row.eventId,
        event_type: row.type,
      });

/** The report of a bad event, `events` checked before it. */
const eventFailure = (
  events: number,
  event: LogRow,
  expected: string,
  found: string,
  reason: string,
): IntegrityReport => ({
  ok: false,
  events,
  violation: {
    kind: 'event',
    streamName: event.streamName,
    revision: event.revision,
    eventId: event.eventId,
    position: event.position,
    expected,
    found,
    reason,
  },
});

export async function verifyIntegrity(
  db: SqlQueryable & Pick<SqlDriver, 'copyOut'>,
  options: VerifyOptions = {},
): Promise<IntegrityReport> {
  const schema = options.schema ?? 'event_store';
  const batchSize = options.batchSize ?? 5000;
  const s = quoteIdent(schema);

  const sealRows = (
    await db.query<SealRow>(
      `SELECT seal_number::text AS seal_number, last_transaction_id::text AS last_transaction_id,
              last_position::text AS last_position, event_count::text AS event_count,
              encode(digest, 'hex') AS digest, encode(previous_hash, 'hex') AS previous_hash,
              encode(hash, 'hex') AS hash
         FROM ${s}.seals AS seal ORDER BY seal.seal_number`, // the column: the text alias sorts 1, 10, 2,
    )
  ).rows;

  /** Each stream's last event so far (a head is updated in place: one object a stream). */
  const heads = new Map<string, { revision: bigint; hash: BinaryHash; recordedMs: number }>();
  let events = 0;
  let digest = ZERO_BINARY;
  let previousSeal = ZERO_HASH;
  let sealIndex = 0;

  /** Checks the next seal once every event up to its last position has been digested. */
  const checkSeal = (seal: SealRow): IntegrityReport | undefined => {
    const number = BigInt(seal.seal_number);
    const fail = (expected: string, found: string, reason: string): IntegrityReport => ({
      ok: false,
      events,
      violation: { kind: 'seal', sealNumber: number, expected, found, reason },
    });
    if (number !== BigInt(sealIndex + 1)) {
      return fail(String(sealIndex + 1), seal.seal_number, 'seal numbers are not consecutive');
    }
    if (seal.previous_hash !== previousSeal) {
      return fail(previousSeal, seal.previous_hash, 'seal does not chain to the previous seal');
    }
    if (BigInt(seal.event_count) !== BigInt(events)) {
      return fail(
        String(events),
        seal.event_count,
        'event count differs from the sealed one: events were removed or added',
      );
    }
    if (seal.digest !== hexOfBinary(digest)) {
      return fail(
        hexOfBinary(digest),
        seal.digest,
        'digest of the global log differs from the sealed one',
      );
    }
    const recomputed = sealHash(
      seal.previous_hash,
      number,
      BigInt(seal.last_transaction_id),
      BigInt(seal.last_position),
      BigInt(seal.event_count),
      seal.digest,
    );
    if (recomputed !== seal.hash) return fail(recomputed, seal.hash, 'seal hash does not match');
    previousSeal = seal.hash;
    sealIndex++;
    return undefined;
  };
  const sealBound = (seal: SealRow): Position => ({
    transactionId: BigInt(seal.last_transaction_id),
    sequence: BigInt(seal.last_position),
  });

  let cursor: Position = START;
  let eventsAtLastSeal = 0;
  for await (const rows of logRows(db, schema, batchSize)) {
    await options.observer?.beforePage?.(events + rows.length);
    for (const event of rows) {
      // Seals whose range ends before this event must now match.
      for (let seal = sealRows[sealIndex]; seal; seal = sealRows[sealIndex]) {
        if (comparePositions(sealBound(seal), event.position) >= 0) break;
        const bad = checkSeal(seal);
        if (bad) return bad;
        eventsAtLastSeal = events;
      }
      const head = heads.get(event.streamName);
      const expectedRevision = head ? head.revision + 1n : 0n;
      if (event.revision !== expectedRevision) {
        return eventFailure(
          events,
          event,
          expectedRevision.toString(),
          event.revision.toString(),
          event.revision > expectedRevision
            ? 'revision gap: earlier events of the stream are missing'
            : 'revision out of order or repeated',
        );
      }
      const previous = head ? head.hash : ZERO_BINARY;
      if (event.previousHash !== previous) {
        return eventFailure(
          events,
          event,
          hexOfBinary(previous),
          hexOfBinary(event.previousHash),
          'previous hash does not match the stream chain',
        );
      }
      const recomputed = eventHashOfBytes(
        previous,
        event.streamName,
        event.revision,
        event.recordedMs,
        event.body,
      );
      if (recomputed !== event.hash) {
        return eventFailure(
          events,
          event,
          hexOfBinary(recomputed),
          hexOfBinary(event.hash),
          'hash does not match the content: the event was altered',
        );
      }
      const contentProblem = storedBytesProblem(event);
      if (contentProblem) {
        return eventFailure(
          events,
          event,
          hexOfBinary(event.hash),
          hexOfBinary(event.hash),
          contentProblem,
        );
      }
      if (head && event.recordedMs < head.recordedMs) {
        return eventFailure(
          events,
          event,
          new Date(head.recordedMs).toISOString(),
          new Date(event.recordedMs).toISOString(),
          'recorded_at goes back in time within the stream',
        );
      }
      if (head) {
        head.revision = event.revision;
        head.hash = event.hash;
        head.recordedMs = event.recordedMs;
      } else {
        heads.set(event.streamName, {
          revision: event.revision,
          hash: event.hash,
          recordedMs: event.recordedMs,
        });
      }
      digest = digestStepBinary(digest, event.hash);
      events++;
      cursor = event.position;
      const observed = options.observer?.onEvent(event.hash, events);
      if (observed) return { ok: false, events, violation: observed };
    }
  }
  for (let seal = sealRows[sealIndex]; seal; seal = sealRows[sealIndex]) {
    const bad = checkSeal(seal);
    if (bad) return bad;
    eventsAtLastSeal = events;
  }
  const observed = options.observer?.atEnd(events);
  if (observed) return { ok: false, events, violation: observed };
  return {
    ok: true,
    streams: heads.size,
    events,
    seals: sealIndex,
    unsealedEvents: events - eventsAtLastSeal,
    lastPosition: cursor,
  };
}
