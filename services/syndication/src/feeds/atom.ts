/**
 * Atom (RFC 4287): one entry per public article, its id the article's URI (stable across
 * corrections), `published` its first publication and `updated` its last change, both in the
 * publisher's offset; the HTML content built from the blocks with the correction notices
 * first. RFC 5005 `first` / `next` links page it; an unpublished or retracted article in the
 * page's window is an RFC 6721 `at:deleted-entry`.
 */
import { rfc3339 } from '@newsroom/service-kit';
import { articleHtml } from '../documents/html.js';
import { articleUri } from '../documents/ninjs.js';
import type { FeedContext } from './context.js';
import { documentUrl, entryId, feedId, firstUrl, nextUrl, noticesOf, selfUrl } from './context.js';
import type { FeedData } from './data.js';
import { xml } from './xml.js';

export const ATOM_TYPE = 'application/atom+xml; charset=utf-8';

export const atomFeed = (data: FeedData, c: FeedContext): string => {
  const next = nextUrl(c);
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:at="http://purl.org/atompub/tombstones/1.0"${c.language === undefined ? '' : ` xml:lang="${xml(c.language)}"`}>`,
    `  <id>${xml(feedId(c))}</id>`,
    `  <title>${xml(c.title)}</title>`,
    `  <updated>${rfc3339(data.updated ?? '1970-01-01T00:00:00.000Z')}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${xml(selfUrl(c))}"/>`,
    `  <link rel="first" href="${xml(firstUrl(c))}"/>`,
    ...(next === undefined ? [] : [`  <link rel="next" href="${xml(next)}"/>`]),
    ...data.items.map((a) => {
      const content = a.content;
      return [
        `  <entry${content.language === c.language ? '' : ` xml:lang="${xml(content.language)}"`}>`,
        `    <id>${xml(entryId(a))}</id>`,
        `    <title type="text">${xml(content.headline)}</title>`,
        `    <published>${rfc3339(a.firstPublishedAt)}</published>`,
        `    <updated>${rfc3339(a.updatedAt)}</updated>`,
        `    <author><name>${xml(content.byline)}</name></author>`,
        `    <link rel="alternate" type="application/json" href="${xml(documentUrl(c, a.articleId))}"/>`,
        ...(content.section === undefined
          ? []
          : [`    <category term="${xml(content.section)}"/>`]),
        ...content.tags.map((t) => `    <category term="${xml(t)}"/>`),
        ...(content.summary === undefined
          ? []
          : [`    <summary type="text">${xml(content.summary)}</summary>`]),
        `    <content type="html">${xml(articleHtml(content.blocks, noticesOf(a)))}</content>`,
        `    <rights>${xml(`© ${content.publisher.name}`)}</rights>`,
        '  </entry>',
      ].join('\n');
    }),
    ...data.removals.map((r) =>
      [
        `  <at:deleted-entry ref="${xml(articleUri(r.articleId))}" when="${rfc3339(r.at)}">`,
        `    <at:comment>${xml(r.kind === 'retracted' ? (r.notice ?? 'retracted') : 'unpublished')}</at:comment>`,
        '  </at:deleted-entry>',
      ].join('\n'),
    ),
    '</feed>',
  ];
  return `${lines.join('\n')}\n`;
};
