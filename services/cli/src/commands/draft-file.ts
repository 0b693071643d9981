/**
 * A draft's content from a file, its texts exactly as the file has them (never normalized or
 * "corrected": the instance judges them, and refuses what its codec refuses, naming the field):
 *
 * - JSON (`.json`): an article content, or the portal's structured view (tests/fixtures): the
 *   content's members are taken (headline, byline, language, publisher, blocks, summary,
 *   section, tags, slug), the view's own (source, note, timeZone, publishedLocal) left out;
 * - plain text (anything else), laid out like the seed article's page: the headline on the first
 *   line, then (optionally) the date line ("Thời gian: 08/04/2019 20:59" or "08/04/2019 20:59"),
 *   then the paragraphs separated by blank lines, and the byline as the last paragraph. The date
 *   line is not content (the store records when each version was written and published).
 */
import { readFileSync } from 'node:fs';

export const DEFAULT_PUBLISHER = 'Cổng thông tin điện tử thành phố Hải Phòng';

const CONTENT_MEMBERS = [
  'headline',
  'byline',
  'language',
  'publisher',
  'blocks',
  'summary',
  'section',
  'tags',
  'slug',
] as const;

const DATE_LINE = /^(?:Thời gian:\s*)?\d{1,2}\/\d{1,2}\/\d{4}(?:\s+\d{1,2}:\d{2})?$/;

export interface DraftDefaults {
  readonly publisher?: string;
  readonly language?: string;
}

/** The content of a plain-text article, as the header says. */
export const contentOfText = (text: string, defaults: DraftDefaults = {}) => {
  const chunks = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n(?:[ \t]*\r?\n)+/)
    .map((chunk) => chunk.replace(/\r?\n$/, '').replace(/\r\n/g, '\n'))
    .filter((chunk) => chunk.trim() !== '');
  const [first, ...rest] = chunks;
  if (first === undefined) throw new Error('the file is empty');
  const [headline, ...firstRest] = first.split('\n');
  // The date line: right under the headline, or in a paragraph of its own after it.
  const body = [...(firstRest.length > 0 ? [firstRest.join('\n')] : []), ...rest];
  if (body[0] !== undefined && DATE_LINE.test(body[0].trim())) body.shift();
  const byline = body.pop();
  if (byline === undefined || body.length === 0) {
    throw new Error('a plain-text article is a headline, paragraphs and a byline, each apart');
  }
  return {
    headline: headline!,
    byline,
    language: defaults.language ?? 'vi',
    publisher: { name: defaults.publisher ?? DEFAULT_PUBLISHER },
    blocks: body.map((paragraph) => ({ kind: 'paragraph', text: paragraph })),
  };
};

/** The content of a JSON article (a content, or the portal's structured view). */
export const contentOfJson = (value: unknown, defaults: DraftDefaults = {}) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('a JSON article is an object');
  }
  const given = value as Record<string, unknown>;
  const content: Record<string, unknown> = Object.fromEntries(
    CONTENT_MEMBERS.filter((k) => given[k] !== undefined).map((k) => [k, given[k]]),
  );
  if (content['publisher'] === undefined) {
    content['publisher'] = { name: defaults.publisher ?? DEFAULT_PUBLISHER };
  }
  if (defaults.language !== undefined) content['language'] = defaults.language;
  return content;
};

export const contentOfFile = (file: string, defaults: DraftDefaults = {}) => {
  const text = readFileSync(file, 'utf8');
  return file.endsWith('.json')
    ? contentOfJson(JSON.parse(text), defaults)
    : contentOfText(text, defaults);
};
