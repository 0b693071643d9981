import { auditService } from '@newsroom/audit';
import type { AuditConfig } from '@newsroom/audit';
import { draftingService } from '@newsroom/drafting';
import { publishingService } from '@newsroom/publishing';
import { reviewService } from '@newsroom/review';
import { syndicationService } from '@newsroom/syndication';
import type { SyndicationConfig } from '@newsroom/syndication';
import type { ServiceDefinition, ServiceDeps } from '@newsroom/service-kit';
import type { Publisher } from '@newsroom/messaging';
import { homeService } from './home.js';

export interface SystemOptions {
  /** How often the publishing scheduler looks for due schedules (default 1000 ms). */
  readonly schedulerIntervalMs?: number;
  /** The syndication service's settings (default: syndicationConfig of no variables). */
  readonly syndication?: SyndicationConfig;
  /** The audit service's settings (default: an ephemeral signing key). */
  readonly audit?: AuditConfig;
  /** Where the syndication and audit services send the public topic, when settings name one. */
  readonly publisher?: Publisher;
}

/** Every service of the system, as one process hosts them. */
export const allServices = (
  deps: ServiceDeps,
  options: SystemOptions = {},
): readonly ServiceDefinition[] => [
  homeService(),
  draftingService(deps),
  reviewService(deps),
  publishingService(deps, {
    scheduler:
      options.schedulerIntervalMs === undefined ? {} : { intervalMs: options.schedulerIntervalMs },
  }),
  syndicationService(deps, options.syndication, options.publisher),
  auditService(deps, options.audit, options.publisher),
];
