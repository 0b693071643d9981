/**
 * Verifies one article from the record: its stream's chain recomputed event by event (each
 * revision in turn, each hash over the previous one, the stream, revision, recorded time and
 * the canonical content), then each event proved, by an inclusion proof from the stored tree,
 * to be in the tree the latest signed head signed (its signature checked with the log's key).
 * Names the first bad event and why (an event the tree has grown past without a leaf for it
 * included); events after the latest head are counted as unsealed.
 */
import type { KeyObject } from 'node:crypto';
import { articleStreamName } from '@newsroom/contracts';
import type { EventStore, SqlQueryable } from '@newsroom/event-store';
import {
  canonicalEvent,
  comparePositions,
  eventHash,
  leafHash,
  parseCheckpoint,
  verifyInclusion,
  verifyNote,
  ZERO_HASH,
} from '@newsroom/event-store';
import { storedInclusion } from '../tree/proofs.js';
import { latestHead } from '../tree/sql/heads.js';
import { leafIndexOf } from '../tree/sql/nodes.js';
import { readTree } from '../tree/sql/tree.js';

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

export const verifyArticle = async (
  store: Pick<EventStore, 'readStream'>,
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
    const recomputed = eventHash(previous, streamName, e.revision, e.recordedAt, canonicalEvent(e));
    if (recomputed !== e.hash)
      return bad('hash does not match the content: the event was altered', recomputed, e.hash);
    previous = e.hash;
  }

  const head = await latestHead(db, schema);
  if (head === undefined) return result({ treeHead: null, included: 0, unsealed: events.length });
  const treeHead = { number: head.number, treeSize: head.treeSize, time: head.time };
  const note = verifyNote(head.note, log.origin, log.publicKey);
  const checkpoint = note.ok ? parseCheckpoint(note.text) : undefined;
  if (checkpoint === undefined || checkpoint.size !== head.treeSize) {
    return result({
      treeHead,
      included: 0,
      unsealed: 0,
      violation: {
        treeHead: head.number,
        reason: note.ok
          ? 'the signed checkpoint differs from the stored head'
          : `not signed by the log's key: ${note.reason}`,
      },
    });
  }
  // The tree grows in log order: every event up to its last position has a leaf.
  const tree = await readTree(db, schema);
  let included = 0;
  for (const e of events) {
    const index = await leafIndexOf(db, schema, e.id);
    if (index === undefined) {
      if (tree.last === undefined || comparePositions(e.position, tree.last) > 0) continue;
      return result({
        treeHead,
        included,
        unsealed: 0,
        violation: {
          eventId: e.id,
          revision: e.revision.toString(),
          reason: `the tree has grown past this event but holds no leaf for it: its leaf was removed`,
        },
      });
    }
    if (index >= head.treeSize) continue;
    const { proof } = await storedInclusion(db, schema, index, head.treeSize);
    const leaf = leafHash(Buffer.from(e.hash, 'hex'));
    if (!verifyInclusion(index, head.treeSize, leaf, proof, checkpoint.root)) {
      return result({
        treeHead,
        included,
        unsealed: 0,
        violation: {
          eventId: e.id,
          revision: e.revision.toString(),
          reason: `not proved to be leaf ${index} of the tree head ${head.number} signed`,
        },
      });
    }
    included++;
  }
  return result({ treeHead, included, unsealed: events.length - included });
};
