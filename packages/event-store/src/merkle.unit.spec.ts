/**
 * The Merkle tree against the RFC 6962 reference vectors (the certificate-transparency test
 * data: eight leaves, the root of every prefix, inclusion and consistency proofs), and every
 * proof of random trees checked both ways: it verifies, and a changed leaf, root, size or
 * proof, an extra element or a missing one, does not.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  consistencyPath,
  consistencyProof,
  EMPTY_ROOT,
  foldNodes,
  inclusionPath,
  inclusionProof,
  leafHash,
  nodesCovering,
  rangeOfLeaves,
  rootOf,
  TreeFrontier,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => Buffer.from(s, 'hex');

const DATA = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
];
const LEAVES = DATA.map((d) => leafHash(unhex(d)));
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
// [leaf index (0-based), tree size, proof]
const INCLUSION: [number, number, string[]][] = [
  [
    0,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    5,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    1,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];
const CONSISTENCY: [number, number, string[]][] = [
  [1, 1, []],
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [
    2,
    5,
    [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];

describe('the Merkle tree (RFC 6962 / 9162)', () => {
  it('gives the reference root of every prefix', () => {
    expect(hex(EMPTY_ROOT)).toBe(ROOTS[0]);
    for (let n = 0; n <= 8; n++)
      expect(hex(rootOf(LEAVES.slice(0, n))), `size ${n}`).toBe(ROOTS[n]);
  });

  it('makes and checks the reference inclusion proofs', () => {
    for (const [index, size, proof] of INCLUSION) {
      const made = inclusionProof(index, LEAVES.slice(0, size));
      expect(made.map(hex), `leaf ${index} of ${size}`).toEqual(proof);
      expect(verifyInclusion(index, size, LEAVES[index]!, made, unhex(ROOTS[size]!))).toBe(true);
      expect(verifyInclusion(index, size, LEAVES[index]!, made, unhex(ROOTS[size - 1]!))).toBe(
        false,
      );
    }
  });

  it('refuses a proof whose length does not fit the size it is checked for', () => {
    const three = inclusionProof(0, LEAVES.slice(0, 3));
    const root3 = unhex(ROOTS[3]!);
    expect(verifyInclusion(0, 3, LEAVES[0]!, three, root3)).toBe(true);
    expect(verifyInclusion(0, 2, LEAVES[0]!, three, root3)).toBe(false); // too long for 2
    expect(verifyInclusion(0, 5, LEAVES[0]!, three, root3)).toBe(false); // not all of 5's path
    const six = consistencyProof(6, LEAVES);
    expect(verifyConsistency(6, 8, six, unhex(ROOTS[6]!), unhex(ROOTS[8]!))).toBe(true);
    expect(verifyConsistency(6, 16, six, unhex(ROOTS[6]!), unhex(ROOTS[8]!))).toBe(false);
  });

  it('makes and checks the reference consistency proofs', () => {
    for (const [first, second, proof] of CONSISTENCY) {
      const made = consistencyProof(first, LEAVES.slice(0, second));
      expect(made.map(hex), `${first} -> ${second}`).toEqual(proof);
      expect(
        verifyConsistency(first, second, made, unhex(ROOTS[first]!), unhex(ROOTS[second]!)),
      ).toBe(true);
    }
  });

  const tree = fc
    .array(fc.uint8Array({ maxLength: 8 }), { minLength: 1, maxLength: 40 })
    .map((data) => data.map((d) => leafHash(d)));

  it('every inclusion proof verifies, and nothing changed does', () => {
    fc.assert(
      fc.property(tree, fc.nat(), (leaves, pick) => {
        const n = leaves.length;
        const i = pick % n;
        const root = rootOf(leaves);
        const proof = inclusionProof(i, leaves);
        expect(verifyInclusion(i, n, leaves[i]!, proof, root)).toBe(true);
        const flipped = Buffer.from(leaves[i]!);
        flipped[0] = flipped[0]! ^ 1;
        expect(verifyInclusion(i, n, flipped, proof, root)).toBe(false);
        expect(verifyInclusion(i, n, leaves[i]!, [...proof, root], root)).toBe(false); // too long
        if (proof.length > 0)
          expect(verifyInclusion(i, n, leaves[i]!, proof.slice(1), root)).toBe(false);
        expect(verifyInclusion(n, n, leaves[i]!, proof, root)).toBe(false);
      }),
      { numRuns: 300, seed: 6962 },
    );
  });

  it('every consistency proof verifies, and a rewritten past does not', () => {
    fc.assert(
      fc.property(tree, fc.nat(), (leaves, pick) => {
        const n = leaves.length;
        const m = 1 + (pick % n);
        const proof = consistencyProof(m, leaves);
        const [old, now] = [rootOf(leaves.slice(0, m)), rootOf(leaves)];
        expect(verifyConsistency(m, n, proof, old, now)).toBe(true);
        // The first m leaves rewritten: the old root no longer reconciles with the new tree.
        const rewritten = leaves.map((l, i) => (i === 0 ? leafHash(Buffer.from('forged')) : l));
        const forged = rootOf(rewritten);
        expect(verifyConsistency(m, n, consistencyProof(m, rewritten), old, forged)).toBe(false);
        if (m < n) {
          expect(verifyConsistency(m, n, [...proof, now], old, now)).toBe(false); // too long
          expect(verifyConsistency(m, n, proof.slice(0, -1), old, now)).toBe(false); // too short
        }
      }),
      { numRuns: 300, seed: 9162 },
    );
  });

  it('a stored tree (complete nodes only) answers every proof as the leaves do', () => {
    fc.assert(
      fc.property(tree, fc.nat(), (leaves, pick) => {
        const n = leaves.length;
        // The nodes a frontier makes as it grows are all the complete subtrees there are.
        const frontier = new TreeFrontier();
        const stored = new Map<string, Buffer>();
        leaves.forEach((leaf, i) => {
          stored.set(`0:${i}`, Buffer.from(leaf));
          for (const made of frontier.push(leaf)) {
            expect(hex(made.hash)).toBe(
              hex(
                rangeOfLeaves(leaves)(
                  made.index * 2 ** made.level,
                  (made.index + 1) * 2 ** made.level,
                ),
              ),
            );
            stored.set(`${made.level}:${made.index}`, made.hash);
          }
          expect(hex(frontier.root()), `root at ${i + 1}`).toBe(
            hex(rootOf(leaves.slice(0, i + 1))),
          );
        });
        const fromNodes = (start: number, end: number) =>
          foldNodes(nodesCovering(start, end).map((k) => stored.get(`${k.level}:${k.index}`)!));
        const i = pick % n;
        const m = 1 + (pick % n);
        expect(inclusionPath(i, n, fromNodes).map(hex)).toEqual(inclusionProof(i, leaves).map(hex));
        expect(consistencyPath(m, n, fromNodes).map(hex)).toEqual(
          consistencyProof(m, leaves).map(hex),
        );
        // A frontier resumed from its edge goes on as the one that never stopped.
        const resumed = new TreeFrontier(frontier.size, frontier.edge());
        const more = leafHash(Buffer.from('next'));
        resumed.push(more);
        expect(hex(resumed.root())).toBe(hex(rootOf([...leaves, more])));
      }),
      { numRuns: 300, seed: 1962 },
    );
  });

  it('refuses to resume from an edge of the wrong length', () => {
    expect(() => new TreeFrontier(3, [EMPTY_ROOT])).toThrow(/has 2 edge nodes/);
  });
});
