import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inclusionProof, leafHash, nodeHash, rootOf, verifyInclusion } from './merkle.js';
import { sha256HeadTextTail, sha256Pair, sha256Tagged } from './sha256.js';

const reference = (...parts: Buffer[]) =>
  createHash('sha256').update(Buffer.concat(parts)).digest().toString('latin1');
const bin = (b: Buffer) => b.toString('latin1');

describe('the binary-string SHA-256 helpers', () => {
  it('hash exactly the parts given, 32 bytes or any other length', () => {
    for (const [la, lb] of [
      [32, 32],
      [31, 32],
      [32, 33],
      [0, 64],
    ] as const) {
      const [a, b] = [randomBytes(la), randomBytes(lb)];
      expect(sha256Pair(bin(a), bin(b)), `${la} ${lb}`).toBe(reference(a, b));
      expect(sha256Tagged(1, bin(a), bin(b)), `${la} ${lb}`).toBe(reference(Buffer.of(1), a, b));
      expect(sha256Tagged(0, bin(a)), `${la}`).toBe(reference(Buffer.of(0), a));
      const tail = randomBytes(700);
      expect(sha256HeadTextTail(bin(a), 'bài-1:2:3:', tail)).toBe(
        reference(a, Buffer.from('bài-1:2:3:', 'utf8'), tail),
      );
    }
    // After a long input, a short one does not hash what the scratch buffer still holds.
    sha256HeadTextTail(bin(randomBytes(32)), 'x', randomBytes(10_000));
    const short = randomBytes(32);
    expect(sha256HeadTextTail(bin(short), '', Buffer.alloc(0))).toBe(reference(short));
  });

  it('leave no proof with a byte added to each element verifying', () => {
    const leaves = Array.from({ length: 7 }, () => leafHash(randomBytes(32)));
    const root = rootOf(leaves);
    const proof = inclusionProof(3, leaves);
    expect(verifyInclusion(3, 7, leaves[3]!, proof, root)).toBe(true);
    const padded = proof.map((p) => Buffer.concat([p, Buffer.of(0)]));
    expect(verifyInclusion(3, 7, leaves[3]!, padded, root)).toBe(false);
    expect(
      nodeHash(Buffer.alloc(33), Buffer.alloc(32)).equals(
        nodeHash(Buffer.alloc(32), Buffer.alloc(32)),
      ),
    ).toBe(false);
  });
});
