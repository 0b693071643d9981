/**
 * The feeds as a consumer reads them, through rss-parser: a feed-parsing library independent of
 * the code that writes them. RSS, Atom (with RFC 6721 tombstones) and JSON Feed 1.1.
 */
import Parser from 'rss-parser';

export interface ParsedEntry {
  readonly id: string;
  readonly title: string;
  readonly published: string;
  readonly updated?: string;
  readonly html: string;
}

export interface ParsedFeed {
  readonly entries: readonly ParsedEntry[];
  readonly deleted: readonly {
    readonly ref: string;
    readonly when: string;
    readonly comment: string;
  }[];
  readonly next?: string;
}

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const parser = new Parser<Loose, Loose>({
  customFields: {
    feed: [
      ['at:deleted-entry', 'deleted', { keepArray: true }] as unknown as string,
      ['atom:link', 'atomLinks', { keepArray: true }] as unknown as string,
      ['link', 'links', { keepArray: true }] as unknown as string,
    ],
    item: ['updated', 'guid', 'description'],
  },
});

const nextOf = (links: Loose[] | undefined): string | undefined =>
  (links ?? []).map((l) => l?.['$'] ?? {}).find((a: Loose) => a['rel'] === 'next')?.['href'];

/** An RSS 2.0 or Atom document, parsed. */
export const parseXmlFeed = async (text: string): Promise<ParsedFeed> => {
  const feed = await parser.parseString(text);
  return {
    entries: feed.items.map((i: Loose) => ({
      id: String(i['id'] ?? i['guid'] ?? ''),
      title: String(i['title'] ?? ''),
      published: String(i['pubDate'] ?? ''),
      ...(i['updated'] === undefined ? {} : { updated: String(i['updated']) }),
      html: String(i['content'] ?? i['description'] ?? ''),
    })),
    deleted: ((feed['deleted'] as Loose[] | undefined) ?? []).map((d) => ({
      ref: String(d['$']?.['ref'] ?? ''),
      when: String(d['$']?.['when'] ?? ''),
      comment: String(d['at:comment']?.[0] ?? ''),
    })),
    ...(() => {
      const next = nextOf(feed['atomLinks']) ?? nextOf(feed['links']);
      return next === undefined ? {} : { next };
    })(),
  };
};

/** A JSON Feed 1.1 document, checked for what the version requires and read the same way. */
export const parseJsonFeed = (text: string): ParsedFeed => {
  const feed = JSON.parse(text) as Loose;
  if (feed['version'] !== 'https://jsonfeed.org/version/1.1') throw new Error('not JSON Feed 1.1');
  if (typeof feed['title'] !== 'string' || !Array.isArray(feed['items'])) {
    throw new Error('JSON Feed 1.1 needs a title and items');
  }
  return {
    entries: (feed['items'] as Loose[]).map((i) => {
      if (typeof i['id'] !== 'string') throw new Error('a JSON Feed item needs a string id');
      return {
        id: i['id'],
        title: String(i['title'] ?? ''),
        published: String(i['date_published'] ?? ''),
        ...(i['date_modified'] === undefined ? {} : { updated: String(i['date_modified']) }),
        html: String(i['content_html'] ?? ''),
      };
    }),
    deleted: [],
    ...(typeof feed['next_url'] === 'string' ? { next: feed['next_url'] } : {}),
  };
};

/** The text a reader sees in an entry's HTML: tags dropped, entities decoded. */
export const htmlText = (html: string): string =>
  html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
