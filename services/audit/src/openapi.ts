/**
 * The audit's endpoints in the process's OpenAPI document: its reads of articles and actors,
 * its request log, the Merkle tree's proofs and signed heads, verification and export, and
 * the web page at /audit, each area described in `openapi/` beside the others, the queries
 * read off the codecs the routes decode with.
 */
import type { ApiDescription } from '@newsroom/service-kit';
import { articlesApi } from './openapi/articles.js';
import { integrityApi } from './openapi/integrity.js';
import { pageApi } from './openapi/page.js';
import { peopleApi } from './openapi/people.js';
import { treeApi } from './openapi/tree.js';

export const auditApi: ApiDescription = (schemas) => ({
  ...articlesApi(schemas),
  ...peopleApi(schemas),
  ...treeApi(schemas),
  ...integrityApi(schemas),
  ...pageApi(),
});
