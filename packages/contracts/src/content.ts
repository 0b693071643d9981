/**
 * Article content as written by the newsroom. Every text is NFC and otherwise verbatim.
 *
 * Limits (Unicode code points after NFC):
 *   headline 1..500, summary 1..2000, byline 1..300, section 1..100, tag 1..100 (≤ 50 tags),
 *   slug ≤ 200; blocks 1..1000; paragraph 1..20000, heading 1..500, quote 1..10000,
 *   attribution 1..300, list 1..500 items of 1..5000, image caption 1..2000, credit 1..300,
 *   alt 1..2000, src ≤ 2048 (absolute http(s) URL); publisher name 1..300, other publisher
 *   fields 0..1000 (≤ 50 fields, field names 1..100 characters).
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { boundedArray, isPlainObject, strict, taggedUnion, withDefault } from './codec.js';
import { boundedText, HttpUrl, LanguageTag, NfcText, Slug } from './text.js';

export const Headline = boundedText('Headline', 500);
export const Summary = boundedText('Summary', 2000);
export const Byline = boundedText('Byline', 300);
export const Section = boundedText('Section', 100);
export const Tag = boundedText('Tag', 100);
export const ParagraphText = boundedText('ParagraphText', 20_000);
export const HeadingText = boundedText('HeadingText', 500);
export const QuoteText = boundedText('QuoteText', 10_000);
export const Attribution = boundedText('Attribution', 300);
export const ListItemText = boundedText('ListItemText', 5000);
export const Caption = boundedText('Caption', 2000);
export const Credit = boundedText('Credit', 300);
export const AltText = boundedText('AltText', 2000);
export const PublisherName = boundedText('PublisherName', 300);
export const PublisherField = boundedText('PublisherField', 1000, { nonEmpty: false });

export const HeadingLevel = new t.Type<2 | 3 | 4 | 5 | 6, number, unknown>(
  'HeadingLevel',
  (u): u is 2 | 3 | 4 | 5 | 6 => u === 2 || u === 3 || u === 4 || u === 5 || u === 6,
  (u, c) =>
    u === 2 || u === 3 || u === 4 || u === 5 || u === 6
      ? t.success(u)
      : t.failure(u, c, 'expected a heading level 2..6'),
  t.identity,
);
export type HeadingLevel = t.TypeOf<typeof HeadingLevel>;

export const ParagraphBlock = strict(
  { kind: t.literal('paragraph'), text: ParagraphText },
  {},
  'ParagraphBlock',
);
export type ParagraphBlock = t.TypeOf<typeof ParagraphBlock>;

export const HeadingBlock = strict(
  { kind: t.literal('heading'), level: HeadingLevel, text: HeadingText },
  {},
  'HeadingBlock',
);
export type HeadingBlock = t.TypeOf<typeof HeadingBlock>;

export const QuoteBlock = strict(
  { kind: t.literal('quote'), text: QuoteText },
  { attribution: Attribution },
  'QuoteBlock',
);
export type QuoteBlock = t.TypeOf<typeof QuoteBlock>;

export const ListBlock = strict(
  {
    kind: t.literal('list'),
    ordered: t.boolean,
    items: boundedArray(ListItemText, 1, 500, 'ListItems'),
  },
  {},
  'ListBlock',
);
export type ListBlock = t.TypeOf<typeof ListBlock>;

export const ImageBlock = strict(
  { kind: t.literal('image'), caption: Caption },
  { credit: Credit, src: HttpUrl, alt: AltText },
  'ImageBlock',
);
export type ImageBlock = t.TypeOf<typeof ImageBlock>;

export const Block = taggedUnion(
  'kind',
  {
    paragraph: ParagraphBlock,
    heading: HeadingBlock,
    quote: QuoteBlock,
    list: ListBlock,
    image: ImageBlock,
  },
  'Block',
);
export type Block = t.TypeOf<typeof Block>;
export type BlockKind = Block['kind'];

const MAX_PUBLISHER_FIELDS = 50;
const MAX_FIELD_NAME = 100;

/**
 * The publishing body: a required `name` and any other string fields, all kept verbatim
 * (NFC) in their order. Nothing is dropped: a non-string field is an error at its path.
 */
export const Publisher = new t.Type<
  { readonly name: string } & { readonly [field: string]: string },
  { readonly name: string } & { readonly [field: string]: string },
  unknown
>(
  'Publisher',
  (u): u is { readonly name: string } & { readonly [field: string]: string } =>
    isPlainObject(u) &&
    PublisherName.is(u['name']) &&
    Object.keys(u).length <= MAX_PUBLISHER_FIELDS &&
    Object.entries(u).every(
      ([k, v]) => k.length > 0 && k.length <= MAX_FIELD_NAME && PublisherField.is(v),
    ),
  (u, c) => {
    if (!isPlainObject(u)) return t.failure(u, c, 'expected an object');
    if (Object.keys(u).length > MAX_PUBLISHER_FIELDS)
      return t.failure(u, c, `must have at most ${MAX_PUBLISHER_FIELDS} fields`);
    const errors: t.ValidationError[] = [];
    const out: Record<string, string> = {};
    if (!Object.hasOwn(u, 'name')) {
      errors.push({
        value: undefined,
        context: t.appendContext(c, 'name', PublisherName, undefined),
        message: 'required',
      });
    }
    for (const [key, value] of Object.entries(u)) {
      const codec = key === 'name' ? PublisherName : PublisherField;
      const context = t.appendContext(c, key, codec, value);
      if (key.length === 0 || key.length > MAX_FIELD_NAME || !NfcText.is(key)) {
        errors.push({
          value,
          context,
          message: `field names must be 1..${MAX_FIELD_NAME} characters of NFC text`,
        });
        continue;
      }
      const result = codec.validate(value, context);
      if (E.isLeft(result)) errors.push(...result.left);
      else out[key] = result.right;
    }
    return errors.length > 0
      ? t.failures(errors)
      : t.success(out as { readonly name: string } & { readonly [field: string]: string });
  },
  t.identity,
);
export type Publisher = t.TypeOf<typeof Publisher>;

export const Content = strict(
  {
    headline: Headline,
    blocks: boundedArray(Block, 1, 1000, 'Blocks'),
    byline: Byline,
    language: withDefault(LanguageTag, 'vi'),
    tags: withDefault(boundedArray(Tag, 0, 50, 'Tags'), []),
    publisher: Publisher,
  },
  { summary: Summary, section: Section, slug: Slug },
  'Content',
);
export type Content = t.TypeOf<typeof Content>;
