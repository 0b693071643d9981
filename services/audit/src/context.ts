/** What the audit's routes over its own tables share: access, the store, the audit schema
 *  (quoted), the signer, and the log's name and public key that signatures are checked with. */
import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { PostgresEventStore } from '@newsroom/event-store';
import { quoteIdent } from '@newsroom/event-store';
import type { AuditAccess } from './auditors.js';
import type { LogSigner } from './tree/seal.js';

export interface AuditContext extends AuditAccess {
  readonly store: PostgresEventStore;
  /** The audit schema, quoted for SQL text. */
  readonly tables: string;
  readonly signer: LogSigner;
  readonly log: { readonly origin: string; readonly publicKey: KeyObject };
}

export const auditContext = (
  access: AuditAccess,
  store: PostgresEventStore,
  signer: LogSigner,
): AuditContext => ({
  ...access,
  store,
  tables: quoteIdent(access.schema),
  signer,
  log: { origin: signer.origin, publicKey: createPublicKey(signer.privateKey) },
});
