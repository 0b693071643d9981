/**
 * Publishing over HTTP, at /v1/publications: publish (now, scheduled, embargoed), cancel a
 * schedule, draft and publish a correction, unpublish, retract; and the scheduler that
 * releases due schedules and embargoes.
 */
import { articleCommandService } from '@newsroom/service-kit';
import type { ArticleRouteTable, ServiceDeps, ServiceDefinition } from '@newsroom/service-kit';
import { schedulerProcessor } from './scheduler.js';
import type { SchedulerOptions } from './scheduler.js';

export const PUBLICATIONS = '/v1/publications';

/** Each command's path under PUBLICATIONS (the CLI sends them by these too). */
export const PUBLISHING_COMMANDS: ArticleRouteTable = [
  ['/:articleId/publish', 'PublishArticle'],
  ['/:articleId/cancel-schedule', 'CancelSchedule'],
  ['/:articleId/corrections', 'CorrectArticle'],
  ['/:articleId/corrections/publish', 'PublishCorrection'],
  ['/:articleId/unpublish', 'UnpublishArticle'],
  ['/:articleId/retract', 'RetractArticle'],
];

export const publishingService = (
  deps: ServiceDeps,
  options: { readonly scheduler?: SchedulerOptions } = {},
): ServiceDefinition => {
  return {
    ...articleCommandService('publishing', PUBLICATIONS, deps, PUBLISHING_COMMANDS),
    processors: [schedulerProcessor(deps, options.scheduler)],
  };
};
