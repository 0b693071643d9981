import { draftingService } from '@newsroom/drafting';
import { publishingService } from '@newsroom/publishing';
import { reviewService } from '@newsroom/review';
import type { ServiceDefinition, ServiceDeps } from '@newsroom/service-kit';

/** Every service of the system, as one process hosts them. */
export const allServices = (deps: ServiceDeps): readonly ServiceDefinition[] => [
  draftingService(deps),
  reviewService(deps),
  publishingService(deps),
];
