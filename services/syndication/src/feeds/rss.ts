/**
 * RSS 2.0: one item per public article, its `guid` the article's URI (not a permalink; stable
 * across corrections), `pubDate` its first publication in the publisher's offset, the HTML
 * description built from the blocks with the correction notices first. Paged with Atom `next`
 * links (RSS has none of its own); a withdrawn article simply leaves the channel.
 */
import { rfc822 } from '@newsroom/service-kit';
import { articleHtml } from '../documents/html.js';
import type { FeedContext } from './context.js';
import { documentUrl, entryId, firstUrl, nextUrl, noticesOf, selfUrl } from './context.js';
import type { FeedData } from './data.js';
import { xml } from './xml.js';

export const RSS_TYPE = 'application/rss+xml; charset=utf-8';

export const rssFeed = (data: FeedData, c: FeedContext): string => {
  const next = nextUrl(c);
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">',
    '  <channel>',
    `    <title>${xml(c.title)}</title>`,
    `    <link>${xml(firstUrl(c))}</link>`,
    `    <description>${xml(c.title)}</description>`,
    ...(c.language === undefined ? [] : [`    <language>${xml(c.language)}</language>`]),
    ...(data.updated === undefined
      ? []
      : [`    <lastBuildDate>${rfc822(data.updated)}</lastBuildDate>`]),
    `    <atom:link rel="self" type="application/rss+xml" href="${xml(selfUrl(c))}"/>`,
    ...(next === undefined ? [] : [`    <atom:link rel="next" href="${xml(next)}"/>`]),
    ...data.items.map((a) =>
      [
        '    <item>',
        `      <title>${xml(a.content.headline)}</title>`,
        `      <link>${xml(documentUrl(c, a.articleId))}</link>`,
        `      <guid isPermaLink="false">${xml(entryId(a))}</guid>`,
        `      <pubDate>${rfc822(a.firstPublishedAt)}</pubDate>`,
        `      <dc:creator>${xml(a.content.byline)}</dc:creator>`,
        ...(a.content.section === undefined
          ? []
          : [`      <category>${xml(a.content.section)}</category>`]),
        `      <description>${xml(articleHtml(a.content.blocks, noticesOf(a)))}</description>`,
        '    </item>',
      ].join('\n'),
    ),
    '  </channel>',
    '</rss>',
  ];
  return `${lines.join('\n')}\n`;
};
