/**
 * The audit over HTTP, at /v1/audit: read straight from the event store, the system of record
 * (no read model stands between an auditor and what was written): an article's history, its
 * state as of an instant or revision, what the public saw at an instant, and everything one
 * actor did, word-level diffs between any two revisions or published versions, and inclusion
 * and consistency proofs over the log's Merkle tree. Verification and export build on the same
 * reads.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { Publisher } from '@newsroom/messaging';
import type { ServiceDeps, ServiceDefinition } from '@newsroom/service-kit';
import type { AuditConfig } from './config.js';
import { EPHEMERAL_KEY } from './config.js';
import { historyRouter } from './history/routes.js';
import { timeTravelRouter } from './time-travel/routes.js';
import { actorsRouter } from './actors/routes.js';
import { diffRouter } from './diff/routes.js';
import { proofsRouter } from './proofs/routes.js';
import { logSigner } from './tree/seal.js';
import { treeSealer } from './tree/sealer.js';
import { treeHeadsRouter } from './tree-heads/routes.js';
import { treeHeadsTopicProcessor } from './tree-heads/topic.js';
import { verifyRouter } from './verify/routes.js';
import { exportRouter } from './export/routes.js';
import { requestsRouter } from './requests/routes.js';
import type { AuditAccess } from './auditors.js';
import { auditContext } from './context.js';
import { auditArticlesProcessor } from './articles/projection.js';
import { auditPageRouter } from './page/routes.js';
import { AUDIT, AUDIT_PAGE } from './prefixes.js';
import { auditApi } from './openapi.js';

export { AUDIT };

/** Settings with a key that lives as long as the process (tests, and a platform given none). */
export const ephemeralAuditConfig = (storeSchema: string): AuditConfig => ({
  origin: `newsroom/${storeSchema}`,
  signingKey: generateKeyPairSync('ed25519').privateKey,
  keySource: EPHEMERAL_KEY,
  sealIntervalMs: 60_000,
  treePollMs: 250,
  publicTopic: undefined,
});

export const auditService = (
  deps: ServiceDeps,
  config: AuditConfig = ephemeralAuditConfig(deps.store.schema),
  /** Where tree heads go, when `config.publicTopic` names a topic. */
  publisher?: Publisher,
): ServiceDefinition => {
  const schema = deps.readModelSchema('audit');
  const signer = logSigner(config.origin, config.signingKey);
  const sealer = treeSealer({
    schema,
    sql: deps.sql,
    store: deps.store,
    signer,
    sealIntervalMs: config.sealIntervalMs,
    treePollMs: config.treePollMs,
    ...(deps.registry === undefined ? {} : { registry: deps.registry }),
    log: deps.log,
  });
  const access: AuditAccess = {
    authenticator: deps.authenticator,
    sql: deps.sql,
    schema,
    ...(deps.clock === undefined ? {} : { clock: deps.clock }),
  };
  const ctx = auditContext(access, deps.store, signer);
  return {
    name: 'audit',
    routes: [
      [`${AUDIT}/articles`, historyRouter(access, deps.store)],
      [`${AUDIT}/articles`, timeTravelRouter(access, deps.store)],
      [`${AUDIT}/articles`, diffRouter(access, deps.store)],
      [`${AUDIT}/actors`, actorsRouter(access, deps.store)],
      [`${AUDIT}/proofs`, proofsRouter(ctx)],
      [`${AUDIT}/requests`, requestsRouter(access)],
      [AUDIT_PAGE, auditPageRouter(ctx)],
      [`${AUDIT}/export`, exportRouter(ctx)],
      [`${AUDIT}/verify`, verifyRouter(ctx)],
      [`${AUDIT}/tree-heads`, treeHeadsRouter(ctx, sealer)],
    ],
    processors: [
      sealer.processor,
      auditArticlesProcessor(schema),
      ...(config.publicTopic === undefined || publisher === undefined
        ? []
        : [
            treeHeadsTopicProcessor({
              schema,
              sql: deps.sql,
              publisher,
              topic: config.publicTopic,
              origin: config.origin,
            }),
          ]),
    ],
    readiness: [sealer.readiness],
    api: auditApi,
  };
};
