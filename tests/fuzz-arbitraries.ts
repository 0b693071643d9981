/**
 * Shared generators for the property-based fuzz tests (codecs and HTTP routes).
 *
 * Every boundary codec of @newsroom/contracts is described here as a `Shape`: written from the
 * documented contract (README, content.ts limits), not derived from the codecs, so that a codec
 * that drifts from its contract is caught. From a shape come:
 * - `validOf`: valid values (real Vietnamese text, NFD input, emoji, boundary lengths, boundary
 *   array sizes, `constructor`-like publisher fields, upper-case uuids...);
 * - `expectDecoded`: what the codec must decode a valid value to (NFC text, lower-case uuids,
 *   defaults filled in, nothing dropped, everything else verbatim);
 * - `mutantOf`: one mutation of a valid value (a field replaced, removed or added, deep
 *   nesting, huge arrays, lone surrogates, NUL, blank and invisible-only text, `__proto__`
 *   keys...), labelled with whether the result is still valid or invalid at which path.
 */
import fc from 'fast-check';
import { setOwn } from '@newsroom/contracts';

// ---------------------------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------------------------

/** What a text must hold: commands `visible`, stored records `nonBlank`, some fields `any`. */
export type TextRule = 'visible' | 'nonBlank' | 'any';

export type PatternKind =
  | 'uuid'
  | 'iso'
  | 'lang'
  | 'slug'
  | 'url'
  | 'identifier'
  | 'actorId'
  | 'recordedActorId'
  | 'decimal'
  | 'sha256'
  | 'traceparent';

export type Leaf =
  /** NFC text (decoded to NFC), at most `max` code points after NFC. */
  | { readonly k: 'text'; readonly max: number; readonly rule: TextRule }
  /** Any string, verbatim (t.string). */
  | { readonly k: 'string' }
  /** Checked as is, kept verbatim (uuid: decoded to lower case). */
  | { readonly k: 'pattern'; readonly kind: PatternKind }
  | { readonly k: 'int'; readonly min: number; readonly max: number }
  | { readonly k: 'bool' }
  | { readonly k: 'literal'; readonly value: string }
  | { readonly k: 'enum'; readonly values: readonly (string | number)[] };

export interface ObjectShape {
  readonly k: 'object';
  readonly required: Readonly<Record<string, Shape>>;
  readonly optional: Readonly<Record<string, Shape>>;
  /** Required keys that may be absent, decoded to these values. */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** Extension members allowed (problem details); otherwise an unknown key is an error. */
  readonly open: boolean;
}

export interface ArrayShape {
  readonly k: 'array';
  readonly item: Shape;
  readonly min: number;
  readonly max: number;
}

export interface UnionShape {
  readonly k: 'union';
  readonly tag: string;
  readonly members: Readonly<Record<string, ObjectShape>>;
}

/** `{ name, ...fields }`: ≤ 50 fields, names 1..100 characters of NFC text, string values. */
export interface PublisherShape {
  readonly k: 'publisher';
  readonly name: Shape;
  readonly field: Shape;
}

export type Shape = Leaf | ObjectShape | ArrayShape | UnionShape | PublisherShape;

const text = (max: number, rule: TextRule): Leaf => ({ k: 'text', max, rule });
const pattern = (kind: PatternKind): Leaf => ({ k: 'pattern', kind });
const lit = (value: string): Leaf => ({ k: 'literal', value });
const oneOf = (values: readonly (string | number)[]): Leaf => ({ k: 'enum', values });
const int = (min: number, max = Number.MAX_SAFE_INTEGER): Leaf => ({ k: 'int', min, max });
const bool: Leaf = { k: 'bool' };
const str: Leaf = { k: 'string' };
const obj = (
  required: Record<string, Shape>,
  optional: Record<string, Shape> = {},
  defaults: Record<string, unknown> = {},
  open = false,
): ObjectShape => ({ k: 'object', required, optional, defaults, open });
const arr = (item: Shape, min: number, max: number): ArrayShape => ({ k: 'array', item, min, max });
const union = (tag: string, members: Record<string, ObjectShape>): UnionShape => ({
  k: 'union',
  tag,
  members,
});
/** A strict header merged with a tagged union body (contracts' `withHeader`). */
const withHeader = (header: ObjectShape, body: UnionShape): UnionShape =>
  union(
    body.tag,
    Object.fromEntries(
      Object.entries(body.members).map(([tag, member]) => [
        tag,
        obj(
          { ...header.required, ...member.required },
          { ...header.optional, ...member.optional },
          { ...header.defaults, ...member.defaults },
        ),
      ]),
    ),
  );

export const CALLER_ROLES = ['reporter', 'editor', 'publisher', 'auditor', 'admin'] as const;
export const ROLES = [...CALLER_ROLES, 'system'] as const;
export const ARTICLE_STATUSES = [
  'Initial',
  'Draft',
  'InReview',
  'ChangesRequested',
  'Approved',
  'Rejected',
  'Scheduled',
  'Published',
  'Unpublished',
  'Retracted',
  'Discarded',
] as const;
export const COMMAND_TYPES = [
  'CreateDraft',
  'ReviseDraft',
  'SubmitForReview',
  'WithdrawSubmission',
  'DiscardDraft',
  'AssignReviewer',
  'RequestChanges',
  'ApproveArticle',
  'RejectArticle',
  'PublishArticle',
  'ReleaseScheduledPublication',
  'CancelSchedule',
  'CorrectArticle',
  'PublishCorrection',
  'UnpublishArticle',
  'RetractArticle',
] as const;
export type CommandTypeName = (typeof COMMAND_TYPES)[number];

const uuid = pattern('uuid');
const iso = pattern('iso');
const nonNegative = int(0);

/** Content and its parts, every required text held to `rule` (content.ts). */
export const contentShapes = (rule: 'visible' | 'nonBlank') => {
  const t = (max: number) => text(max, rule);
  const ParagraphBlock = obj({ kind: lit('paragraph'), text: t(20_000) });
  const HeadingBlock = obj({ kind: lit('heading'), level: oneOf([2, 3, 4, 5, 6]), text: t(500) });
  const QuoteBlock = obj({ kind: lit('quote'), text: t(10_000) }, { attribution: t(300) });
  const ListBlock = obj({ kind: lit('list'), ordered: bool, items: arr(t(5000), 1, 500) });
  const ImageBlock = obj(
    { kind: lit('image'), caption: t(2000) },
    { credit: t(300), src: pattern('url'), alt: t(2000) },
  );
  const Block = union('kind', {
    paragraph: ParagraphBlock,
    heading: HeadingBlock,
    quote: QuoteBlock,
    list: ListBlock,
    image: ImageBlock,
  });
  const Publisher: PublisherShape = { k: 'publisher', name: t(300), field: text(1000, 'any') };
  const Content = obj(
    {
      headline: t(500),
      blocks: arr(Block, 1, 1000),
      byline: t(300),
      language: pattern('lang'),
      tags: arr(t(100), 0, 50),
      publisher: Publisher,
    },
    { summary: t(2000), section: t(100), slug: pattern('slug') },
    { language: 'vi', tags: [] },
  );
  return {
    Headline: t(500),
    Summary: t(2000),
    Byline: t(300),
    Section: t(100),
    Tag: t(100),
    ParagraphText: t(20_000),
    HeadingText: t(500),
    QuoteText: t(10_000),
    Attribution: t(300),
    ListItemText: t(5000),
    Caption: t(2000),
    Credit: t(300),
    AltText: t(2000),
    PublisherName: t(300),
    PublisherField: text(1000, 'any'),
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

const noteShapes = (rule: 'visible' | 'nonBlank') => {
  const ReviewComment = obj({ text: text(5000, rule) }, { blockIndex: nonNegative });
  return {
    Note: text(2000, rule),
    Reason: text(2000, rule),
    Notice: text(2000, rule),
    CommentText: text(5000, rule),
    ReviewComment,
    ReviewComments: arr(ReviewComment, 1, 200),
  };
};

const content = contentShapes('visible');
const recorded = contentShapes('nonBlank');
const notes = noteShapes('visible');
const recordedNotes = noteShapes('nonBlank');

const Actor = obj({ id: pattern('actorId'), role: oneOf(ROLES) });
const RecordedActor = obj({ id: pattern('recordedActorId'), role: oneOf(ROLES) });

const EMPTY_DATA: ReadonlySet<CommandTypeName> = new Set([
  'SubmitForReview',
  'WithdrawSubmission',
  'DiscardDraft',
  'ApproveArticle',
  'ReleaseScheduledPublication',
  'CancelSchedule',
  'PublishCorrection',
]);

const PublishNow = obj({ mode: lit('now') });
const PublishScheduled = obj({ mode: lit('scheduled'), at: iso });
const PublishEmbargoed = obj({ mode: lit('embargoed'), until: iso });
const PublicationMode = union('mode', {
  now: PublishNow,
  scheduled: PublishScheduled,
  embargoed: PublishEmbargoed,
});

/** The `data` of each command (commands.ts). */
export const commandData: Readonly<Record<CommandTypeName, ObjectShape | UnionShape>> = {
  CreateDraft: obj({ content: content.Content }),
  ReviseDraft: obj({ content: content.Content }, { note: notes.Note }),
  SubmitForReview: obj({}),
  WithdrawSubmission: obj({}),
  DiscardDraft: obj({}, { reason: notes.Reason }),
  AssignReviewer: obj({ reviewerId: pattern('actorId') }),
  RequestChanges: obj({ comments: notes.ReviewComments }),
  ApproveArticle: obj({}, { note: notes.Note }),
  RejectArticle: obj({ reason: notes.Reason }),
  PublishArticle: PublicationMode,
  ReleaseScheduledPublication: obj({}),
  CancelSchedule: obj({}, { reason: notes.Reason }),
  CorrectArticle: obj({ content: content.Content, notice: notes.Notice }),
  PublishCorrection: obj({}),
  UnpublishArticle: obj({ reason: notes.Reason }),
  RetractArticle: obj({ reason: notes.Reason, notice: notes.Notice }),
};

const commandShape = (type: CommandTypeName): ObjectShape =>
  obj({ type: lit(type), data: commandData[type] }, {}, EMPTY_DATA.has(type) ? { data: {} } : {});

/** The HTTP body of a command route: `{ data, commandId? }` (+ `articleId?` when it creates). */
export const requestShape = (type: CommandTypeName, creates: boolean): ObjectShape =>
  obj(
    { data: commandData[type] },
    creates ? { commandId: uuid, articleId: uuid } : { commandId: uuid },
    EMPTY_DATA.has(type) ? { data: {} } : {},
  );

const commands = Object.fromEntries(COMMAND_TYPES.map((t) => [t, commandShape(t)])) as Record<
  CommandTypeName,
  ObjectShape
>;
const ArticleCommandBody = union('type', commands);
const CommandEnvelopeHeader = obj(
  { commandId: uuid, articleId: uuid },
  { expectedRevision: nonNegative },
);
const CommandContext = obj({ articleId: uuid, commandId: uuid, actor: Actor, now: iso });

const event = (
  type: string,
  required: Record<string, Shape> = {},
  optional: Record<string, Shape> = {},
): ObjectShape =>
  obj({
    type: lit(type),
    data: obj({ articleId: uuid, at: iso, by: RecordedActor, ...required }, optional),
  });

const rc = recorded.Content;
const rn = recordedNotes;
const events = {
  DraftCreated: event('DraftCreated.v1', { content: rc }),
  DraftRevised: event('DraftRevised.v1', { content: rc }, { note: rn.Note }),
  SubmittedForReview: event('SubmittedForReview.v1'),
  SubmissionWithdrawn: event('SubmissionWithdrawn.v1'),
  DraftDiscarded: event('DraftDiscarded.v1', {}, { reason: rn.Reason }),
  ReviewerAssigned: event('ReviewerAssigned.v1', { reviewerId: pattern('recordedActorId') }),
  ChangesRequested: event('ChangesRequested.v1', { comments: rn.ReviewComments }),
  ArticleApproved: event('ArticleApproved.v1', {}, { note: rn.Note }),
  ArticleRejected: event('ArticleRejected.v1', { reason: rn.Reason }),
  PublicationScheduled: event('PublicationScheduled.v1', { embargo: bool, releaseAt: iso }),
  ScheduleCancelled: event('ScheduleCancelled.v1', {}, { reason: rn.Reason }),
  ArticlePublished: event('ArticlePublished.v1', { version: int(1), content: rc }),
  CorrectionDrafted: event('CorrectionDrafted.v1', { content: rc, notice: rn.Notice }),
  CorrectionApproved: event('CorrectionApproved.v1', {}, { note: rn.Note }),
  CorrectionRejected: event('CorrectionRejected.v1', { reason: rn.Reason }),
  CorrectionPublished: event('CorrectionPublished.v1', {
    version: int(1),
    notice: rn.Notice,
    content: rc,
  }),
  ArticleUnpublished: event('ArticleUnpublished.v1', { reason: rn.Reason }),
  ArticleRetracted: event('ArticleRetracted.v1', { reason: rn.Reason, notice: rn.Notice }),
};
const ArticleEvent = union(
  'type',
  Object.fromEntries(
    Object.values(events).map((e) => [(e.required['type'] as { value: string }).value, e]),
  ),
);

const rejection = (tag: string, props: Record<string, Shape> = {}): ObjectShape =>
  obj({ _tag: lit(tag), state: oneOf(ARTICLE_STATUSES), ...props });
const rejections = {
  ArticleNotFound: rejection('ArticleNotFound', { articleId: uuid }),
  ArticleAlreadyExists: rejection('ArticleAlreadyExists', { articleId: uuid }),
  RoleNotAllowed: rejection('RoleNotAllowed', {
    role: oneOf(ROLES),
    command: oneOf(COMMAND_TYPES),
  }),
  ApproverIsContributor: rejection('ApproverIsContributor', {
    approverId: pattern('recordedActorId'),
  }),
  ReviewerIsContributor: rejection('ReviewerIsContributor', {
    reviewerId: pattern('recordedActorId'),
  }),
  NoChange: rejection('NoChange'),
  ArticleNotDraft: rejection('ArticleNotDraft'),
  ArticleNotInReview: rejection('ArticleNotInReview'),
  ArticleNotApproved: rejection('ArticleNotApproved'),
  ArticleNotScheduled: rejection('ArticleNotScheduled'),
  ArticleNotPublished: rejection('ArticleNotPublished'),
  NoCorrectionPending: rejection('NoCorrectionPending'),
  CorrectionNotApproved: rejection('CorrectionNotApproved'),
  CorrectionAlreadyApproved: rejection('CorrectionAlreadyApproved'),
  ArticleIsFinal: rejection('ArticleIsFinal'),
  ArticleIsRetracted: rejection('ArticleIsRetracted'),
  ScheduleNotInFuture: rejection('ScheduleNotInFuture', { releaseAt: iso, now: iso }),
  ScheduleNotDue: rejection('ScheduleNotDue', { releaseAt: iso, now: iso }),
};
const ArticleRejection = union('_tag', rejections);

const FieldError = obj({ path: str, message: str });
/** RFC 9457: extension members are allowed, so the problem object is open. */
const ProblemDetails = obj(
  { type: str, title: str, status: int(100, 599) },
  {
    detail: str,
    instance: str,
    errors: arr(FieldError, 0, Infinity),
    currentRevision: nonNegative,
    rejection: ArticleRejection,
    errorsTruncated: bool,
  },
  {},
  true,
);

const EventMetadata = obj(
  {
    actor: RecordedActor,
    commandId: uuid,
    commandType: oneOf(COMMAND_TYPES),
    correlationId: pattern('identifier'),
    causationId: pattern('identifier'),
    occurredAt: iso,
  },
  { traceparent: pattern('traceparent') },
);

/**
 * The shape of every codec @newsroom/contracts exports, by export name (`RecordedNotes.Note`
 * for the members of an exported group of codecs).
 */
export const codecShapes: Readonly<Record<string, Shape>> = {
  // scalars (text.ts, actor.ts)
  NfcText: text(Infinity, 'any'),
  NonEmptyText: text(Infinity, 'nonBlank'),
  VisibleText: text(Infinity, 'visible'),
  Uuid: uuid,
  IsoDateTime: iso,
  Sha256Hex: pattern('sha256'),
  LanguageTag: pattern('lang'),
  Slug: pattern('slug'),
  HttpUrl: pattern('url'),
  // The same valid URLs; every invalid one of 'url' is refused by the record codec too.
  RecordedHttpUrl: pattern('url'),
  Identifier: pattern('identifier'),
  ActorId: pattern('actorId'),
  RecordedActorId: pattern('recordedActorId'),
  NonNegativeInt: nonNegative,
  PositiveInt: int(1),
  HeadingLevel: oneOf([2, 3, 4, 5, 6]),
  Role: oneOf(ROLES),
  CallerRole: oneOf(CALLER_ROLES),
  ArticleStatus: oneOf(ARTICLE_STATUSES),
  CommandType: oneOf(COMMAND_TYPES),
  Actor,
  RecordedActor,
  // content.ts
  ...content,
  RecordedContent: recorded.Content,
  // commands.ts
  ...notes,
  ...Object.fromEntries(Object.entries(recordedNotes).map(([k, v]) => [`RecordedNotes.${k}`, v])),
  ...commands,
  PublishNow,
  PublishScheduled,
  PublishEmbargoed,
  PublicationMode,
  ArticleCommandBody,
  CommandEnvelopeHeader,
  CommandEnvelope: withHeader(CommandEnvelopeHeader, ArticleCommandBody),
  CommandContext,
  ArticleCommand: withHeader(CommandContext, ArticleCommandBody),
  // events.ts
  ...events,
  ArticleEvent,
  EventMetadata,
  TraceParent: pattern('traceparent'),
  // messages.ts
  ArticleEventMessage: obj({
    schema: lit('newsroom.article-event.v1'),
    eventId: uuid,
    articleId: uuid,
    streamName: str,
    revision: pattern('decimal'),
    position: obj({ transactionId: pattern('decimal'), sequence: pattern('decimal') }),
    recordedAt: iso,
    hash: pattern('sha256'),
    previousHash: pattern('sha256'),
    event: ArticleEvent,
    metadata: EventMetadata,
  }),
  ArticleEventHeaders: obj(
    { 'event-id': uuid, 'event-type': str },
    { traceparent: pattern('traceparent') },
  ),
  DeadLetterHeaders: obj(
    {
      'dead-letter-schema': lit('newsroom.dead-letter.v1'),
      'dead-letter-processor': str,
      'dead-letter-reason': str,
      'dead-letter-attempts': pattern('decimal'),
      'event-type': str,
    },
    {
      'event-id': str,
      'source-topic': str,
      'source-partition': pattern('decimal'),
      'source-offset': pattern('decimal'),
      'source-group': str,
      'source-transaction-id': pattern('decimal'),
      'source-sequence': pattern('decimal'),
    },
  ),
  // rejections.ts, problem.ts
  ...rejections,
  ArticleRejection,
  FieldError,
  ProblemDetails,
};

// ---------------------------------------------------------------------------------------------
// Strings
// ---------------------------------------------------------------------------------------------

export const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** Visible pieces of text: Vietnamese, other scripts, emoji, and sequences NFC changes. */
const WORDS = [
  'Hải',
  'Phòng',
  'phải',
  'đi',
  'đầu',
  'sáng',
  'tạo',
  'Thành',
  'uỷ',
  'ủy',
  'Ngày',
  '8/4',
  'HĐND',
  'XIII',
  'Nghị',
  'quyết',
  'Nguyễn',
  'Đà',
  'Nẵng',
  'news',
  'A',
  'z',
  '0',
  '2019',
  '漢字',
  'Ελλάδα',
  'Москва',
  'مرحبا',
  'עברית',
  '😀',
  '🇻🇳',
  '👍🏽',
  'ﬁ',
  '\u212b', // ANGSTROM SIGN: NFC makes it U+00C5
  '\u2126', // OHM SIGN: NFC makes it U+03A9
  'e\u0301', // NFC composes it
  'a\u0323\u0302', // ậ, decomposed and reordered
  '\u1100\u1161', // Hangul jamo: NFC composes 가
  'x\u0344', // U+0344: NFC expands it to two code points
  'ｅｄｉｔｏｒ',
  'ǅ',
] as const;

const JOINERS = [
  ' ',
  ' ',
  ' ',
  '  ',
  '\u00a0',
  '\u3000',
  '\n',
  '\t',
  '\r\n',
  '\u200b',
  '\u200f',
  '\u200d',
  '\u200e',
  '-',
  ', ',
  '. ',
  ' — ',
  '“',
  '”',
  '…',
  '\u2028',
  '/',
  '%',
  '"',
  '\\',
] as const;

/** White space only (blank): refused by `nonBlank` and `visible` text. */
export const WHITESPACE = [
  ' ',
  '\t',
  '\n',
  '\r',
  '\v',
  '\f',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u200a',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
  '\ufeff',
] as const;

/** Invisible code points that are not white space (format, default-ignorable). */
export const INVISIBLE = [
  '\u200b',
  '\u200f',
  '\u200e',
  '\u200c',
  '\u200d',
  '\u2060',
  '\u00ad',
  '\u034f',
  '\u180e',
  '\u115f',
  '\u3164',
] as const;

const loneSurrogate = fc
  .integer({ min: 0xd800, max: 0xdfff })
  .map((code) => String.fromCharCode(code));

/** Inserts `piece` into `s` at a position chosen by `at` (0..1). */
const insertAt = (s: string, piece: string, at: number): string => {
  const i = Math.min(s.length, Math.floor(at * (s.length + 1)));
  return s.slice(0, i) + piece + s.slice(i);
};

const unitFloat = fc.double({ min: 0, max: 1, noNaN: true });

/** A string with a lone surrogate or NUL somewhere: no text or pattern codec may accept it. */
export const unstorableIn = (s: string): fc.Arbitrary<string> =>
  fc
    .tuple(fc.oneof(loneSurrogate, fc.constant('\u0000')), unitFloat)
    .map(([piece, at]) => insertAt(s, piece, at));

export type Size = 'tiny' | 'small' | 'large';

export interface GenOptions {
  readonly size: Size;
  /** Weight (against 12) of boundary values: longest texts, fullest arrays. */
  readonly boundary: number;
}

export const SMALL: GenOptions = { size: 'small', boundary: 1 };
export const LARGE: GenOptions = { size: 'large', boundary: 2 };
const TINY: GenOptions = { size: 'tiny', boundary: 0 };

const wordArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...WORDS) },
  {
    weight: 1,
    arbitrary: fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 4 })
      .filter((s) => !s.includes('\u0000')),
  },
);

/** Text with at least one visible character. */
const visibleText = (max: number, o: GenOptions): fc.Arbitrary<string> => {
  const pieces = o.size === 'tiny' ? 2 : o.size === 'small' ? 6 : 24;
  const plain = fc
    .tuple(
      fc.constantFrom(...WORDS),
      fc.array(fc.tuple(fc.constantFrom(...JOINERS), wordArb), { maxLength: pieces }),
      fc.constantFrom('', '', '', ' ', '\n', '\u200b', '\ufeff'),
      fc.constantFrom('', '', '', ' ', '\u00a0', '\u200f'),
      fc.boolean(),
    )
    .map(([first, rest, lead, trail, nfd]) => {
      const s = lead + first + rest.map(([j, w]) => j + w).join('') + trail;
      return nfd ? s.normalize('NFD') : s;
    })
    .filter((s) => codePoints(s.normalize('NFC')) <= max);
  if (!Number.isFinite(max) || o.boundary === 0) return plain;
  // Exactly `max` (or max - 1) code points after NFC, sent composed or decomposed.
  const boundary = fc
    .tuple(fc.constantFrom('a', 'ả', '漢', '😀', 'Ω'), fc.constantFrom(0, 1), fc.boolean())
    .map(([c, less, nfd]) => {
      const s = c.repeat(Math.max(1, max - less));
      return nfd ? s.normalize('NFD') : s;
    });
  return fc.oneof({ weight: 12, arbitrary: plain }, { weight: o.boundary, arbitrary: boundary });
};

const blankText = fc
  .array(fc.constantFrom(...WHITESPACE), { minLength: 0, maxLength: 6 })
  .map((a) => a.join(''));
const invisibleOnlyText = fc
  .array(fc.constantFrom(...WHITESPACE, ...INVISIBLE), { minLength: 1, maxLength: 6 })
  .map((a) => a.join(''))
  .filter((s) => /\S/u.test(s));

const textArbs = new Map<string, fc.Arbitrary<string>>();

const textArb = (leaf: { max: number; rule: TextRule }, o: GenOptions): fc.Arbitrary<string> => {
  const key = `${leaf.max} ${leaf.rule} ${o.size} ${o.boundary}`;
  const known = textArbs.get(key);
  if (known !== undefined) return known;
  const built = buildText(leaf, o);
  textArbs.set(key, built);
  return built;
};

const buildText = (leaf: { max: number; rule: TextRule }, o: GenOptions): fc.Arbitrary<string> => {
  const visible = visibleText(leaf.max, o);
  switch (leaf.rule) {
    case 'visible':
      return visible;
    case 'nonBlank':
      return fc.oneof(
        { weight: 8, arbitrary: visible },
        { weight: 1, arbitrary: invisibleOnlyText },
      );
    case 'any':
      return fc.oneof(
        { weight: 8, arbitrary: visible },
        { weight: 1, arbitrary: fc.constant('') },
        { weight: 1, arbitrary: blankText },
        { weight: 1, arbitrary: invisibleOnlyText },
      );
  }
};

const daysIn = (year: number, month: number): number => {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
};
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** RFC 3339 with an explicit offset; `years` bounds the year. */
export const isoArb = (years: { min: number; max: number } = { min: 1, max: 9999 }) => {
  const special = [2000, 2024, 1900, 2100].filter((y) => y >= years.min && y <= years.max);
  return fc
    .record({
      y:
        special.length === 0
          ? fc.integer(years)
          : fc.oneof(fc.integer(years), fc.constantFrom(...special)),
      mo: fc.integer({ min: 1, max: 12 }),
      d: fc.integer({ min: 1, max: 31 }),
      h: fc.integer({ min: 0, max: 23 }),
      mi: fc.integer({ min: 0, max: 59 }),
      s: fc.integer({ min: 0, max: 59 }),
      frac: fc.option(fc.stringMatching(/^\.\d{1,9}$/), { nil: '' }),
      off: fc.oneof(
        fc.constant('Z'),
        fc
          .tuple(
            fc.constantFrom('+', '-'),
            fc.integer({ min: 0, max: 23 }),
            fc.integer({ min: 0, max: 59 }),
          )
          .map(([sign, h, m]) => `${sign}${pad(h)}:${pad(m)}`),
      ),
    })
    .map((p) => ({ ...p, d: Math.min(p.d, daysIn(p.y, p.mo)) }))
    .map(
      (p) =>
        `${pad(p.y, 4)}-${pad(p.mo)}-${pad(p.d)}T${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}${p.frac}${p.off}`,
    );
};

const LANGUAGE_TAGS = [
  'vi',
  'vi-VN',
  'en',
  'en-US',
  'EN-gb',
  'zh-Hant-TW',
  'sr-Latn-RS',
  'de-CH-1901',
  'yue-HK',
  'fil',
  'es-419',
  'en-x-private',
  'zh-yue-HK',
];

const URLS = [
  'https://example.org/a.jpg',
  'http://127.0.0.1:8080/x?y=1#z',
  'HTTPS://EXAMPLE.ORG/',
  'https://ví-dụ.vn/ảnh.jpg',
  'https://example.org/a\u0301nh.jpg',
  'https://[::1]/',
  'https://example.org/%E1%BA%A3nh.jpg',
  'https://haiphong.gov.vn/Portals/0/Images/2019/4/8/hoi-nghi.jpg',
];

const ACTOR_IDS = [
  'hoang.tung',
  'editor.b',
  'Hoàng.Tùng',
  'Nguyễn-Văn-A',
  'Đỗ_Hùng'.normalize('NFD'),
  'ｅｄｉｔｏｒ',
  '😀',
  'user@example.org',
  'x'.repeat(200),
  'ả'.repeat(200),
];

/** Valid actor ids (token `sub`, reviewerId): 1..200 code points, nothing invisible. */
export const actorIdArb = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[a-z][a-z0-9._-]{0,20}$/) },
  { weight: 1, arbitrary: fc.constantFrom(...ACTOR_IDS) },
);

const patternArbs = new Map<PatternKind, fc.Arbitrary<string>>();

/** Valid values of a pattern codec (built once per kind: `fc.stringMatching` is costly to build). */
const patternArb = (kind: PatternKind): fc.Arbitrary<string> => {
  const known = patternArbs.get(kind);
  if (known !== undefined) return known;
  const built = buildPatternArb(kind);
  patternArbs.set(kind, built);
  return built;
};

const buildPatternArb = (kind: PatternKind): fc.Arbitrary<string> => {
  switch (kind) {
    case 'uuid':
      return fc.oneof(
        // Unbiased: fast-check's biased uuids repeat, and a repeated command id is a replay.
        { weight: 6, arbitrary: fc.noBias(fc.uuid()) },
        { weight: 2, arbitrary: fc.noBias(fc.uuid()).map((u) => u.toUpperCase()) },
        { weight: 1, arbitrary: fc.uuid() },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            '00000000-0000-0000-0000-000000000000',
            'ffffffff-ffff-ffff-ffff-ffffffffffff',
          ),
        },
      );
    case 'iso':
      return isoArb();
    case 'lang':
      return fc.oneof(
        fc.constantFrom(...LANGUAGE_TAGS),
        fc.stringMatching(/^[a-z]{2,3}(-[A-Z]{2})?$/),
      );
    case 'slug':
      return fc.oneof(
        fc.stringMatching(/^[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,4}$/),
        fc.constant(`a${'-b'.repeat(99)}0`.slice(0, 200)),
      );
    case 'url':
      return fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...URLS) },
        {
          weight: 2,
          arbitrary: fc
            .webUrl({
              validSchemes: ['http', 'https'],
              withQueryParameters: true,
              withFragments: true,
            })
            .filter((u) => u.length <= 2048 && /^https?:\/\/\S+$/i.test(u) && URL.canParse(u)),
        },
      );
    case 'identifier':
      return fc.oneof(
        fc.stringMatching(/^[A-Za-z0-9._:@/-]{1,40}$/),
        fc.uuid(),
        fc.constantFrom('biên.tập', 'a\u200bb', 'x'.repeat(200)),
      );
    case 'actorId':
      return actorIdArb;
    case 'recordedActorId':
      return fc.oneof(
        actorIdArb,
        fc.constantFrom('Nguyễn Văn A', 'a\tb', 'x'.repeat(300), '\u200b', ' a '),
      );
    case 'decimal':
      return fc.oneof(
        fc.bigInt({ min: 0n, max: 2n ** 63n }).map(String),
        fc.constantFrom('0', '18446744073709551615'),
      );
    case 'sha256':
      return fc.stringMatching(/^[0-9a-f]{64}$/);
    case 'traceparent':
      return fc
        .stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/)
        .filter((s) => !/^00-0{32}-|-0{16}-/.test(s));
  }
};

/** Values no pattern codec may accept, by kind (plus a lone surrogate or NUL anywhere). */
const INVALID_PATTERNS: Readonly<Record<PatternKind, readonly string[]>> = {
  uuid: [
    '',
    'not-a-uuid',
    '0190c0de00007000800000000000a1',
    '{0190c0de-0000-7000-8000-0000000000a1}',
    ' 0190c0de-0000-7000-8000-0000000000a1',
    '0190c0de-0000-7000-8000-0000000000a1\n',
    '0190c0de-0000-7000-8000-0000000000ag',
    '0190c0de-0000-7000-8000-0000000000a',
    'urn:uuid:0190c0de-0000-7000-8000-0000000000a1',
  ],
  iso: [
    '',
    'yesterday',
    '2019-02-30T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2019-13-01T00:00:00Z',
    '2019-04-08T20:59:00',
    '2019-04-08 20:59:00Z',
    '2019-04-08T24:00:00Z',
    '2019-04-08T20:59:60Z',
    '2019-04-08t20:59:00z',
    '2019-04-08T20:59:00+24:00',
    '2019-04-08T20:59:00+07',
    '2019-04-08T20:59:00.1234567890Z',
    '+275760-09-13T00:00:00Z',
    '2019-04-08T20:59:00Z ',
  ],
  lang: ['', 'v', 'not a tag!', 'vi_VN', 'vi-', '-vi', '123', 'vi VN', 'a'.repeat(36)],
  slug: ['', 'Hai-Phong', 'a--b', '-a', 'a-', 'ả', 'a b', 'a_b', 'a'.repeat(201)],
  url: [
    '',
    'ftp://example.org/',
    'javascript:alert(1)',
    'mailto:a@example.org',
    'http://',
    'https:// a',
    '//example.org/a.jpg',
    'example.org/a.jpg',
    'https://exa mple.org/',
    `https://a.b/${'x'.repeat(2040)}`,
    // A URL parser takes these (percent-encoding them), but no store can keep them.
    'https://example.org/a\u0000.jpg',
    'https://example.org/\ud800',
    'https://example.org/a.jpg?x=\udc00',
  ],
  identifier: ['', 'a b', 'a\tb', ' a', 'a\n', 'x'.repeat(201)],
  actorId: [
    '',
    'a b',
    'a\tb',
    'a\u200bb',
    '\u00a0x',
    'ab\u200f',
    'a\u2028b',
    '\ufeffa',
    'x'.repeat(201),
    'ả'.repeat(201),
  ],
  recordedActorId: ['', ' ', '   ', '\t', '\u00a0', '\u3000'],
  decimal: ['', '-1', '01', '1.0', '1e3', ' 1', '0x10', '1'.repeat(21)],
  sha256: ['', '0'.repeat(63), '0'.repeat(65), 'A'.repeat(64), 'g'.repeat(64)],
  traceparent: [
    '',
    '00-00',
    `00-${'0'.repeat(32)}-${'0'.repeat(16)}-0`,
    `00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`,
    `00-${'1'.repeat(32)}-${'0'.repeat(16)}-01`,
    `ff-${'1'.repeat(32)}-${'1'.repeat(16)}-01`,
    'not a trace',
  ],
};

export const invalidPatternArb = (kind: PatternKind): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...INVALID_PATTERNS[kind]) },
    { weight: 1, arbitrary: patternArb(kind).chain(unstorableIn) },
  );

// ---------------------------------------------------------------------------------------------
// Valid values
// ---------------------------------------------------------------------------------------------

/** Sets an own enumerable property, whatever its name (`__proto__` included). */
export { setOwn };

const fromEntries = (entries: readonly (readonly [string, unknown])[]): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) setOwn(out, k, v);
  return out;
};

const PUBLISHER_KEYS = [
  'portalTitle',
  'managingAgency',
  'phone',
  'email',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'toJSON',
  'prototype',
  'isPrototypeOf',
  'địaChỉ',
  'Số điện thoại',
  '電話',
  'k'.repeat(100),
];

const publisherKeyArb = fc.oneof(
  fc.constantFrom(...PUBLISHER_KEYS),
  fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,15}$/),
);

const EXTENSION_KEYS = ['traceId', 'x-request', 'retryAfterSeconds', 'links', 'docs'];

const cap = (o: GenOptions): number => (o.size === 'tiny' ? 2 : o.size === 'small' ? 4 : 8);

const validArbs = new WeakMap<Shape, Map<GenOptions, fc.Arbitrary<unknown>>>();

/** Valid values of `shape` (arbitraries built once per shape and options). */
export const validOf = (shape: Shape, o: GenOptions = SMALL): fc.Arbitrary<unknown> => {
  let byOptions = validArbs.get(shape);
  if (byOptions === undefined) {
    byOptions = new Map();
    validArbs.set(shape, byOptions);
  }
  const known = byOptions.get(o);
  if (known !== undefined) return known;
  const built = buildValid(shape, o);
  byOptions.set(o, built);
  return built;
};

const buildValid = (shape: Shape, o: GenOptions): fc.Arbitrary<unknown> => {
  switch (shape.k) {
    case 'text':
      return textArb(shape, o);
    case 'string':
      return fc.oneof(
        fc.string(),
        fc.string({ unit: 'binary' }),
        fc.constantFrom('data.content.blocks.3.text', '', '\ud800', 'urn:newsroom:problem:x'),
      );
    case 'pattern':
      return patternArb(shape.kind);
    case 'int':
      return fc.oneof(
        fc.integer({ min: shape.min, max: Math.min(shape.max, shape.min + 100) }),
        fc.integer({ min: shape.min, max: shape.max }),
        fc.constantFrom(shape.min, shape.max),
      );
    case 'bool':
      return fc.boolean();
    case 'literal':
      return fc.constant(shape.value);
    case 'enum':
      return fc.constantFrom(...shape.values);
    case 'object': {
      const keys = [...Object.keys(shape.required), ...Object.keys(shape.optional)];
      const entry = (key: string, s: Shape, mayOmit: boolean) =>
        mayOmit
          ? fc.option(
              validOf(s, o).map((v) => [key, v] as const),
              { nil: undefined },
            )
          : validOf(s, o).map((v) => [key, v] as const);
      const parts = [
        ...Object.entries(shape.required).map(([k, s]) =>
          entry(k, s, Object.hasOwn(shape.defaults, k)),
        ),
        ...Object.entries(shape.optional).map(([k, s]) => entry(k, s, true)),
      ];
      const extensions = shape.open
        ? fc.array(
            fc.tuple(
              fc.constantFrom(...EXTENSION_KEYS.filter((k) => !keys.includes(k))),
              fc.jsonValue({ maxDepth: 2 }),
            ),
            { maxLength: 2 },
          )
        : fc.constant([] as [string, unknown][]);
      return fc
        .tuple(fc.tuple(...parts), extensions)
        .map(([entries, ext]) =>
          fromEntries([
            ...entries.filter((e): e is readonly [string, unknown] => e !== undefined),
            ...ext,
          ]),
        );
    }
    case 'array': {
      const child = o.size === 'large' ? SMALL : o;
      const most = Math.max(shape.min, Math.min(shape.max, cap(o)));
      const normal = fc.array(validOf(shape.item, child), {
        minLength: shape.min,
        maxLength: most,
      });
      if (!Number.isFinite(shape.max) || o.boundary === 0 || shape.max <= most) return normal;
      // The fullest array the codec allows, made of one (small) item repeated.
      const full = validOf(shape.item, TINY).map((v) => Array.from({ length: shape.max }, () => v));
      return fc.oneof({ weight: 12, arbitrary: normal }, { weight: o.boundary, arbitrary: full });
    }
    case 'union':
      return fc.oneof(...Object.values(shape.members).map((m) => validOf(m, o)));
    case 'publisher': {
      const field = validOf(shape.field, o.size === 'large' ? SMALL : o);
      const fields = fc.uniqueArray(fc.tuple(publisherKeyArb, field), {
        maxLength: cap(o) + 2,
        selector: ([k]) => k,
      });
      const full = fc
        .tuple(validOf(shape.field, TINY))
        .map(([v]) => Array.from({ length: 49 }, (_, i) => [`field${i}`, v] as [string, unknown]));
      return fc
        .tuple(
          validOf(shape.name, o),
          o.boundary === 0
            ? fields
            : fc.oneof({ weight: 12, arbitrary: fields }, { weight: o.boundary, arbitrary: full }),
          fc.nat(),
        )
        .map(([name, rest, at]) => {
          const entries = rest.filter(([k]) => k !== 'name' && k !== '__proto__');
          entries.splice(at % (entries.length + 1), 0, ['name', name]);
          return fromEntries(entries);
        });
    }
  }
};

/** What decoding the valid value `value` of `shape` must give. */
export const expectDecoded = (shape: Shape, value: unknown): unknown => {
  switch (shape.k) {
    case 'text':
      return (value as string).normalize('NFC');
    case 'pattern':
      return shape.kind === 'uuid' ? (value as string).toLowerCase() : value;
    case 'int':
      return value === 0 ? 0 : value; // -0 decodes to 0, as JSON writes it
    case 'object': {
      const input = value as Record<string, unknown>;
      const entries: [string, unknown][] = Object.keys(input).map((k) => {
        const s = shape.required[k] ?? shape.optional[k];
        return [k, s === undefined ? input[k] : expectDecoded(s, input[k])];
      });
      for (const k of Object.keys(shape.required)) {
        if (!Object.hasOwn(input, k)) entries.push([k, shape.defaults[k]]);
      }
      return fromEntries(entries);
    }
    case 'array':
      return (value as unknown[]).map((v) => expectDecoded(shape.item, v));
    case 'union': {
      const member = memberOf(shape, value);
      return member === undefined ? value : expectDecoded(member, value);
    }
    case 'publisher': {
      const input = value as Record<string, unknown>;
      return fromEntries(
        Object.keys(input).map((k) => [
          k,
          expectDecoded(k === 'name' ? shape.name : shape.field, input[k]),
        ]),
      );
    }
    default:
      return value;
  }
};

const memberOf = (shape: UnionShape, value: unknown): ObjectShape | undefined => {
  if (typeof value !== 'object' || value === null) return undefined;
  const tag = (value as Record<string, unknown>)[shape.tag];
  return typeof tag === 'string' && Object.hasOwn(shape.members, tag)
    ? shape.members[tag]
    : undefined;
};

/** Every NFC-normalized text in a decoded value (text leaves, publisher names and values). */
export const textsOf = (shape: Shape, value: unknown, path = ''): [string, string][] => {
  const at = (k: string) => (path === '' ? k : `${path}.${k}`);
  switch (shape.k) {
    case 'text':
      return typeof value === 'string' ? [[path, value]] : [];
    case 'object': {
      const input = value as Record<string, unknown>;
      return Object.keys(input).flatMap((k) => {
        const s = shape.required[k] ?? shape.optional[k];
        return s === undefined ? [] : textsOf(s, input[k], at(k));
      });
    }
    case 'array':
      return (value as unknown[]).flatMap((v, i) => textsOf(shape.item, v, at(String(i))));
    case 'union': {
      const member = memberOf(shape, value);
      return member === undefined ? [] : textsOf(member, value, path);
    }
    case 'publisher': {
      const input = value as Record<string, unknown>;
      return Object.keys(input).flatMap((k) => [
        [`${at(k)} (name)`, k] as [string, string],
        ...textsOf(k === 'name' ? shape.name : shape.field, input[k], at(k)),
      ]);
    }
    default:
      return [];
  }
};

// ---------------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------------

export type Label =
  /** Still valid: must decode, to `expectDecoded`. */
  | { readonly kind: 'valid' }
  /** Invalid: must fail with an error at `path` (or below it). */
  | { readonly kind: 'invalid'; readonly path: string }
  /** Could be either. */
  | { readonly kind: 'unknown' };

export interface Mutant {
  readonly value: unknown;
  readonly label: Label;
  /** What was done, for the counterexample. */
  readonly how: string;
}

const REMOVE = Symbol('remove');

const pathKey = (path: readonly string[]): string => path.join('.');

/** A copy of `root` with the value at `path` replaced (or removed); `__proto__` keys kept. */
export const setAt = (root: unknown, path: readonly string[], value: unknown): unknown => {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  if (Array.isArray(root)) {
    const copy = [...root];
    const i = Number(head);
    if (value === REMOVE && rest.length === 0) copy.splice(i, 1);
    else copy[i] = setAt(copy[i], rest, value);
    return copy;
  }
  const input = root as Record<string, unknown>;
  const entries: [string, unknown][] = [];
  for (const k of Object.keys(input)) {
    if (k !== head) entries.push([k, input[k]]);
    else if (!(value === REMOVE && rest.length === 0))
      entries.push([k, setAt(input[k], rest, value)]);
  }
  if (!Object.hasOwn(input, head) && value !== REMOVE)
    entries.push([head, setAt(undefined, rest, value)]);
  return fromEntries(entries);
};

/** Arrays or objects nested `depth` deep. */
export const deeplyNested = (depth: number, kind: 'array' | 'object'): unknown => {
  let v: unknown = kind === 'array' ? [] : {};
  for (let i = 1; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
};

const jsonType = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;

const OTHER_TYPES: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -1.5,
  1e21,
  '',
  'x',
  [],
  [1, 'a'],
  {},
  { a: 1 },
];

const wrongTypeArb = (v: unknown): fc.Arbitrary<unknown> => {
  const others = OTHER_TYPES.filter((o) => jsonType(o) !== jsonType(v));
  return fc.constantFrom(...others);
};

export interface Site {
  readonly path: readonly string[];
  readonly shape: Shape;
  readonly value: unknown;
}

/** Every node of `value` (arrays: their first, second and last items), with its shape. */
export const sitesOf = (shape: Shape, value: unknown, path: readonly string[] = []): Site[] => {
  const here: Site = { path, shape, value };
  switch (shape.k) {
    case 'object': {
      const input = value as Record<string, unknown>;
      return [
        here,
        ...Object.keys(input).flatMap((k) => {
          const s = shape.required[k] ?? shape.optional[k];
          return s === undefined ? [] : sitesOf(s, input[k], [...path, k]);
        }),
      ];
    }
    case 'array': {
      const items = value as unknown[];
      const picked = [...new Set([0, 1, items.length - 1])].filter(
        (i) => i >= 0 && i < items.length,
      );
      return [here, ...picked.flatMap((i) => sitesOf(shape.item, items[i], [...path, String(i)]))];
    }
    case 'union': {
      const member = memberOf(shape, value);
      return member === undefined ? [here] : [here, ...sitesOf(member, value, path)];
    }
    case 'publisher': {
      const input = value as Record<string, unknown>;
      return [
        here,
        ...Object.keys(input).map((k) => ({
          path: [...path, k],
          shape: k === 'name' ? shape.name : shape.field,
          value: input[k],
        })),
      ];
    }
    default:
      return [here];
  }
};

const UNKNOWN_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'actor',
  'by',
  'extra',
  '',
  'a.b',
  'Headline',
  'tiêu đề',
  'e\u0301',
];

/** The mutations that apply at `site`, each labelled. */
const mutationsAt = (root: unknown, site: Site, o: GenOptions): fc.Arbitrary<Mutant>[] => {
  const { path, shape, value } = site;
  const p = pathKey(path);
  const at = (k: string) => (p === '' ? k : `${p}.${k}`);
  const put = (v: unknown) => setAt(root, path, v);
  const invalidHere: Label = { kind: 'invalid', path: p };
  const out: fc.Arbitrary<Mutant>[] = [
    wrongTypeArb(value).map((v) => ({
      value: put(v),
      label: invalidHere,
      how: `${p || '(root)'} replaced by ${JSON.stringify(v)} (another JSON type)`,
    })),
    fc
      .tuple(
        fc.integer({ min: 2, max: o.size === 'large' ? 5000 : 1000 }),
        fc.constantFrom('array', 'object') as fc.Arbitrary<'array' | 'object'>,
      )
      .map(([depth, kind]) => ({
        value: put(deeplyNested(depth, kind)),
        label: invalidHere,
        how: `${p || '(root)'} replaced by ${kind}s nested ${depth} deep`,
      })),
  ];
  if (shape.k === 'text') {
    const invalid: fc.Arbitrary<[string, string]>[] = [
      unstorableIn(value as string).map((s) => [s, 'a lone surrogate or NUL']),
    ];
    if (shape.rule !== 'any') invalid.push(blankText.map((s) => [s, 'blank text']));
    if (shape.rule === 'visible')
      invalid.push(invisibleOnlyText.map((s) => [s, 'only white space and invisible characters']));
    if (Number.isFinite(shape.max)) {
      invalid.push(
        fc
          .tuple(fc.constantFrom('a', 'ả', '\u0344'), fc.integer({ min: 1, max: 3 }), fc.boolean())
          .map(([c, extra, nfd]) => {
            // U+0344 is 1 code point sent, 2 after NFC (U+0308 U+0301): too long only once
            // normalized.
            const n = c === '\u0344' ? Math.ceil((shape.max + extra) / 2) : shape.max + extra;
            const s = c.repeat(n);
            return [nfd ? s.normalize('NFD') : s, `over ${shape.max} code points after NFC`];
          }),
      );
    }
    out.push(
      fc.oneof(...invalid).map(([s, why]) => ({
        value: put(s),
        label: invalidHere,
        how: `${p}: ${why}: ${JSON.stringify(s.slice(0, 60))}`,
      })),
      fc
        .oneof(textArb(shape, o), fc.constant((value as string).normalize('NFD')))
        .map((s) => ({ value: put(s), label: { kind: 'valid' }, how: `${p}: another valid text` })),
    );
  }
  if (shape.k === 'pattern') {
    out.push(
      invalidPatternArb(shape.kind).map((s) => ({
        value: put(s),
        label: invalidHere,
        how: `${p}: invalid ${shape.kind} ${JSON.stringify(s.slice(0, 60))}`,
      })),
      patternArb(shape.kind).map((s) => ({
        value: put(s),
        label: { kind: 'valid' },
        how: `${p}: another valid ${shape.kind}`,
      })),
    );
  }
  if (shape.k === 'int') {
    const bad = [shape.min - 1, shape.min + 0.5, Number.MAX_SAFE_INTEGER + 1, 1e300];
    if (shape.max < Number.MAX_SAFE_INTEGER) bad.push(shape.max + 1);
    out.push(
      fc
        .constantFrom(...bad)
        .map((n) => ({ value: put(n), label: invalidHere, how: `${p}: ${n}` })),
    );
  }
  if (shape.k === 'enum') {
    const bad = shape.values.every((v) => typeof v === 'number')
      ? [1, 7, 2.5, 0, -2]
      : [
          '',
          'root',
          ...shape.values.map((v) => `${String(v).toUpperCase()}!`),
          `${String(shape.values[0])} `,
        ];
    out.push(
      fc
        .constantFrom(...bad)
        .map((v) => ({ value: put(v), label: invalidHere, how: `${p}: ${JSON.stringify(v)}` })),
    );
  }
  if (shape.k === 'literal') {
    // Never another member's tag: those could make a valid value.
    const bad = ['', `${shape.value}x`, shape.value.toUpperCase()];
    out.push(
      fc
        .constantFrom(...bad)
        .map((v) => ({ value: put(v), label: invalidHere, how: `${p}: ${JSON.stringify(v)}` })),
    );
  }
  if (shape.k === 'object') {
    const input = value as Record<string, unknown>;
    const known = [...Object.keys(shape.required), ...Object.keys(shape.optional)];
    const unknownKeys = UNKNOWN_KEYS.filter((k) => !known.includes(k));
    out.push(
      fc.tuple(fc.constantFrom(...unknownKeys), fc.jsonValue({ maxDepth: 2 })).map(([k, v]) => ({
        value: put(
          fromEntries([...Object.keys(input).map((key) => [key, input[key]] as const), [k, v]]),
        ),
        // An error at key '' is reported at the object's own path.
        label: shape.open ? { kind: 'valid' } : { kind: 'invalid', path: k === '' ? p : at(k) },
        how: `${p || '(root)'}: unknown key ${JSON.stringify(k)} added`,
      })),
    );
    const present = Object.keys(input).filter((k) => known.includes(k));
    if (present.length > 0) {
      out.push(
        fc.constantFrom(...present).map((k) => ({
          value: setAt(root, [...path, k], REMOVE),
          label:
            Object.hasOwn(shape.required, k) && !Object.hasOwn(shape.defaults, k)
              ? { kind: 'invalid', path: at(k) }
              : { kind: 'valid' },
          how: `${p || '(root)'}: key ${JSON.stringify(k)} removed`,
        })),
      );
    }
  }
  if (shape.k === 'array') {
    const items = value as unknown[];
    if (Number.isFinite(shape.max)) {
      out.push(
        fc
          .tuple(validOf(shape.item, TINY), fc.integer({ min: 1, max: 3 }))
          .map(([item, extra]) => ({
            value: put(Array.from({ length: shape.max + extra }, (_, i) => items[i] ?? item)),
            label: invalidHere,
            how: `${p}: ${shape.max + extra} items (at most ${shape.max})`,
          })),
        fc.constantFrom(100_000, 150_000).map((n) => ({
          value: put(new Array(n).fill(0)),
          label: invalidHere,
          how: `${p}: ${n} items`,
        })),
      );
    }
    if (shape.min > 0) {
      out.push(
        fc.constant({
          value: put([]),
          label: invalidHere,
          how: `${p}: no items (at least ${shape.min})`,
        }),
      );
    }
  }
  if (shape.k === 'publisher') {
    const input = value as Record<string, unknown>;
    const entries = Object.keys(input).map((k) => [k, input[k]] as [string, unknown]);
    const withField = (k: string, v: unknown) =>
      put(fromEntries([...entries.filter(([key]) => key !== k), [k, v]]));
    out.push(
      fc
        .tuple(
          publisherKeyArb.filter((k) => k !== 'name'),
          textArb({ max: 1000, rule: 'any' }, TINY),
        )
        .map(([k, v]) => {
          const fresh = !Object.hasOwn(input, k) && k !== 'name';
          return {
            value: withField(k, v),
            label: fresh && entries.length >= 50 ? { kind: 'invalid', path: p } : { kind: 'valid' },
            how: `${p}: field ${JSON.stringify(k)} set to a string`,
          } as Mutant;
        }),
      fc
        .tuple(
          fc.constantFrom('__proto__', '', 'k'.repeat(101), 'e\u0301', 'Ha\u0309i'),
          fc.constantFrom('x', ''),
        )
        .map(([k, v]) => ({
          value: withField(k, v),
          label: { kind: 'invalid', path: k === '' ? p : at(k) },
          how: `${p}: field named ${JSON.stringify(k)}`,
        })),
      fc.constant({
        value: put(
          fromEntries([
            ...entries,
            ...Array.from({ length: 51 }, (_, i) => [`extra${i}`, 'x'] as [string, unknown]),
          ]),
        ),
        label: { kind: 'invalid', path: p },
        how: `${p}: over 50 fields`,
      }),
    );
    if (Object.hasOwn(input, 'name')) {
      out.push(
        fc.constant({
          value: setAt(root, [...path, 'name'], REMOVE),
          label: { kind: 'invalid', path: at('name') },
          how: `${p}: name removed`,
        }),
      );
    }
  }
  return out;
};

const preview = (v: unknown): string => {
  try {
    const s = JSON.stringify(v);
    return s === undefined
      ? String(v)
      : s.length > 400
        ? `${s.slice(0, 400)}… (${s.length} chars)`
        : s;
  } catch {
    return '(too deep to print)';
  }
};

/** Gives a mutant a short printed form (fast-check prints counterexamples with it). */
export const printable = <T extends object>(value: T, print: (v: T) => string): T => {
  Object.defineProperty(value, fc.toStringMethod, { value: () => print(value), enumerable: false });
  return value;
};

/** One labelled mutation of the valid value `value` of `shape`. */
export const mutantOf = (
  shape: Shape,
  value: unknown,
  o: GenOptions = SMALL,
): fc.Arbitrary<Mutant> => {
  const sites = sitesOf(shape, value);
  return fc
    .constantFrom(...sites)
    .chain((site) => fc.oneof(...mutationsAt(value, site, o)))
    .map((m) =>
      printable(
        { ...m },
        (x) =>
          `{ how: ${JSON.stringify(x.how)}, label: ${JSON.stringify(x.label)}, value: ${preview(x.value)} }`,
      ),
    );
};

/** A valid value of `shape` with one labelled mutation. */
export const mutatedOf = (shape: Shape, o: GenOptions = SMALL): fc.Arbitrary<Mutant> =>
  validOf(shape, o).chain((v) => mutantOf(shape, v, o));

/** Whether an error list names `path` (or something under it). */
export const namesPath = (paths: readonly string[], path: string): boolean =>
  path === '' || paths.some((p) => p === path || p.startsWith(`${path}.`));

export { preview as previewJson };

const withMutantPrint = (m: Mutant): Mutant =>
  printable(
    { ...m },
    (x) =>
      `{ how: ${JSON.stringify(x.how)}, label: ${JSON.stringify(x.label)}, value: ${preview(x.value)} }`,
  );

/** `__proto__` added to one object of `value` (strict objects and publishers): refused there. */
export const protoMutantOf = (shape: Shape, value: unknown): fc.Arbitrary<Mutant> | undefined => {
  const sites = sitesOf(shape, value).filter(
    (site) => (site.shape.k === 'object' && !site.shape.open) || site.shape.k === 'publisher',
  );
  if (sites.length === 0) return undefined;
  const publishers = sites.filter((site) => site.shape.k === 'publisher');
  // Publishers (where a dropped key once went unnoticed) as often as every other object.
  const site =
    publishers.length === 0
      ? fc.constantFrom(...sites)
      : fc.oneof(fc.constantFrom(...sites), fc.constantFrom(...publishers));
  return fc
    .tuple(site, fc.oneof(fc.constantFrom('x', ''), fc.jsonValue({ maxDepth: 1 })))
    .map(([site, v]) => {
      const input = site.value as Record<string, unknown>;
      const copy = fromEntries(Object.keys(input).map((k) => [k, input[k]] as const));
      setOwn(copy, '__proto__', site.shape.k === 'publisher' && typeof v !== 'string' ? 'x' : v);
      const p = pathKey(site.path);
      return withMutantPrint({
        value: setAt(value, site.path, copy),
        label: {
          kind: 'invalid',
          // Refused at the key itself, before a publisher's field count is looked at.
          path: p === '' ? '__proto__' : `${p}.__proto__`,
        },
        how: `${p || '(root)'}: own key "__proto__" added`,
      });
    });
};

/** One text that must be visible made blank or only invisible (U+200B, U+200F...). */
export const invisibleMutantOf = (
  shape: Shape,
  value: unknown,
): fc.Arbitrary<Mutant> | undefined => {
  const sites = sitesOf(shape, value).filter(
    (site) => site.shape.k === 'text' && site.shape.rule === 'visible',
  );
  if (sites.length === 0) return undefined;
  const headlines = sites.filter((site) => site.path[site.path.length - 1] === 'headline');
  return fc
    .tuple(
      fc.oneof(
        fc.constantFrom(...sites),
        // Headlines (where it once got through) as often as every other text.
        fc.constantFrom(...(headlines.length > 0 ? headlines : sites)),
      ),
      fc.oneof(
        invisibleOnlyText,
        blankText,
        fc.constantFrom('\u200b', '\u200f', '\u200b\u200f', '\u200f\u200b\u200f'),
      ),
    )
    .map(([site, s]) => {
      const p = pathKey(site.path);
      return withMutantPrint({
        value: setAt(value, site.path, s),
        label: { kind: 'invalid', path: p },
        how: `${p}: only invisible or blank: ${JSON.stringify(s)}`,
      });
    });
};

/** A lone surrogate or NUL put into one text or pattern field: refused at that field. */
export const unstorableMutantOf = (
  shape: Shape,
  value: unknown,
): fc.Arbitrary<Mutant> | undefined => {
  const sites = sitesOf(shape, value).filter(
    (site) =>
      (site.shape.k === 'text' || site.shape.k === 'pattern') && typeof site.value === 'string',
  );
  if (sites.length === 0) return undefined;
  return fc
    .constantFrom(...sites)
    .chain((site) => unstorableIn(site.value as string).map((s) => [site, s] as const))
    .map(([site, s]) => {
      const p = pathKey(site.path);
      return withMutantPrint({
        value: setAt(value, site.path, s),
        label: { kind: 'invalid', path: p },
        how: `${p}: a lone surrogate or NUL: ${JSON.stringify(s.slice(0, 60))}`,
      });
    });
};

/** Anything with a codec's methods. */
const isCodecLike = (v: unknown): boolean =>
  typeof v === 'object' &&
  v !== null &&
  ['decode', 'encode', 'is', 'validate'].every(
    (m) => typeof (v as Record<string, unknown>)[m] === 'function',
  );

/** Every codec a module exports, and the codecs of every exported group of codecs
 *  (`RecordedNotes.Note`), by export name: what `codecShapes` is keyed by. */
export const exportedCodecs = <Codec>(
  module: Readonly<Record<string, unknown>>,
): [string, Codec][] =>
  Object.entries(module).flatMap(([name, v]): [string, Codec][] => {
    if (isCodecLike(v)) return [[name, v as Codec]];
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      return Object.entries(v)
        .filter(([, c]) => isCodecLike(c))
        .map(([k, c]) => [`${name}.${k}`, c as Codec]);
    }
    return [];
  });
