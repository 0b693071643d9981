/**
 * The audit over HTTP, at /v1/audit: read straight from the event store, the system of record
 * (no read model stands between an auditor and what was written): an article's history, its
 * state as of an instant or revision, what the public saw at an instant, and everything one
 * actor did, word-level diffs between any two revisions or published versions, and inclusion
 * and consistency proofs over the log's Merkle tree. Verification and export build on the same
 * reads.
 */
import type { ServiceDeps, ServiceDefinition } from '@newsroom/service-kit';
import { historyRouter } from './history/routes.js';
import { timeTravelRouter } from './time-travel/routes.js';
import { actorsRouter } from './actors/routes.js';
import { diffRouter } from './diff/routes.js';
import { proofsRouter } from './proofs/routes.js';

export const AUDIT = '/v1/audit';

export const auditService = (deps: ServiceDeps): ServiceDefinition => ({
  name: 'audit',
  routes: [
    [`${AUDIT}/articles`, historyRouter(deps.authenticator, deps.store)],
    [`${AUDIT}/articles`, timeTravelRouter(deps.authenticator, deps.store)],
    [`${AUDIT}/articles`, diffRouter(deps.authenticator, deps.store)],
    [`${AUDIT}/actors`, actorsRouter(deps.authenticator, deps.store)],
    [`${AUDIT}/proofs`, proofsRouter(deps.authenticator, deps.store)],
  ],
});
