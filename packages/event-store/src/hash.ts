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
import { canonicalJson } from './jcs.js';
import type { BinaryHash } from './sha256.js';
import { binaryOfHex, hexOfBinary, sha256HeadTextTail, sha256Pair } from './sha256.js';

export const ZERO_HASH = '0'.repeat(64);

/** The zero hash as a binary string (see sha256.ts). */
export const ZERO_BINARY: BinaryHash = '\0'.repeat(32);

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

/** The event hash from its parts: the previous hash (binary), the stored body's UTF-8 bytes. */
export const eventHashOfBytes = (
  previous: BinaryHash,
  streamName: string,
  revision: bigint,
  recordedMs: number,
  body: Buffer,
): BinaryHash => sha256HeadTextTail(previous, `${streamName}:${revision}:${recordedMs}:`, body);

/** hex SHA-256 of one event, chained on the previous event's hash (hex). */
export function eventHash(
  previousHash: string,
  streamName: string,
  revision: bigint,
  recordedAt: Date,
  canonical: string,
): string {
  const body = Buffer.from(canonical, 'utf8');
  const at = recordedAt.getTime();
  return hexOfBinary(eventHashOfBytes(binaryOfHex(previousHash), streamName, revision, at, body));
}

/** One step of the running digest seals cover, on binary hashes. */
export const digestStepBinary: (digest: BinaryHash, eventHash: BinaryHash) => BinaryHash =
  sha256Pair;

/** One step of the running digest seals cover. */
export function digestStep(digest: string, eventHashHex: string): string {
  return hexOfBinary(sha256Pair(binaryOfHex(digest), binaryOfHex(eventHashHex)));
}

export function sealHash(
  previousHash: string,
  sealNumber: bigint,
  lastTransactionId: bigint,
  lastSequence: bigint,
  eventCount: bigint,
  digest: string,
): string {
  const text = `${sealNumber}:${lastTransactionId}:${lastSequence}:${eventCount}:`;
  return hexOfBinary(
    sha256HeadTextTail(binaryOfHex(previousHash), text, Buffer.from(digest, 'hex')),
  );
}
