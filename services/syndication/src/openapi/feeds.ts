/**
 * The feeds in the API reference: `/v1/feeds/rss.xml`, `atom.xml` and `feed.json`, each paged
 * by the public-articles query, each answer with a strong ETag and Last-Modified that
 * `If-None-Match` / `If-Modified-Since` turn into a 304 with no body. Public: no token.
 */
import type { ApiPaths } from '@newsroom/service-kit';
import { mediaAnswer, problems, queryParameters } from '@newsroom/service-kit';
import type { JsonSchema, SchemaSet } from '@newsroom/contracts';
import { ATOM_TYPE } from '../feeds/atom.js';
import { JSON_FEED_TYPE } from '../feeds/json-feed.js';
import { RSS_TYPE } from '../feeds/rss.js';
import { PublicArticlesQuery } from '../public-articles/query.js';
import { mediaOf } from './components.js';

const CONDITIONS: readonly JsonSchema[] = [
  {
    name: 'If-None-Match',
    in: 'header',
    description: 'an ETag of this feed (or `*`): 304 while it still holds; wins over the next',
    schema: { type: 'string' },
  },
  {
    name: 'If-Modified-Since',
    in: 'header',
    description: 'an HTTP date: 304 when the feed has not changed since (without If-None-Match)',
    schema: { type: 'string' },
  },
];

const HEADERS: Record<string, JsonSchema> = {
  ETag: { description: 'a strong ETag: a hash of the bytes', schema: { type: 'string' } },
  'Last-Modified': {
    description: 'the newest change under its filters (absent before any)',
    schema: { type: 'string' },
  },
  'Cache-Control': { schema: { type: 'string', const: 'public, max-age=0, must-revalidate' } },
};

const URL_TEXT: JsonSchema = { type: 'string', description: 'an absolute URL' };

const jsonFeed = (schemas: SchemaSet): JsonSchema =>
  schemas.once('JsonFeed', () => ({
    type: 'object',
    description: 'JSON Feed 1.1: one item per public article, `next_url` pages it',
    externalDocs: { url: 'https://jsonfeed.org/version/1.1' },
    properties: {
      version: { const: 'https://jsonfeed.org/version/1.1' },
      title: { type: 'string' },
      home_page_url: { ...URL_TEXT, description: 'its first page' },
      feed_url: { ...URL_TEXT, description: 'this page' },
      next_url: URL_TEXT,
      language: { type: 'string', description: 'the `language` filter, when given' },
      items: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            id: { type: 'string', pattern: '^urn:newsroom:article:' },
            url: { ...URL_TEXT, description: 'its ninjs document' },
            title: { type: 'string' },
            content_html: { type: 'string', description: 'the correction notices, then the text' },
            summary: { type: 'string' },
            date_published: { type: 'string', format: 'date-time' },
            date_modified: { type: 'string', format: 'date-time' },
            authors: {
              type: 'array',
              items: {
                type: 'object',
                properties: { name: { type: 'string' } },
                required: ['name'],
                additionalProperties: false,
              },
            },
            tags: { type: 'array', items: { type: 'string' }, description: 'section, then tags' },
            language: { type: 'string' },
          },
          required: [
            'id',
            'url',
            'title',
            'content_html',
            'date_published',
            'date_modified',
            'authors',
            'tags',
            'language',
          ],
          additionalProperties: false,
        },
      },
    },
    required: ['version', 'title', 'home_page_url', 'feed_url', 'items'],
    additionalProperties: false,
  }));

const feed = (
  schemas: SchemaSet,
  operationId: string,
  summary: string,
  type: string,
  body: JsonSchema = { type: 'string' },
): ApiPaths[string] => ({
  get: {
    tags: ['syndication'],
    operationId,
    summary,
    parameters: [...queryParameters(schemas, PublicArticlesQuery), ...CONDITIONS],
    responses: {
      '200': { ...mediaAnswer('one page of the feed', [mediaOf(type)], body), headers: HEADERS },
      '304': { description: 'the copy the conditions name is current: no body', headers: HEADERS },
      ...problems(400, 503),
    },
  },
});

export const feedsApi = (schemas: SchemaSet): ApiPaths => ({
  '/v1/feeds/rss.xml': feed(
    schemas,
    'rssFeed',
    'RSS 2.0 of what is public now, paged by Atom `next` links',
    RSS_TYPE,
  ),
  '/v1/feeds/atom.xml': feed(
    schemas,
    'atomFeed',
    'Atom of what is public now, withdrawn entries as tombstones (RFC 6721), paged (RFC 5005)',
    ATOM_TYPE,
  ),
  '/v1/feeds/feed.json': feed(
    schemas,
    'jsonFeed',
    'JSON Feed 1.1 of what is public now, paged by `next_url`',
    JSON_FEED_TYPE,
    jsonFeed(schemas),
  ),
});
