/**
 * Publishing over HTTP, at /v1/publications: publish (now, scheduled, embargoed), cancel a
 * schedule, draft and publish a correction, unpublish, retract.
 */
import { articleCommandService } from '@newsroom/service-kit';
import type { ServiceDeps, ServiceDefinition } from '@newsroom/service-kit';

export const PUBLICATIONS = '/v1/publications';

export const publishingService = (deps: ServiceDeps): ServiceDefinition =>
  articleCommandService('publishing', PUBLICATIONS, deps, [
    ['/:articleId/publish', 'PublishArticle'],
    ['/:articleId/cancel-schedule', 'CancelSchedule'],
    ['/:articleId/corrections', 'CorrectArticle'],
    ['/:articleId/corrections/publish', 'PublishCorrection'],
    ['/:articleId/unpublish', 'UnpublishArticle'],
    ['/:articleId/retract', 'RetractArticle'],
  ]);
