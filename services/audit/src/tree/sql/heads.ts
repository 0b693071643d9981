/** The signed tree heads, numbered from 1, oldest first. */
import type { SqlQueryable } from '@newsroom/event-store';
import { utcMillis } from '@newsroom/service-kit';

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

/** The heads after number `after` up to number `through`, oldest first, read a page at a time
 *  as they are taken. */
export interface HeadWindow {
  /** The next head, once `fill` has run since the last `take`; undefined when none is left. */
  readonly first: () => TreeHeadRow | undefined;
  readonly take: () => TreeHeadRow;
  /** Whether the window is empty and the heads are not exhausted: `fill` would read a page. */
  readonly needsFill: () => boolean;
  /** Reads the next page when `needsFill`. */
  readonly fill: () => Promise<void>;
}

export const headWindow = (
  db: SqlQueryable,
  schema: string,
  after: number,
  through: number,
  pageSize = 1_000,
): HeadWindow => {
  let window: TreeHeadRow[] = [];
  let [last, exhausted] = [after, false];
  return {
    first: () => window[0],
    take: () => window.shift()!,
    needsFill: () => window.length === 0 && !exhausted,
    fill: async () => {
      if (window.length > 0 || exhausted) return;
      window = await headsAfter(db, schema, last, pageSize, through);
      last = window[window.length - 1]?.number ?? last;
      exhausted = window.length < pageSize;
    },
  };
};

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
