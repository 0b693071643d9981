/**
 * Verifies one article from the record: its stream's chain recomputed event by event (each
 * revision in turn, each hash over the previous one, the stream, revision, recorded time and
 * the canonical content), then each event proved, by an inclusion proof from the stored tree,
 * to be in the tree the latest signed head signed (its signature checked with the log's key).
 * Names the first bad event and why (an event the head covers without a leaf for it, or one
 * whose proof cannot be made, included); events after the latest head are counted as unsealed.
 */
import type { KeyObject } from 'node:crypto';
import { articleStreamName } from '@newsroom/contracts';
import type { Position, PostgresEventStore, SqlQueryable } from '@newsroom/event-store';
import {
  canonicalEvent,
  comparePositions,
  eventHash,
  leafHash,
  parseCheckpoint,
  verifyInclusion,
  verifyNote,
  quoteIdent,
  ZERO_HASH,
} from '@newsroom/event-store';
import { TreeDamaged } from '../tree/damaged.js';
import { storedInclusion } from '../tree/proofs.js';
import { latestHead } from '../tree/sql/heads.js';
import { eventAtLeaf, leafIndexOf } from '../tree/sql/nodes.js';

export interface ArticleViolation {
  readonly eventId: string;
  readonly revision: string;
  readonly reason: string;
  readonly expected?: string;
  readonly found?: string;
}

export interface ArticleVerification {
  readonly articleId: string;
  readonly ok: boolean;
  readonly events: number;
  readonly treeHead: {
    readonly number: number;
    readonly treeSize: number;
    readonly time: string;
  } | null;
  /** Events proved to be in the signed tree. */
  readonly included: number;
  /** Events the latest head does not cover yet. */
  readonly unsealed: number;
  readonly violation?: ArticleViolation | { readonly treeHead: number; readonly reason: string };
}

/** Where the log stood at the head's last leaf: every event up to there must have a leaf. */
const coveredThrough = async (
  db: SqlQueryable,
  schema: string,
  storeSchema: string,
  treeSize: number,
): Promise<Position | undefined> => {
  const eventId = await eventAtLeaf(db, schema, treeSize - 1);
  if (eventId === undefined) return undefined;
  const { rows } = await db.query<{ xid: string; seq: string }>(
    `SELECT transaction_id::text AS xid, position::text AS seq FROM ${storeSchema}.events
      WHERE event_id = $1`,
    [eventId],
  );
  return rows[0] === undefined
    ? undefined
    : { transactionId: BigInt(rows[0].xid), sequence: BigInt(rows[0].seq) };
};

export const verifyArticle = async (
  store: Pick<PostgresEventStore, 'readStream' | 'schema'>,
  db: SqlQueryable,
  schema: string,
  articleId: string,
  log: { readonly origin: string; readonly publicKey: KeyObject },
): Promise<ArticleVerification | undefined> => {
  const streamName = articleStreamName(articleId);
  const events = await store.readStream(streamName);
  if (events.length === 0) return undefined;
  const result = (
    rest: Omit<ArticleVerification, 'articleId' | 'events' | 'ok'>,
  ): ArticleVerification => ({
    articleId,
    events: events.length,
    ok: rest.violation === undefined,
    ...rest,
  });
  let previous = ZERO_HASH;
  for (const [i, e] of events.entries()) {
    const bad = (reason: string, expected: string, found: string) =>
      result({
        treeHead: null,
        included: 0,
        unsealed: 0,
        violation: { eventId: e.id, revision: e.revision.toString(), reason, expected, found },
      });
    if (e.revision !== BigInt(i))
      return bad(
        'revision out of turn: an event is missing or moved',
        String(i),
        e.revision.toString(),
      );
    if (e.previousHash !== previous)
      return bad('previous hash does not match the stream chain', previous, e.previousHash);
    let body: string;
    try {
      body = canonicalEvent(e);
    } catch (error) {
      const why = error instanceof RangeError ? 'nested too deeply' : String(error);
      return bad(`the event cannot be hashed: ${why}`, e.hash, '');
    }
    const recomputed = eventHash(previous, streamName, e.revision, e.recordedAt, body);
    if (recomputed !== e.hash)
      return bad('hash does not match the content: the event was altered', recomputed, e.hash);
    previous = e.hash;
  }

  const head = await latestHead(db, schema);
  if (head === undefined) return result({ treeHead: null, included: 0, unsealed: events.length });
  const treeHead = { number: head.number, treeSize: head.treeSize, time: head.time };
  const note = verifyNote(head.note, log.origin, log.publicKey);
  const checkpoint = note.ok ? parseCheckpoint(note.text) : undefined;
  const headViolation = (reason: string) =>
    result({ treeHead, included: 0, unsealed: 0, violation: { treeHead: head.number, reason } });
  if (checkpoint === undefined || checkpoint.size !== head.treeSize) {
    return headViolation(
      note.ok
        ? 'the signed checkpoint differs from the stored head'
        : `not signed by the log's key: ${note.reason}`,
    );
  }
  // The tree grows in log order: every event up to the head's last leaf has a leaf of its own.
  const covered =
    head.treeSize === 0
      ? undefined
      : await coveredThrough(db, schema, quoteIdent(store.schema), head.treeSize);
  if (head.treeSize > 0 && covered === undefined) {
    return headViolation(
      `the stored tree has no event at leaf ${head.treeSize - 1}, the head's last`,
    );
  }
  let included = 0;
  for (const e of events) {
    const eventViolation = (reason: string) =>
      result({
        treeHead,
        included,
        unsealed: 0,
        violation: { eventId: e.id, revision: e.revision.toString(), reason },
      });
    const index = await leafIndexOf(db, schema, e.id);
    if (index === undefined) {
      if (covered === undefined || comparePositions(e.position, covered) > 0) continue;
      return eventViolation(
        `the tree head ${head.number} covers the log past this event but the tree holds no leaf for it: its leaf was removed`,
      );
    }
    if (index >= head.treeSize) continue;
    let proved: { proof: Buffer[] };
    try {
      proved = await storedInclusion(db, schema, index, head.treeSize);
    } catch (error) {
      if (!(error instanceof TreeDamaged)) throw error;
      return eventViolation(`no proof for leaf ${index}: ${error.message}`);
    }
    const leaf = leafHash(Buffer.from(e.hash, 'hex'));
    if (!verifyInclusion(index, head.treeSize, leaf, proved.proof, checkpoint.root)) {
      return eventViolation(
        `not proved to be leaf ${index} of the tree head ${head.number} signed`,
      );
    }
    included++;
  }
  return result({ treeHead, included, unsealed: events.length - included });
};
