/** Where a feed is served from and what it links to, for one request. */
import { articleUri } from '../documents/ninjs.js';
import type { PublicArticle } from '../public-articles/query.js';

export interface FeedContext {
  /** `http://host` the request came to: links are absolute. */
  readonly origin: string;
  /** This feed's path (`/v1/feeds/atom.xml`) and its filters as a query string (`?section=…`). */
  readonly path: string;
  readonly filters: string;
  readonly cursor?: string;
  readonly next?: string;
  readonly title: string;
  readonly language?: string;
}

export const feedId = (c: FeedContext): string =>
  `urn:newsroom:feed:${c.path.split('/').pop()}${c.filters}`;

const withCursor = (c: FeedContext, cursor: string | undefined) => {
  const params = new URLSearchParams(c.filters.replace(/^\?/, ''));
  if (cursor !== undefined) params.set('cursor', cursor);
  const text = params.toString();
  return `${c.origin}${c.path}${text === '' ? '' : `?${text}`}`;
};

export const selfUrl = (c: FeedContext): string => withCursor(c, c.cursor);
export const firstUrl = (c: FeedContext): string => withCursor(c, undefined);
export const nextUrl = (c: FeedContext): string | undefined =>
  c.next === undefined ? undefined : withCursor(c, c.next);

/** The article's ninjs document: the machine-readable form every entry links to. */
export const documentUrl = (c: FeedContext, articleId: string): string =>
  `${c.origin}/v1/feeds/ninjs/${articleId}`;

export const entryId = (a: Pick<PublicArticle, 'articleId'>): string => articleUri(a.articleId);

/** Correction notices, newest first. */
export const noticesOf = (a: PublicArticle): string[] =>
  [...a.corrections].reverse().map((k) => k.notice);
