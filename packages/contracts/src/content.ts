/**
 * Article content as written by the newsroom. Every text is NFC and otherwise verbatim.
 *
 * Limits (Unicode code points after NFC):
 *   headline 1..500, summary 1..2000, byline 1..300, section 1..100, tag 1..100 (≤ 50 tags),
 *   slug ≤ 200; blocks 1..1000; paragraph 1..20000, heading 1..500, quote 1..10000,
 *   attribution 1..300, list 1..500 items of 1..5000, image caption 1..2000, credit 1..300,
 *   alt 1..2000, src ≤ 2048 (absolute http(s) URL); publisher name 1..300, other publisher
 *   fields 0..1000 (≤ 50 fields, field names 1..100 characters).
 *
 * Two families of the same codecs, by text rule (`TextRule`): `Content` and its parts are
 * what a command may send (every required text has a visible character); `RecordedContent` is
 * content as stored events hold it (required texts not blank: the rule they were written
 * under), so that no stored event becomes unreadable when the command rule is tightened.
 */
import * as t from 'io-ts';
import { describeCodec } from './json-schema.js';
import * as E from 'fp-ts/lib/Either.js';
import { boundedArray, isPlainObject, setOwn, strict, taggedUnion, withDefault } from './codec.js';
import { boundedText, HttpUrl, LanguageTag, NfcText, RecordedHttpUrl, Slug } from './text.js';
import type { TextRule } from './text.js';

export const HeadingLevel = new t.Type<2 | 3 | 4 | 5 | 6, number, unknown>(
  'HeadingLevel',
  (u): u is 2 | 3 | 4 | 5 | 6 => u === 2 || u === 3 || u === 4 || u === 5 || u === 6,
  (u, c) =>
    u === 2 || u === 3 || u === 4 || u === 5 || u === 6
      ? t.success(u)
      : t.failure(u, c, 'expected a heading level 2..6'),
  t.identity,
);
describeCodec(HeadingLevel, { type: 'integer', enum: [2, 3, 4, 5, 6] });
export type HeadingLevel = t.TypeOf<typeof HeadingLevel>;

const MAX_PUBLISHER_FIELDS = 50;
const MAX_FIELD_NAME = 100;

/**
 * The publishing body: a required `name` and any other string fields, all kept verbatim
 * (NFC) in their order. Nothing is dropped: a non-string field is an error at its path.
 */
const publisherCodec = (
  PublisherName: t.Type<string, string, unknown>,
  PublisherField: t.Type<string, string, unknown>,
  name: string,
) => {
  const codec = new t.Type<
    { readonly name: string } & { readonly [field: string]: string },
    { readonly name: string } & { readonly [field: string]: string },
    unknown
  >(
    name,
    (u): u is { readonly name: string } & { readonly [field: string]: string } =>
      isPlainObject(u) &&
      PublisherName.is(u['name']) &&
      Object.keys(u).length <= MAX_PUBLISHER_FIELDS &&
      Object.entries(u).every(
        ([k, v]) =>
          k !== '__proto__' &&
          k.length > 0 &&
          k.length <= MAX_FIELD_NAME &&
          NfcText.is(k) &&
          (k === 'name' ? PublisherName.is(v) : PublisherField.is(v)),
      ),
    (u, c) => {
      if (!isPlainObject(u)) return t.failure(u, c, 'expected an object');
      if (Object.hasOwn(u, '__proto__')) {
        // Kept as a field it would be a trap for every consumer that copies fields by name.
        const value = u['__proto__'];
        const context = t.appendContext(c, '__proto__', PublisherField, value);
        return t.failure(value, context, 'the field name "__proto__" is reserved');
      }
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
        else setOwn(out, key, result.right); // `__proto__` too, as its own field
      }
      return errors.length > 0
        ? t.failures(errors)
        : t.success(out as { readonly name: string } & { readonly [field: string]: string });
    },
    t.identity,
  );
  return describeCodec(codec, (of) => ({
    type: 'object',
    properties: { name: of(PublisherName) },
    required: ['name'],
    additionalProperties: of(PublisherField),
    maxProperties: MAX_PUBLISHER_FIELDS,
    propertyNames: { minLength: 1, maxLength: MAX_FIELD_NAME },
  }));
};
export type Publisher = { readonly name: string } & { readonly [field: string]: string };

/** Every content codec, each text held to `rule`; `prefix` names the family in errors. */
const contentCodecs = (rule: TextRule, prefix: '' | 'Recorded') => {
  const text = (name: string, max: number) => boundedText(`${prefix}${name}`, max, rule);
  const Headline = text('Headline', 500);
  const Summary = text('Summary', 2000);
  const Byline = text('Byline', 300);
  const Section = text('Section', 100);
  const Tag = text('Tag', 100);
  const ParagraphText = text('ParagraphText', 20_000);
  const HeadingText = text('HeadingText', 500);
  const QuoteText = text('QuoteText', 10_000);
  const Attribution = text('Attribution', 300);
  const ListItemText = text('ListItemText', 5000);
  const Caption = text('Caption', 2000);
  const Credit = text('Credit', 300);
  const AltText = text('AltText', 2000);
  const PublisherName = text('PublisherName', 300);
  const PublisherField = boundedText(`${prefix}PublisherField`, 1000, 'any');
  const Url = rule === 'visible' ? HttpUrl : RecordedHttpUrl;

  const ParagraphBlock = strict(
    { kind: t.literal('paragraph'), text: ParagraphText },
    {},
    `${prefix}ParagraphBlock`,
  );
  const HeadingBlock = strict(
    { kind: t.literal('heading'), level: HeadingLevel, text: HeadingText },
    {},
    `${prefix}HeadingBlock`,
  );
  const QuoteBlock = strict(
    { kind: t.literal('quote'), text: QuoteText },
    { attribution: Attribution },
    `${prefix}QuoteBlock`,
  );
  const ListBlock = strict(
    {
      kind: t.literal('list'),
      ordered: t.boolean,
      items: boundedArray(ListItemText, 1, 500, `${prefix}ListItems`),
    },
    {},
    `${prefix}ListBlock`,
  );
  const ImageBlock = strict(
    { kind: t.literal('image'), caption: Caption },
    { credit: Credit, src: Url, alt: AltText },
    `${prefix}ImageBlock`,
  );
  const Block = taggedUnion(
    'kind',
    {
      paragraph: ParagraphBlock,
      heading: HeadingBlock,
      quote: QuoteBlock,
      list: ListBlock,
      image: ImageBlock,
    },
    `${prefix}Block`,
  );
  const Publisher = publisherCodec(PublisherName, PublisherField, `${prefix}Publisher`);
  const Content = strict(
    {
      headline: Headline,
      blocks: boundedArray(Block, 1, 1000, `${prefix}Blocks`),
      byline: Byline,
      language: withDefault(LanguageTag, 'vi'),
      tags: withDefault(boundedArray(Tag, 0, 50, `${prefix}Tags`), []),
      publisher: Publisher,
    },
    { summary: Summary, section: Section, slug: Slug },
    `${prefix}Content`,
  );
  return {
    Headline,
    Summary,
    Byline,
    Section,
    Tag,
    ParagraphText,
    HeadingText,
    QuoteText,
    Attribution,
    ListItemText,
    Caption,
    Credit,
    AltText,
    PublisherName,
    PublisherField,
    ParagraphBlock,
    HeadingBlock,
    QuoteBlock,
    ListBlock,
    ImageBlock,
    Block,
    Publisher,
    Content,
  };
};

/** What a command may send. */
export const {
  Headline,
  Summary,
  Byline,
  Section,
  Tag,
  ParagraphText,
  HeadingText,
  QuoteText,
  Attribution,
  ListItemText,
  Caption,
  Credit,
  AltText,
  PublisherName,
  PublisherField,
  ParagraphBlock,
  HeadingBlock,
  QuoteBlock,
  ListBlock,
  ImageBlock,
  Block,
  Publisher,
  Content,
} = contentCodecs('visible', '');

export type ParagraphBlock = t.TypeOf<typeof ParagraphBlock>;
export type HeadingBlock = t.TypeOf<typeof HeadingBlock>;
export type QuoteBlock = t.TypeOf<typeof QuoteBlock>;
export type ListBlock = t.TypeOf<typeof ListBlock>;
export type ImageBlock = t.TypeOf<typeof ImageBlock>;
export type Block = t.TypeOf<typeof Block>;
export type BlockKind = Block['kind'];
export type Content = t.TypeOf<typeof Content>;

/** Content as stored events hold it (decoded to the same type). */
export const RecordedContent = contentCodecs('nonBlank', 'Recorded').Content;
