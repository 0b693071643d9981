/**
 * The leaves of the log's Merkle tree, from the store itself: every event in the global log's
 * order, its leaf `SHA-256(0x00 || event hash)`. Read whole for each request (linear in the
 * log); the sealing that will keep tree heads will keep them too.
 */
import type { EventStore, Position } from '@newsroom/event-store';
import { leafHash } from '@newsroom/event-store';

export interface Leaves {
  readonly hashes: readonly Buffer[];
  readonly eventIds: readonly string[];
}

export const readLeaves = async (
  store: Pick<EventStore, 'readAll'>,
  upTo = Infinity,
): Promise<Leaves> => {
  const hashes: Buffer[] = [];
  const eventIds: string[] = [];
  let from: Position | undefined;
  while (hashes.length < upTo) {
    const page = await store.readAll({
      ...(from === undefined ? {} : { fromPosition: from }),
      maxCount: 1000,
    });
    if (page.length === 0) break;
    for (const e of page) {
      if (hashes.length >= upTo) break;
      hashes.push(leafHash(Buffer.from(e.hash, 'hex')));
      eventIds.push(e.id);
      from = e.position;
    }
  }
  return { hashes, eventIds };
};
