/**
 * Checks signed tree heads in order: each numbered after the previous one, signed by the log's
 * key under its origin, its stored size, root, time and key id the ones it signed, later than the previous
 * head and no smaller, and its root the root of the log's events at its size, as a verifier
 * recomputed them. Used by the store's verify (fed the events as it reads them) and by the
 * offline verification of an export (fed the lines).
 */
import type { KeyObject } from 'node:crypto';
import type { BinaryHash, IntegrityViolation } from '@newsroom/event-store';
import { headWindow } from '../tree/head-window.js';
import type { HeadPages } from '../tree/head-window.js';
import { keyId, leafOf, parseCheckpoint, TreeFrontier, verifyNote } from '@newsroom/event-store';

/** What a head is checked from: its stored columns and its signed note. */
export interface CheckedHead {
  readonly number: number;
  readonly treeSize: number;
  readonly rootHash: string;
  /** Checked against the signed time when given (ISO 8601, milliseconds, UTC). */
  readonly time?: string;
  /** Checked against the log key's id when given (hex). */
  readonly keyId?: string;
  readonly note: string;
}

const TIME = /^time (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)$/;

const fail = (
  head: CheckedHead,
  reason: string,
  expected = '',
  found = '',
): IntegrityViolation => ({ kind: 'tree-head', number: head.number, expected, found, reason });

export interface HeadSequence {
  /** The head's own checks and its order after the previous one (not its root). */
  readonly signed: (head: CheckedHead) => IntegrityViolation | undefined;
  /** `signed`, then the root against `root` (hex), the log's root at the head's size. */
  readonly check: (head: CheckedHead, root: string, size: number) => IntegrityViolation | undefined;
}

export const headSequence = (
  origin: string,
  publicKey: KeyObject,
  after?: { readonly number: number; readonly size: number; readonly time: string },
): HeadSequence => {
  let previous = after;
  const ownKeyId = keyId(origin, publicKey).toString('hex');
  const signed = (head: CheckedHead) => {
    const number = (previous?.number ?? 0) + 1;
    if (head.number !== number) {
      return fail(
        head,
        'tree heads are not numbered one after another: a head was removed or added',
        String(number),
        String(head.number),
      );
    }
    const note = verifyNote(head.note, origin, publicKey);
    if (!note.ok) return fail(head, `not signed by the log's key: ${note.reason}`);
    const checkpoint = parseCheckpoint(note.text);
    if (checkpoint === undefined) return fail(head, 'the signed text is not a checkpoint');
    if (checkpoint.origin !== origin) {
      return fail(head, 'the checkpoint names another log', origin, checkpoint.origin);
    }
    if (checkpoint.size !== head.treeSize) {
      const [signedSize, stored] = [String(checkpoint.size), String(head.treeSize)];
      return fail(head, 'the stored size differs from the signed one', signedSize, stored);
    }
    const root = checkpoint.root.toString('hex');
    if (root !== head.rootHash) {
      return fail(head, 'the stored root differs from the signed one', root, head.rootHash);
    }
    const time = checkpoint.extensions.map((e) => TIME.exec(e)?.[1]).find((x) => x !== undefined);
    if (time === undefined) return fail(head, 'the checkpoint has no time');
    if (head.time !== undefined && head.time !== time) {
      return fail(head, 'the stored time differs from the signed one', time, head.time);
    }
    if (head.keyId !== undefined && head.keyId !== ownKeyId) {
      return fail(head, "the stored key id is not the log key's", ownKeyId, head.keyId);
    }
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
    previous = { number: head.number, size: checkpoint.size, time };
    return undefined;
  };
  return {
    signed,
    check: (head, root, size) => {
      const bad = signed(head);
      if (bad) return bad;
      if (root !== head.rootHash) {
        return fail(
          head,
          `its root is not the root of the log's first ${size} events: the history it signed was changed`,
          root,
          head.rootHash,
        );
      }
      return undefined;
    },
  };
};

export interface HeadChecker {
  /** Before a page of the log: makes sure every head of at most `upTo` leaves is at hand. */
  readonly beforePage: (upTo: number) => Promise<void>;
  /** Fed each event's hash as a binary string (see the event store's sha256.ts). */
  readonly onEvent: (hash: BinaryHash, count: number) => IntegrityViolation | undefined;
  readonly atEnd: (count: number) => IntegrityViolation | undefined;
  /** Heads checked so far. */
  readonly checked: () => number;
}

/**
 * The store's heads checked as a verify run reads the log from its start. They are read a page
 * at a time, as far as the log has been read (and one past it), so memory holds the heads of
 * one page of events, not every head ever signed.
 */
export const treeHeadChecker = (
  pages: HeadPages<CheckedHead>,
  origin: string,
  publicKey: KeyObject,
  pageSize = 1_000,
): HeadChecker => {
  const frontier = new TreeFrontier();
  const sequence = headSequence(origin, publicKey);
  const heads = headWindow(pages, 0, pageSize);
  let checked = 0;
  /** Checks every head of at most `count` leaves (the log has been read that far). */
  const reach = (count: number): IntegrityViolation | undefined => {
    for (let head = heads.first(); head !== undefined && head.treeSize <= count;) {
      const bad = sequence.check(head, frontier.root().toString('hex'), count);
      if (bad) return bad;
      heads.take();
      checked++;
      head = heads.first();
    }
    return undefined;
  };
  return {
    beforePage: (upTo) => heads.fillPast(upTo),
    onEvent: (hash, count) => {
      const before = reach(count - 1);
      if (before) return before;
      frontier.pushBinary(leafOf(hash));
      return reach(count);
    },
    atEnd: (count) => {
      const bad = reach(count);
      if (bad) return bad;
      const head = heads.first();
      if (head === undefined) return undefined;
      return (
        sequence.signed(head) ??
        fail(
          head,
          `it covers ${head.treeSize} events but the log holds ${count}: events were removed`,
          String(head.treeSize),
          String(count),
        )
      );
    },
    checked: () => checked,
  };
};
