/** What the audit's routes over its own tables share: access, the store, the audit schema
 *  (quoted), the signer, the log's name and public key that signatures are checked with, and
 *  the whole-store verify (one run at a time, however many ask: it reads the whole log). */
import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { PostgresEventStore } from '@newsroom/event-store';
import { quoteIdent } from '@newsroom/event-store';
import { sharedRun } from '@newsroom/service-kit';
import type { AuditAccess } from './auditors.js';
import type { LogSigner } from './tree/seal.js';
import { verifyStore } from './verify/store.js';
import type { StoreVerification } from './verify/store.js';

export interface AuditContext extends AuditAccess {
  readonly store: PostgresEventStore;
  /** The audit schema, quoted for SQL text. */
  readonly tables: string;
  readonly signer: LogSigner;
  readonly log: { readonly origin: string; readonly publicKey: KeyObject };
  /** The whole store verified; callers while a run is under way share its result. */
  readonly verifyStore: () => Promise<StoreVerification>;
}

export const auditContext = (
  access: AuditAccess,
  store: PostgresEventStore,
  signer: LogSigner,
): AuditContext => {
  const tables = quoteIdent(access.schema);
  const log = { origin: signer.origin, publicKey: createPublicKey(signer.privateKey) };
  return {
    ...access,
    store,
    tables,
    signer,
    log,
    verifyStore: sharedRun(() => verifyStore(store, access.sql, tables, log)),
  };
};
