/**
 * The Merkle tree over the global log, in RFC 6962 / RFC 9162 form: a leaf is
 * `SHA-256(0x00 || data)` (for the log, `data` is an event's hash), a node
 * `SHA-256(0x01 || left || right)`, the tree over n leaves splits at the largest power of two
 * below n; the empty tree's root is SHA-256 of nothing. Inclusion and consistency proofs are
 * made and checked as RFC 9162 §2.1 says; a checker refuses a proof that is too long, too short
 * or not wholly used. Pure: buffers in, buffers out.
 */
import { createHash } from 'node:crypto';

const sha256 = (...parts: readonly Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);

export const leafHash = (data: Uint8Array): Buffer => sha256(LEAF, data);
export const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer => sha256(NODE, left, right);
export const EMPTY_ROOT: Buffer = sha256();

/** The largest power of two strictly below n (n > 1). */
const split = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/** MTH over leaf hashes. */
export const rootOf = (leaves: readonly Uint8Array[]): Buffer => {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return Buffer.from(leaves[0]!);
  const k = split(leaves.length);
  return nodeHash(rootOf(leaves.slice(0, k)), rootOf(leaves.slice(k)));
};

/** The audit path of leaf `index` in the tree over `leaves` (RFC 6962 PATH). */
export const inclusionProof = (index: number, leaves: readonly Uint8Array[]): Buffer[] => {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) {
    throw new RangeError(`no leaf ${index} in a tree of ${leaves.length}`);
  }
  if (leaves.length === 1) return [];
  const k = split(leaves.length);
  return index < k
    ? [...inclusionProof(index, leaves.slice(0, k)), rootOf(leaves.slice(k))]
    : [...inclusionProof(index - k, leaves.slice(k)), rootOf(leaves.slice(0, k))];
};

const subproof = (m: number, leaves: readonly Uint8Array[], whole: boolean): Buffer[] => {
  const n = leaves.length;
  if (m === n) return whole ? [] : [rootOf(leaves)];
  const k = split(n);
  return m <= k
    ? [...subproof(m, leaves.slice(0, k), whole), rootOf(leaves.slice(k))]
    : [...subproof(m - k, leaves.slice(k), false), rootOf(leaves.slice(0, k))];
};

/** That the tree over the first `m` leaves is a prefix of the tree over `leaves` (RFC 6962 PROOF). */
export const consistencyProof = (m: number, leaves: readonly Uint8Array[]): Buffer[] => {
  if (!Number.isInteger(m) || m < 0 || m > leaves.length) {
    throw new RangeError(`no tree of ${m} inside one of ${leaves.length}`);
  }
  return m === 0 ? [] : subproof(m, leaves, true);
};

const odd = (n: bigint) => (n & 1n) === 1n;

/** RFC 9162's "until LSB(fn) is set or fn is 0, right-shift fn and sn" (both verifiers). */
const climb = (fn: bigint, sn: bigint): [bigint, bigint] => {
  while (!odd(fn) && fn !== 0n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  return [fn, sn];
};

/** RFC 9162 §2.1.3.2: whether `leaf` is leaf `index` of the tree of `size` with `root`. */
export const verifyInclusion = (
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean => {
  if (!(index >= 0 && index < size)) return false;
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0n) return false; // longer than the path
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      [fn, sn] = climb(fn, sn);
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && r.equals(root);
};

/** RFC 9162 §2.1.4.2: whether the tree of `first` with `firstRoot` is a prefix of `second`'s. */
export const verifyConsistency = (
  first: number,
  second: number,
  proof: readonly Uint8Array[],
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
): boolean => {
  if (!(first >= 0 && first <= second)) return false;
  if (first === second) return proof.length === 0 && Buffer.from(firstRoot).equals(secondRoot);
  if (first === 0) return proof.length === 0; // the empty tree is a prefix of every tree
  if (proof.length === 0) return false;
  const path = (first & (first - 1)) === 0 ? [firstRoot, ...proof] : [...proof];
  let fn = BigInt(first - 1);
  let sn = BigInt(second - 1);
  while (odd(fn)) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = Buffer.from(path[0]!);
  for (const c of path.slice(1)) {
    if (sn === 0n) return false; // longer than needed
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      [fn, sn] = climb(fn, sn);
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && fr.equals(firstRoot) && sr.equals(secondRoot);
};
