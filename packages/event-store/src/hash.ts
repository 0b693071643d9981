/**
 * The tamper-evidence hashes, computed in Node exactly as the database computes them, so that
 * anyone holding the events (an auditor, an export) can recompute the chains.
 *
 * Event hash (per-stream chain):
 *   canonical = JCS({ data, eventId, metadata, type })    -- RFC 8785; metadata null if absent;
 *                                                         -- stored as is in events.body
 *   hash      = SHA-256( previousHash                     -- 32 raw bytes; 32 zero bytes at revision 0
 *                      || UTF-8(streamName + ":" + revision + ":" + recordedAtMs + ":")
 *                      || UTF-8(canonical) )
 *   revision and recordedAtMs (recorded_at as integer milliseconds since the Unix epoch) in decimal.
 *
 * Seal hash (global chain, in readAll order):
 *   digest_k  = SHA-256(digest_{k-1} || eventHash)  for every event, starting from 32 zero bytes
 *   sealHash  = SHA-256( previousSealHash             -- 32 zero bytes before seal 1
 *                      || UTF-8(sealNumber + ":" + lastTransactionId + ":" + lastSequence + ":" + eventCount + ":")
 *                      || digest )                    -- digest after the seal's last event
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './jcs.js';

export const ZERO_HASH = '0'.repeat(64);

/** The canonical JSON text an event's hash covers. */
export function canonicalEvent(event: {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: unknown;
}): string {
  return canonicalJson({
    data: event.data,
    eventId: event.id,
    metadata: event.metadata === undefined ? null : event.metadata,
    type: event.type,
  });
}

/** hex SHA-256 of one event, chained on the previous event's hash (hex). */
export function eventHash(
  previousHash: string,
  streamName: string,
  revision: bigint,
  recordedAt: Date,
  canonical: string,
): string {
  return createHash('sha256')
    .update(Buffer.from(previousHash, 'hex'))
    .update(`${streamName}:${revision.toString()}:${recordedAt.getTime()}:`, 'utf8')
    .update(canonical, 'utf8')
    .digest('hex');
}

/** One step of the running digest seals cover. */
export function digestStep(digest: string, eventHashHex: string): string {
  return createHash('sha256')
    .update(Buffer.from(digest, 'hex'))
    .update(Buffer.from(eventHashHex, 'hex'))
    .digest('hex');
}

export function sealHash(
  previousHash: string,
  sealNumber: bigint,
  lastTransactionId: bigint,
  lastSequence: bigint,
  eventCount: bigint,
  digest: string,
): string {
  return createHash('sha256')
    .update(Buffer.from(previousHash, 'hex'))
    .update(`${sealNumber}:${lastTransactionId}:${lastSequence}:${eventCount}:`, 'utf8')
    .update(Buffer.from(digest, 'hex'))
    .digest('hex');
}
