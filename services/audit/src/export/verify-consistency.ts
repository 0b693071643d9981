/**
 * Checks that a later tree head extends one kept outside: both signed notes verify with the
 * log's key, each with its time, the later one no smaller and later in time (or the same head),
 * and the consistency proof between
 * their sizes (from `/v1/audit/proofs/consistency`) takes the kept root to the later one. A
 * proof too long, too short or not wholly used fails: the history was rewritten in between.
 */
import type { KeyObject } from 'node:crypto';
import * as t from 'io-ts';
import { Sha256Hex, strict } from '@newsroom/contracts';
import { parseCheckpoint, verifyConsistency, verifyNote } from '@newsroom/event-store';
import type { Checkpoint } from '@newsroom/event-store';

const Size = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'TreeSize');

/** A consistency proof as `/v1/audit/proofs/consistency` answers it (or a file holding one). */
export const ConsistencyProof = strict(
  { from: Size, to: Size, proof: t.array(Sha256Hex) },
  { fromRoot: Sha256Hex, toRoot: Sha256Hex },
  'ConsistencyProof',
);
export type ConsistencyProof = t.TypeOf<typeof ConsistencyProof>;

/**
 * The proof between two sizes that needs no server: from the empty tree, or a size to itself;
 * and none at all for a later head smaller than the kept one (the check refuses it by size).
 */
export const trivialProof = (from: number, to: number): ConsistencyProof | undefined =>
  from === 0 || from >= to ? { from, to, proof: [] } : undefined;

export interface ConsistencyCheck {
  readonly ok: boolean;
  readonly reason?: string;
  readonly from?: { readonly size: number; readonly time: string | undefined };
  readonly to?: { readonly size: number; readonly time: string | undefined };
}

const timeOf = (c: Checkpoint) =>
  c.extensions.map((e) => /^time (\S+)$/.exec(e)?.[1]).find((t) => t !== undefined);

export const verifyHeadConsistency = (
  kept: string,
  later: string,
  proof: ConsistencyProof,
  key: { readonly name: string; readonly publicKey: KeyObject },
): ConsistencyCheck => {
  const open = (note: string, which: string): Checkpoint | string => {
    const checked = verifyNote(note, key.name, key.publicKey);
    if (!checked.ok) return `the ${which} tree head: ${checked.reason}`;
    return parseCheckpoint(checked.text) ?? `the ${which} tree head is not a checkpoint`;
  };
  const a = open(kept, 'kept');
  if (typeof a === 'string') return { ok: false, reason: a };
  const b = open(later, 'later');
  if (typeof b === 'string') return { ok: false, reason: b };
  const from = { size: a.size, time: timeOf(a) };
  const to = { size: b.size, time: timeOf(b) };
  const fail = (reason: string): ConsistencyCheck => ({ ok: false, reason, from, to });
  if (a.origin !== key.name || b.origin !== key.name) return fail('a tree head of another log');
  if (b.size < a.size) return fail('the later tree head is smaller than the kept one');
  if (from.time === undefined || to.time === undefined) return fail('a tree head has no time');
  if (to.time < from.time) return fail('the later tree head is older than the kept one');
  if (to.time === from.time && (a.size !== b.size || !a.root.equals(b.root))) {
    return fail('two different tree heads with the same time: the log forked');
  }
  if (proof.from !== a.size || proof.to !== b.size) {
    return fail(
      `the proof is between ${proof.from} and ${proof.to}, the heads ${a.size} and ${b.size}`,
    );
  }
  const steps = proof.proof.map((p) => Buffer.from(p, 'hex'));
  if (!verifyConsistency(a.size, b.size, steps, a.root, b.root)) {
    return fail('the proof does not take the kept root to the later one: the log was rewritten');
  }
  return { ok: true, from, to };
};
