/** The signed tree heads, numbered from 1, oldest first. */
import type { SqlQueryable } from '@newsroom/event-store';
import { utcMillis } from '@newsroom/service-kit';
import type { HeadPages } from '../head-window.js';

export interface TreeHeadRow {
  readonly number: number;
  readonly treeSize: number;
  /** Lower-case hex. */
  readonly rootHash: string;
  readonly time: string;
  readonly keyId: string;
  /** The signed note, exactly as signed. */
  readonly note: string;
}

const COLUMNS = `number::text AS number, tree_size::text AS tree_size,
  encode(root, 'hex') AS root, ${utcMillis('time')} AS time,
  key_id, note`;

interface Row {
  readonly number: string;
  readonly tree_size: string;
  readonly root: string;
  readonly time: string;
  readonly key_id: string;
  readonly note: string;
}

const toHead = (r: Row): TreeHeadRow => ({
  number: Number(r.number),
  treeSize: Number(r.tree_size),
  rootHash: r.root,
  time: r.time,
  keyId: r.key_id,
  note: r.note,
});

export const latestHead = async (
  db: SqlQueryable,
  schema: string,
): Promise<TreeHeadRow | undefined> => {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM ${schema}.tree_heads ORDER BY tree_heads.number DESC LIMIT 1`,
  );
  return rows[0] === undefined ? undefined : toHead(rows[0]);
};

export const insertHead = async (
  tx: SqlQueryable,
  schema: string,
  head: TreeHeadRow,
): Promise<void> => {
  await tx.query(
    `INSERT INTO ${schema}.tree_heads (number, tree_size, root, time, key_id, note)
     VALUES ($1, $2, decode($3, 'hex'), $4::timestamptz, $5, $6)`,
    [head.number, head.treeSize, head.rootHash, head.time, head.keyId, head.note],
  );
};

/** Heads after number `after` (and at most number `through`), oldest first (the topic sender,
 *  the export, verify). */
export const headsAfter = async (
  db: SqlQueryable,
  schema: string,
  after: number,
  limit: number,
  through = Number.MAX_SAFE_INTEGER,
): Promise<TreeHeadRow[]> => {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM ${schema}.tree_heads
      WHERE tree_heads.number > $1 AND tree_heads.number <= $3
      ORDER BY tree_heads.number LIMIT $2`,
    [after, limit, through],
  );
  return rows.map(toHead);
};

/** The last head (by number) of at most `size` leaves: where an export from there is anchored. */
export const lastHeadWithin = async (
  db: SqlQueryable,
  schema: string,
  size: number,
): Promise<TreeHeadRow | undefined> => {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM ${schema}.tree_heads WHERE tree_heads.tree_size <= $1
      ORDER BY tree_heads.number DESC LIMIT 1`,
    [size],
  );
  return rows[0] === undefined ? undefined : toHead(rows[0]);
};

/** headsAfter as pages of the heads up to number `through` (a reader's snapshot). */
export const headPages =
  (db: SqlQueryable, schema: string, through: number): HeadPages<TreeHeadRow> =>
  (after, limit) =>
    headsAfter(db, schema, after, limit, through);

/** The number of the latest head, 0 before the first: what a reader of the log snapshots. */
export const latestHeadNumber = async (db: SqlQueryable, schema: string): Promise<number> =>
  (await latestHead(db, schema))?.number ?? 0;

/** Heads before number `before`, newest first (the feed's pages). */
export const headsBefore = async (
  db: SqlQueryable,
  schema: string,
  before: number,
  limit: number,
): Promise<TreeHeadRow[]> => {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM ${schema}.tree_heads WHERE tree_heads.number < $1
      ORDER BY tree_heads.number DESC LIMIT $2`,
    [before, limit],
  );
  return rows.map(toHead);
};

/** A head as the feed and the public topic give it. */
export const treeHeadJson = (h: TreeHeadRow) => ({
  number: h.number,
  treeSize: h.treeSize,
  rootHash: h.rootHash,
  time: h.time,
  keyId: h.keyId,
  note: h.note,
});
