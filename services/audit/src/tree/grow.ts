/**
 * Grows the stored tree by the events the log holds past it, in readAll order (the gap-free
 * order every reader of the log sees), up to `maxEvents` in one transaction: the new leaves,
 * the nodes they complete, each event's leaf index and the tree's new size and position
 * commit together, under the tree row's lock. Answers how many leaves it added.
 */
import type { PostgresEventStore, SqlDriver } from '@newsroom/event-store';
import { leafHash, nodesCovering, TreeFrontier } from '@newsroom/event-store';
import { missingNode } from './damaged.js';
import { insertLeaves, insertNodes, nodeKey, readNodes } from './sql/nodes.js';
import type { StoredNode } from './sql/nodes.js';
import { lockTree, moveTree, readTree } from './sql/tree.js';

export const growTree = async (
  sql: SqlDriver,
  schema: string,
  store: Pick<PostgresEventStore, 'readAllStored'>,
  maxEvents = 5_000,
): Promise<number> => {
  // The events are read before the transaction (on PGlite, one connection, a read outside an
  // open transaction would wait for it); the lock then checks that no one grew the tree since.
  const seen = await readTree(sql, schema);
  const events = await store.readAllStored({
    ...(seen.last === undefined ? {} : { fromPosition: seen.last }),
    maxCount: maxEvents,
  });
  const last = events[events.length - 1];
  if (last === undefined) return 0;
  const added = await sql.transaction(async (tx) => {
    const tree = await lockTree(tx, schema);
    if (tree.size !== seen.size) return undefined; // grown meanwhile by another instance
    const edgeKeys = nodesCovering(0, tree.size);
    const edge = await readNodes(tx, schema, edgeKeys);
    const frontier = new TreeFrontier(
      tree.size,
      edgeKeys.map((k) => {
        const hash = edge.get(nodeKey(k));
        if (hash === undefined) throw missingNode(nodeKey(k));
        return hash;
      }),
    );
    const nodes: StoredNode[] = [];
    for (const event of events) {
      const leaf = leafHash(Buffer.from(event.hash, 'hex'));
      nodes.push({ level: 0, index: frontier.size, hash: leaf }, ...frontier.push(leaf));
    }
    await insertNodes(tx, schema, nodes);
    await insertLeaves(
      tx,
      schema,
      tree.size,
      events.map((e) => e.id),
    );
    await moveTree(tx, schema, frontier.size, last.position);
    return events.length;
  });
  return added ?? growTree(sql, schema, store, maxEvents); // again, from where it is now
};
