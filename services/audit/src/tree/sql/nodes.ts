/** The tree's complete nodes (level 0 the leaves) and each event's leaf index. */
import type { SqlQueryable } from '@newsroom/event-store';
import type { NodeKey } from '@newsroom/event-store';

export interface StoredNode extends NodeKey {
  readonly hash: Buffer;
}

const key = (k: NodeKey) => `${k.level}:${k.index}`;

/** The nodes asked for, by `level:index`; a missing one is not in the map. */
export const readNodes = async (
  db: SqlQueryable,
  schema: string,
  keys: readonly NodeKey[],
): Promise<Map<string, Buffer>> => {
  const found = new Map<string, Buffer>();
  if (keys.length === 0) return found;
  const { rows } = await db.query<{ level: number; node_index: string; hash: string }>(
    `SELECT n.level, n.node_index::text AS node_index, encode(n.hash, 'hex') AS hash
       FROM unnest($1::smallint[], $2::bigint[]) AS k(level, node_index)
       JOIN ${schema}.tree_nodes n ON n.level = k.level AND n.node_index = k.node_index`,
    [keys.map((k) => k.level), keys.map((k) => String(k.index))],
  );
  for (const r of rows) {
    found.set(
      key({ level: Number(r.level), index: Number(r.node_index) }),
      Buffer.from(r.hash, 'hex'),
    );
  }
  return found;
};

export const nodeKey = key;

export const insertNodes = async (
  tx: SqlQueryable,
  schema: string,
  nodes: readonly StoredNode[],
): Promise<void> => {
  if (nodes.length === 0) return;
  await tx.query(
    `INSERT INTO ${schema}.tree_nodes (level, node_index, hash)
     SELECT level, node_index, decode(hash, 'hex')
       FROM unnest($1::smallint[], $2::bigint[], $3::text[]) AS n(level, node_index, hash)`,
    [
      nodes.map((n) => n.level),
      nodes.map((n) => String(n.index)),
      nodes.map((n) => n.hash.toString('hex')),
    ],
  );
};

export const insertLeaves = async (
  tx: SqlQueryable,
  schema: string,
  first: number,
  eventIds: readonly string[],
): Promise<void> => {
  if (eventIds.length === 0) return;
  await tx.query(
    `INSERT INTO ${schema}.tree_leaves (event_id, leaf_index)
     SELECT id, $2::bigint + ord - 1 FROM unnest($1::uuid[]) WITH ORDINALITY AS l(id, ord)`,
    [eventIds, first],
  );
};

export const leafIndexOf = async (
  db: SqlQueryable,
  schema: string,
  eventId: string,
): Promise<number | undefined> => {
  const { rows } = await db.query<{ leaf_index: string }>(
    `SELECT leaf_index::text AS leaf_index FROM ${schema}.tree_leaves WHERE event_id = $1`,
    [eventId],
  );
  return rows[0] === undefined ? undefined : Number(rows[0].leaf_index);
};

/** The event at leaf `index` (an index unique in tree_leaves). */
export const eventAtLeaf = async (
  db: SqlQueryable,
  schema: string,
  index: number,
): Promise<string | undefined> => {
  const { rows } = await db.query<{ event_id: string }>(
    `SELECT event_id::text AS event_id FROM ${schema}.tree_leaves WHERE leaf_index = $1`,
    [index],
  );
  return rows[0]?.event_id;
};
