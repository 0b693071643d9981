/**
 * The whole store verified, from the first event: every event's hash recomputed from its
 * content, every stream's chain, the event store's own seals, and the signed tree heads (each
 * signature with the log's key, and each root against the tree of the events as they are now),
 * stopping at the first bad event or tree head, named with the reason.
 */
import type { KeyObject } from 'node:crypto';
import type { IntegrityReport, PostgresEventStore, SqlQueryable } from '@newsroom/event-store';
import { headsAfter, latestHead } from '../tree/sql/heads.js';
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
  const through = (await latestHead(db, schema))?.number ?? 0;
  const pages = (after: number, limit: number) => headsAfter(db, schema, after, limit, through);
  const checker = treeHeadChecker(pages, log.origin, log.publicKey, headPageSize);
  const report = await store.verifyIntegrity({ observer: checker });
  return { ...report, treeHeads: checker.checked() };
};

/** `run`, once at a time: a call while a run is under way gets that run's result. */
export const sharedRun = <A>(run: () => Promise<A>): (() => Promise<A>) => {
  let running: Promise<A> | undefined;
  return () =>
    (running ??= run().finally(() => {
      running = undefined;
    }));
};
