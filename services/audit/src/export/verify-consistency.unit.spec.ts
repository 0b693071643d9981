/**
 * A later tree head against a kept one, given signed notes (no server): the same head is
 * consistent with itself; a head with no time, one older than the kept one, or a different
 * head at the same time is refused; the empty tree's head is extended by any later head.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkpointText,
  consistencyPath,
  leafHash,
  rangeOfLeaves,
  rootOf,
  signNote,
} from '@newsroom/event-store';
import { trivialProof, verifyHeadConsistency } from './verify-consistency.js';

const origin = 'newsroom.test/consistency';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const key = { name: origin, publicKey };
const leaves = Array.from({ length: 7 }, (_, i) => leafHash(Buffer.from(`event ${i}`)));
const rootAt = (size: number) => rootOf(leaves.slice(0, size));
const head = (size: number, time?: string, root = rootAt(size)) =>
  signNote(
    checkpointText({ origin, size, root, extensions: time === undefined ? [] : [`time ${time}`] }),
    origin,
    privateKey,
  );
const proof = (from: number, to: number) => ({
  from,
  to,
  proof: consistencyPath(from, to, rangeOfLeaves(leaves)).map((p) => p.toString('hex')),
});
const [t1, t2] = ['2026-04-08T14:00:00.000Z', '2026-04-08T14:01:00.000Z'];

describe('verifyHeadConsistency', () => {
  it('accepts a later head that extends the kept one, and a head against itself', () => {
    expect(verifyHeadConsistency(head(3, t1), head(7, t2), proof(3, 7), key)).toMatchObject({
      ok: true,
      from: { size: 3, time: t1 },
      to: { size: 7, time: t2 },
    });
    const same = head(3, t1);
    expect(verifyHeadConsistency(same, same, trivialProof(3, 3)!, key).ok).toBe(true);
  });

  it('lets any later head extend the empty tree, with no proof to fetch', () => {
    expect(trivialProof(0, 7)).toEqual({ from: 0, to: 7, proof: [] });
    expect(trivialProof(2, 7)).toBeUndefined();
    expect(verifyHeadConsistency(head(0, t1), head(7, t2), trivialProof(0, 7)!, key).ok).toBe(true);
  });

  it('refuses a head without a time, an older later head, and two heads at one time', () => {
    const check = (kept: string, later: string, from: number, to: number) =>
      verifyHeadConsistency(kept, later, proof(from, to), key).reason;
    expect(check(head(3), head(7, t2), 3, 7)).toBe('a tree head has no time');
    expect(check(head(3, t2), head(7, t1), 3, 7)).toBe(
      'the later tree head is older than the kept one',
    );
    expect(check(head(3, t1), head(7, t1), 3, 7)).toBe(
      'two different tree heads with the same time: the log forked',
    );
  });

  it('refuses a proof that does not take the kept root to the later one', () => {
    const forked = head(7, t2, leafHash(Buffer.from('another history')));
    expect(verifyHeadConsistency(head(3, t1), forked, proof(3, 7), key).reason).toMatch(
      /the log was rewritten/,
    );
  });
});
