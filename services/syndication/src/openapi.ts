/**
 * Syndication's endpoints in the process's OpenAPI document: what is public now (JSON and
 * ninjs), the feeds, the live stream and the webhook subscriptions, each area described in
 * `openapi/` beside the others, their schemas read off the codecs the routes decode with.
 */
import type { ApiDescription } from '@newsroom/service-kit';
import { feedsApi } from './openapi/feeds.js';
import { publicReadsApi } from './openapi/public-reads.js';
import { streamApi } from './openapi/stream.js';
import { subscriptionsApi } from './openapi/subscriptions.js';

export const syndicationApi: ApiDescription = (schemas) => ({
  ...publicReadsApi(schemas),
  ...feedsApi(schemas),
  ...streamApi(schemas),
  ...subscriptionsApi(schemas),
});
