/**
 * An article as an IPTC ninjs 3.1 document (https://iptc.org/std/ninjs/), built from what the
 * syndication read model holds: the published content exactly as the event holds it, its
 * version and times in the publisher's offset. Pure: the same snapshot gives the same document.
 *
 * - `uri`: `urn:newsroom:article:<uuid>`, stable for every version and channel (the public
 *   topic's key too);
 * - `version`: the published version ("1", "2" after a correction), as the schema's string;
 * - `pubStatus`: `usable` while published, `canceled` once unpublished or retracted (the
 *   canceled document carries no body: the text is no longer offered);
 * - the correction notice: a `descriptions` entry with role `correction` per published
 *   correction (newest first). ninjs 3.1 has no correction property; `descriptions` are the
 *   provider's texts about the item with a role to tell them apart, and unlike `edNote` they
 *   are meant to be shown. The retraction notice is a `descriptions` entry, role `retraction`.
 */
import type { Content } from '@newsroom/contracts';
import { rfc3339 } from '@newsroom/service-kit';
import { blocksHtml, blocksText } from './html.js';

export interface PublicCorrectionNotice {
  readonly version: number;
  readonly notice: string;
  readonly at: string;
}

/** What a document is built from: the read model's row at one change. */
export interface ArticleSnapshot {
  readonly articleId: string;
  readonly version: number;
  readonly content: Content;
  /** First publication; the last publication, correction or withdrawal. */
  readonly firstPublishedAt: string;
  readonly updatedAt: string;
  readonly embargoedUntil: string | null;
  readonly corrections: readonly PublicCorrectionNotice[];
  readonly status: 'published' | 'unpublished' | 'retracted';
  /** The retraction's public notice. */
  readonly notice: string | null;
}

export interface NinjsOptions {
  /** ninjs' `located`: where the content comes from (default Hải Phòng, the portal's city). */
  readonly located?: string;
}

export const articleUri = (articleId: string): string => `urn:newsroom:article:${articleId}`;

export const NINJS_STANDARD = {
  name: 'ninjs',
  version: '3.1',
  schema: 'http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#',
} as const;

export type NinjsDocument = Record<string, unknown> & { readonly uri: string };

export const toNinjs = (a: ArticleSnapshot, options: NinjsOptions = {}): NinjsDocument => {
  const c = a.content;
  const usable = a.status === 'published';
  const descriptions = [
    // A withdrawn text is offered no more: its summary goes with its bodies.
    ...(c.summary === undefined || !usable
      ? []
      : [{ role: 'summary', contentType: 'text/plain', value: c.summary }]),
    ...[...a.corrections]
      .reverse()
      .map((k) => ({ role: 'correction', contentType: 'text/plain', value: k.notice })),
    ...(a.status === 'retracted' && a.notice !== null
      ? [{ role: 'retraction', contentType: 'text/plain', value: a.notice }]
      : []),
  ];
  return {
    uri: articleUri(a.articleId),
    standard: NINJS_STANDARD,
    type: 'text',
    representationType: 'full',
    version: String(a.version),
    firstCreated: rfc3339(a.firstPublishedAt),
    versionCreated: rfc3339(a.updatedAt),
    ...(a.embargoedUntil === null ? {} : { embargoedUntil: rfc3339(a.embargoedUntil) }),
    pubStatus: usable ? 'usable' : 'canceled',
    language: c.language,
    headlines: [{ role: 'main', contentType: 'text/plain', value: c.headline }],
    ...(descriptions.length === 0 ? {} : { descriptions }),
    ...(usable
      ? {
          bodies: [
            { role: 'main', contentType: 'text/plain', value: blocksText(c.blocks) },
            { role: 'richtext', contentType: 'text/html', value: blocksHtml(c.blocks) },
          ],
        }
      : {}),
    by: c.byline,
    located: options.located ?? 'Hải Phòng',
    subjects: [
      ...(c.section === undefined ? [] : [{ name: c.section, rel: 'section' }]),
      ...c.tags.map((tag) => ({ name: tag, rel: 'tag' })),
    ],
    ...(c.slug === undefined ? {} : { slugline: c.slug }),
    copyrightHolder: c.publisher.name,
    copyrightNotice: `© ${c.publisher.name}`,
    altIds: [{ role: 'articleId', value: a.articleId }],
  };
};
