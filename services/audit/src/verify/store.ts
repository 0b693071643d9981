/**
 * The whole store verified, from the first event: every event's hash recomputed from its
 * content, every stream's chain, the event store's own seals, and the signed tree heads (each
 * signature with the log's key, and each root against the tree of the events as they are now),
 * stopping at the first bad event or tree head, named with the reason.
 */
import type { KeyObject } from 'node:crypto';
import type { IntegrityReport, PostgresEventStore, SqlQueryable } from '@newsroom/event-store';
import { headPages, latestHeadNumber } from '../tree/sql/heads.js';
import { treeHeadChecker } from './tree-heads.js';

export type StoreVerification = IntegrityReport & { readonly treeHeads: number };

export const verifyStore = async (
  store: Pick<PostgresEventStore, 'verifyIntegrity'>,
  db: SqlQueryable,
  schema: string,
  log: { readonly origin: string; readonly publicKey: KeyObject },
  headPageSize?: number,
): Promise<StoreVerification> => {
  // The heads signed before the log is read: each covers no more than the read will see (one
  // signed while the verify runs may cover events appended after its last page was read).
  const through = await latestHeadNumber(db, schema);
  const checker = treeHeadChecker(
    headPages(db, schema, through),
    log.origin,
    log.publicKey,
    headPageSize,
  );
  const report = await store.verifyIntegrity({ observer: checker });
  return { ...report, treeHeads: checker.checked() };
};
