/**
 * Roots and proofs from the stored tree: a proof asks for O(log n) subtree hashes, each made
 * of at most log n complete nodes, so it is computed twice: once to learn which nodes it needs
 * (the shape of a proof does not depend on hashes), then, after one query for them, for real.
 */
import type { NodeKey, RangeHash, SqlQueryable } from '@newsroom/event-store';
import {
  consistencyPath,
  EMPTY_ROOT,
  foldNodes,
  inclusionPath,
  nodesCovering,
} from '@newsroom/event-store';
import { missingNode } from './damaged.js';
import { nodeKey, readNodes } from './sql/nodes.js';

export const fromStoredTree = async <A>(
  db: SqlQueryable,
  schema: string,
  compute: (range: RangeHash) => A,
): Promise<A> => {
  const wanted = new Map<string, NodeKey>();
  compute((start, end) => {
    for (const k of nodesCovering(start, end)) wanted.set(nodeKey(k), k);
    return EMPTY_ROOT;
  });
  const nodes = await readNodes(db, schema, [...wanted.values()]);
  return compute((start, end) =>
    foldNodes(
      nodesCovering(start, end).map((k) => {
        const hash = nodes.get(nodeKey(k));
        if (hash === undefined) throw missingNode(nodeKey(k));
        return hash;
      }),
    ),
  );
};

export const storedRoot = (db: SqlQueryable, schema: string, size: number): Promise<Buffer> =>
  fromStoredTree(db, schema, (range) => range(0, size));

export const storedInclusion = (
  db: SqlQueryable,
  schema: string,
  index: number,
  size: number,
): Promise<{ root: Buffer; leaf: Buffer; proof: Buffer[] }> =>
  fromStoredTree(db, schema, (range) => ({
    root: range(0, size),
    leaf: range(index, index + 1),
    proof: inclusionPath(index, size, range),
  }));

export const storedConsistency = (
  db: SqlQueryable,
  schema: string,
  from: number,
  to: number,
): Promise<{ fromRoot: Buffer; toRoot: Buffer; proof: Buffer[] }> =>
  fromStoredTree(db, schema, (range) => ({
    fromRoot: range(0, from),
    toRoot: range(0, to),
    proof: consistencyPath(from, to, range),
  }));
