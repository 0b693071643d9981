/**
 * The feeds, public: `GET /v1/feeds/rss.xml`, `/v1/feeds/atom.xml` and `/v1/feeds/feed.json`,
 * each with `?section=&language=&limit=&cursor=`. Each answer carries a strong `ETag` (a hash
 * of its bytes) and `Last-Modified` (its newest change); `If-None-Match` or
 * `If-Modified-Since` that still hold get 304 with no body. A built feed is kept while the
 * syndication log has not moved (cache.ts, log-clock.ts): at most the clock's poll behind.
 */
import { createHash } from 'node:crypto';
import { Router } from 'express';
import type { Request, Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import type { SqlQueryable } from '@newsroom/event-store';
import { answerFromReadModel, sendInvalidQuery } from '@newsroom/service-kit';
import { decodeQuery } from '../public-articles/query.js';
import type { PublicArticlesQuery } from '../public-articles/query.js';
import type { LogClock } from '../changes/log-clock.js';
import { feedCache } from './cache.js';
import type { BuiltFeed } from './cache.js';
import { atomFeed, ATOM_TYPE } from './atom.js';
import type { FeedContext } from './context.js';
import { readFeedData } from './data.js';
import type { FeedData } from './data.js';
import { jsonFeed, JSON_FEED_TYPE } from './json-feed.js';
import { rssFeed, RSS_TYPE } from './rss.js';

export interface FeedOptions {
  /** The feeds' title. */
  readonly feedTitle: string;
  /** The origin links are built on; undefined: the request's (its Host header). */
  readonly publicBaseUrl: string | undefined;
}

const FORMATS: readonly (readonly [
  file: string,
  type: string,
  build: (data: FeedData, c: FeedContext) => string,
])[] = [
  ['rss.xml', RSS_TYPE, rssFeed],
  ['atom.xml', ATOM_TYPE, atomFeed],
  ['feed.json', JSON_FEED_TYPE, jsonFeed],
];

const etagOf = (body: string) =>
  `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;

/** Whether the client's copy is current (If-None-Match first, as RFC 9110 says). */
const notModified = (req: Request, etag: string, lastModified: Date | undefined): boolean => {
  const match = req.header('if-none-match');
  if (match !== undefined) {
    return (
      match.trim() === '*' || match.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)
    );
  }
  const since = Date.parse(req.header('if-modified-since') ?? '');
  return (
    lastModified !== undefined &&
    !Number.isNaN(since) &&
    Math.floor(lastModified.getTime() / 1000) * 1000 <= since
  );
};

const originOf = (req: Request, options: FeedOptions): string =>
  options.publicBaseUrl ?? `${req.protocol}://${req.get('host') ?? '127.0.0.1'}`;

/** The feed for one request, from the cache when the log has not moved since it was built. */
const buildFeed = async (
  sql: SqlQueryable,
  schema: string,
  req: Request,
  q: PublicArticlesQuery,
  format: { readonly file: string; readonly build: (data: FeedData, c: FeedContext) => string },
  options: FeedOptions,
): Promise<Omit<BuiltFeed, 'seq'>> => {
  const data = await readFeedData(sql, schema, q);
  const filters = new URLSearchParams({
    ...(q.section === undefined ? {} : { section: q.section }),
    ...(q.language === undefined ? {} : { language: q.language }),
    ...(q.limit === undefined ? {} : { limit: q.limit }),
  }).toString();
  const body = format.build(data, {
    origin: originOf(req, options),
    path: `/v1/feeds/${format.file}`,
    filters: filters === '' ? '' : `?${filters}`,
    ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
    ...(data.next === undefined ? {} : { next: data.next }),
    title: options.feedTitle,
    ...(q.language === undefined ? {} : { language: q.language }),
  });
  return {
    body,
    etag: etagOf(body),
    lastModified: data.updated === undefined ? undefined : new Date(data.updated),
  };
};

export const feedsRouter = (
  sql: SqlQueryable,
  schema: string,
  options: FeedOptions,
  clock?: LogClock,
): Router => {
  const router = Router();
  const cache = feedCache();
  for (const [file, type, build] of FORMATS) {
    router.get(`/${file}`, async (req: Request, res: Response) => {
      const query = decodeQuery(req.query);
      if (E.isLeft(query)) return sendInvalidQuery(res, query.left);
      await answerFromReadModel(res, 'the feeds', async () => {
        const seq = clock?.current();
        const key = `${file} ${originOf(req, options)} ${JSON.stringify(query.right)}`;
        let feed = cache.get(key, seq);
        if (feed === undefined) {
          const built = await buildFeed(sql, schema, req, query.right, { file, build }, options);
          feed = { ...built, seq: seq ?? -1 };
          if (seq !== undefined) cache.set(key, feed);
        }
        res.setHeader('ETag', feed.etag);
        if (feed.lastModified !== undefined)
          res.setHeader('Last-Modified', feed.lastModified.toUTCString());
        res.setHeader('Cache-Control', 'public, max-age=0, must-revalidate');
        res.setHeader('Vary', 'Accept-Encoding');
        if (notModified(req, feed.etag, feed.lastModified)) return void res.status(304).end();
        res.type(type).send(feed.body);
      });
    });
  }
  return router;
};
