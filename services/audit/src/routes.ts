/**
 * The audit over HTTP, at /v1/audit: read straight from the event store, the system of record
 * (no read model stands between an auditor and what was written). The article's history now;
 * time travel, diffs, proofs, verification and export build on the same reads.
 */
import type { ServiceDeps, ServiceDefinition } from '@newsroom/service-kit';
import { historyRouter } from './history/routes.js';

export const AUDIT = '/v1/audit';

export const auditService = (deps: ServiceDeps): ServiceDefinition => ({
  name: 'audit',
  routes: [[`${AUDIT}/articles`, historyRouter(deps.authenticator, deps.store)]],
});
