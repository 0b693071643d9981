/**
 * Checks the signed tree heads against the log as a verify run reads it: it grows the tree by
 * each event and, when the log reaches a head's size, checks that head: numbered after the
 * previous one, signed by the log's key under its origin, its stored size and root the ones it
 * signed, later than the previous head and no smaller, and its root the root of the events the
 * log holds now. A head past the log's end means events were removed from the tail.
 */
import type { KeyObject } from 'node:crypto';
import type { IntegrityViolation } from '@newsroom/event-store';
import { leafHash, parseCheckpoint, TreeFrontier, verifyNote } from '@newsroom/event-store';
import type { TreeHeadRow } from '../tree/sql/heads.js';

export interface HeadChecker {
  readonly onEvent: (hash: string, count: number) => IntegrityViolation | undefined;
  readonly atEnd: (count: number) => IntegrityViolation | undefined;
  /** Heads checked so far. */
  readonly checked: () => number;
}

const TIME = /^time (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)$/;

export const treeHeadChecker = (
  heads: readonly TreeHeadRow[],
  origin: string,
  publicKey: KeyObject,
): HeadChecker => {
  const frontier = new TreeFrontier();
  let next = 0;
  let previous: { size: number; time: string } | undefined;

  const fail = (
    head: TreeHeadRow,
    reason: string,
    expected = '',
    found = '',
  ): IntegrityViolation => ({
    kind: 'tree-head',
    number: head.number,
    expected,
    found,
    reason,
  });

  /** The head's own checks; the root is compared by the caller once the log is at its size. */
  const signed = (head: TreeHeadRow, index: number) => {
    if (head.number !== index + 1) {
      return fail(
        head,
        'tree heads are not numbered one after another: a head was removed or added',
        String(index + 1),
        String(head.number),
      );
    }
    const note = verifyNote(head.note, origin, publicKey);
    if (!note.ok) return fail(head, `not signed by the log's key: ${note.reason}`);
    const checkpoint = parseCheckpoint(note.text);
    if (checkpoint === undefined) return fail(head, 'the signed text is not a checkpoint');
    if (checkpoint.origin !== origin)
      return fail(head, 'the checkpoint names another log', origin, checkpoint.origin);
    if (checkpoint.size !== head.treeSize) {
      return fail(
        head,
        'the stored size differs from the signed one',
        String(checkpoint.size),
        String(head.treeSize),
      );
    }
    const root = checkpoint.root.toString('hex');
    if (root !== head.rootHash)
      return fail(head, 'the stored root differs from the signed one', root, head.rootHash);
    const time = checkpoint.extensions.map((e) => TIME.exec(e)?.[1]).find((t) => t !== undefined);
    if (time === undefined) return fail(head, 'the checkpoint has no time');
    if (previous !== undefined && !(time > previous.time)) {
      return fail(head, 'its time is not after the previous head', `after ${previous.time}`, time);
    }
    if (previous !== undefined && checkpoint.size < previous.size) {
      return fail(
        head,
        'its tree is smaller than the previous head: it does not extend it',
        `at least ${previous.size}`,
        String(checkpoint.size),
      );
    }
    previous = { size: checkpoint.size, time };
    return undefined;
  };

  /** Checks every head of at most `count` leaves (the log has been read that far). */
  const reach = (count: number): IntegrityViolation | undefined => {
    for (let head = heads[next]; head !== undefined && head.treeSize <= count; head = heads[next]) {
      const bad = signed(head, next);
      if (bad) return bad;
      if (head.treeSize < count) {
        return fail(head, 'its tree is smaller than the previous head: it does not extend it');
      }
      const root = frontier.root().toString('hex');
      if (root !== head.rootHash) {
        return fail(
          head,
          `its root is not the root of the log's first ${count} events: the history it signed was changed`,
          root,
          head.rootHash,
        );
      }
      next++;
    }
    return undefined;
  };

  return {
    onEvent: (hash, count) => {
      const before = reach(count - 1);
      if (before) return before;
      frontier.push(leafHash(Buffer.from(hash, 'hex')));
      return reach(count);
    },
    atEnd: (count) => {
      const bad = reach(count);
      if (bad) return bad;
      const head = heads[next];
      if (head === undefined) return undefined;
      return (
        signed(head, next) ??
        fail(
          head,
          `it covers ${head.treeSize} events but the log holds ${count}: events were removed`,
          String(head.treeSize),
          String(count),
        )
      );
    },
    checked: () => next,
  };
};
