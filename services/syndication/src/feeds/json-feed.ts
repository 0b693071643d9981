/**
 * JSON Feed 1.1 (https://jsonfeed.org/version/1.1): one item per public article, `id` its URI
 * (stable across corrections), `date_published` its first publication and `date_modified` its
 * last change in the publisher's offset, `content_html` built from the blocks with the
 * correction notices first; `next_url` pages it.
 */
import { rfc3339 } from '@newsroom/service-kit';
import { articleHtml } from '../documents/html.js';
import type { FeedContext } from './context.js';
import { documentUrl, entryId, firstUrl, nextUrl, noticesOf, selfUrl } from './context.js';
import type { FeedData } from './data.js';

export const JSON_FEED_TYPE = 'application/feed+json; charset=utf-8';

export const jsonFeed = (data: FeedData, c: FeedContext): string => {
  const next = nextUrl(c);
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: c.title,
    home_page_url: firstUrl(c),
    feed_url: selfUrl(c),
    ...(next === undefined ? {} : { next_url: next }),
    ...(c.language === undefined ? {} : { language: c.language }),
    items: data.items.map((a) => ({
      id: entryId(a),
      url: documentUrl(c, a.articleId),
      title: a.content.headline,
      content_html: articleHtml(a.content.blocks, noticesOf(a)),
      ...(a.content.summary === undefined ? {} : { summary: a.content.summary }),
      date_published: rfc3339(a.firstPublishedAt),
      date_modified: rfc3339(a.updatedAt),
      authors: [{ name: a.content.byline }],
      tags: [...(a.content.section === undefined ? [] : [a.content.section]), ...a.content.tags],
      language: a.content.language,
    })),
  });
};
