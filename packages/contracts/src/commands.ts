/**
 * Commands. A command body is `{ type, data }`; newsroom tools send it inside a
 * `CommandEnvelope` (HTTP and Kafka). The decider receives an `ArticleCommand`: the body plus
 * `articleId`, `commandId`, and `actor` and `now`, which the service takes from the token and
 * its clock, never from the body. A body whose data has no required field may omit `data`.
 */
import * as t from 'io-ts';
import { boundedArray, strict, taggedUnion, withDefault, withHeader } from './codec.js';
import type { NoProps } from './codec.js';
import { Actor, ActorId } from './actor.js';
import { Content } from './content.js';
import { boundedText, IsoDateTime, NonNegativeInt, Uuid } from './text.js';
import type { TextRule } from './text.js';

/** The short texts of commands and their events, each held to `rule` (see content.ts). */
const noteCodecs = (rule: TextRule, prefix: '' | 'Recorded') => {
  const Note = boundedText(`${prefix}Note`, 2000, rule);
  const Reason = boundedText(`${prefix}Reason`, 2000, rule);
  const Notice = boundedText(`${prefix}Notice`, 2000, rule);
  const CommentText = boundedText(`${prefix}CommentText`, 5000, rule);
  const ReviewComment = strict(
    { text: CommentText },
    { blockIndex: NonNegativeInt },
    `${prefix}ReviewComment`,
  );
  /** 1..200 comments. */
  const ReviewComments = boundedArray(ReviewComment, 1, 200, `${prefix}ReviewComments`);
  return { Note, Reason, Notice, CommentText, ReviewComment, ReviewComments };
};

/** What a command may send. */
export const { Note, Reason, Notice, CommentText, ReviewComment, ReviewComments } = noteCodecs(
  'visible',
  '',
);
export type ReviewComment = t.TypeOf<typeof ReviewComment>;
export type ReviewComments = t.TypeOf<typeof ReviewComments>;

/** The same texts as stored events hold them. */
export const RecordedNotes = noteCodecs('nonBlank', 'Recorded');

const command = <T extends string, D extends t.Mixed>(type: T, data: D) =>
  strict({ type: t.literal(type), data }, {}, type);

const empty = <O extends t.Props = NoProps>(optional?: O) => {
  const codec = strict({}, optional ?? ({} as O));
  return withDefault(codec, {} as t.TypeOf<typeof codec>);
};

export const CreateDraft = command('CreateDraft', strict({ content: Content }));
export type CreateDraft = t.TypeOf<typeof CreateDraft>;

export const ReviseDraft = command('ReviseDraft', strict({ content: Content }, { note: Note }));
export type ReviseDraft = t.TypeOf<typeof ReviseDraft>;

export const SubmitForReview = command('SubmitForReview', empty());
export type SubmitForReview = t.TypeOf<typeof SubmitForReview>;

export const WithdrawSubmission = command('WithdrawSubmission', empty());
export type WithdrawSubmission = t.TypeOf<typeof WithdrawSubmission>;

export const DiscardDraft = command('DiscardDraft', empty({ reason: Reason }));
export type DiscardDraft = t.TypeOf<typeof DiscardDraft>;

export const AssignReviewer = command('AssignReviewer', strict({ reviewerId: ActorId }));
export type AssignReviewer = t.TypeOf<typeof AssignReviewer>;

export const RequestChanges = command('RequestChanges', strict({ comments: ReviewComments }));
export type RequestChanges = t.TypeOf<typeof RequestChanges>;

export const ApproveArticle = command('ApproveArticle', empty({ note: Note }));
export type ApproveArticle = t.TypeOf<typeof ApproveArticle>;

export const RejectArticle = command('RejectArticle', strict({ reason: Reason }));
export type RejectArticle = t.TypeOf<typeof RejectArticle>;

export const PublishNow = strict({ mode: t.literal('now') }, {}, 'PublishNow');
export const PublishScheduled = strict(
  { mode: t.literal('scheduled'), at: IsoDateTime },
  {},
  'PublishScheduled',
);
export const PublishEmbargoed = strict(
  { mode: t.literal('embargoed'), until: IsoDateTime },
  {},
  'PublishEmbargoed',
);
export const PublicationMode = taggedUnion(
  'mode',
  { now: PublishNow, scheduled: PublishScheduled, embargoed: PublishEmbargoed },
  'PublicationMode',
);
export type PublicationMode = t.TypeOf<typeof PublicationMode>;

export const PublishArticle = command('PublishArticle', PublicationMode);
export type PublishArticle = t.TypeOf<typeof PublishArticle>;

/** System only: the scheduler fires a due schedule or embargo. */
export const ReleaseScheduledPublication = command('ReleaseScheduledPublication', empty());
export type ReleaseScheduledPublication = t.TypeOf<typeof ReleaseScheduledPublication>;

export const CancelSchedule = command('CancelSchedule', empty({ reason: Reason }));
export type CancelSchedule = t.TypeOf<typeof CancelSchedule>;

/** Drafts a correction of a published article: new text, reviewed before it goes out. */
export const CorrectArticle = command(
  'CorrectArticle',
  strict({ content: Content, notice: Notice }),
);
export type CorrectArticle = t.TypeOf<typeof CorrectArticle>;

export const PublishCorrection = command('PublishCorrection', empty());
export type PublishCorrection = t.TypeOf<typeof PublishCorrection>;

export const UnpublishArticle = command('UnpublishArticle', strict({ reason: Reason }));
export type UnpublishArticle = t.TypeOf<typeof UnpublishArticle>;

export const RetractArticle = command('RetractArticle', strict({ reason: Reason, notice: Notice }));
export type RetractArticle = t.TypeOf<typeof RetractArticle>;

export const ArticleCommandBody = taggedUnion(
  'type',
  {
    CreateDraft,
    ReviseDraft,
    SubmitForReview,
    WithdrawSubmission,
    DiscardDraft,
    AssignReviewer,
    RequestChanges,
    ApproveArticle,
    RejectArticle,
    PublishArticle,
    ReleaseScheduledPublication,
    CancelSchedule,
    CorrectArticle,
    PublishCorrection,
    UnpublishArticle,
    RetractArticle,
  },
  'ArticleCommandBody',
);
export type ArticleCommandBody = t.TypeOf<typeof ArticleCommandBody>;
export type ArticleCommandType = ArticleCommandBody['type'];

export const articleCommandTypes: ReadonlyArray<ArticleCommandType> = Object.keys(
  ArticleCommandBody.members,
) as ArticleCommandType[];

/** The envelope fields a newsroom tool sends around a command body. */
export const CommandEnvelopeHeader = strict(
  { commandId: Uuid, articleId: Uuid },
  { expectedRevision: NonNegativeInt },
  'CommandEnvelopeHeader',
);
export type CommandEnvelopeHeader = t.TypeOf<typeof CommandEnvelopeHeader>;

/** `{ commandId, articleId, expectedRevision?, type, data }` as sent over HTTP and Kafka. */
export const CommandEnvelope = withHeader(
  CommandEnvelopeHeader,
  ArticleCommandBody,
  'CommandEnvelope',
);
export type CommandEnvelope = t.TypeOf<typeof CommandEnvelope>;

/** What the service adds to a body before deciding: ids, the caller and the clock. */
export const CommandContext = strict(
  { articleId: Uuid, commandId: Uuid, actor: Actor, now: IsoDateTime },
  {},
  'CommandContext',
);
export type CommandContext = t.TypeOf<typeof CommandContext>;

/** The decider's input: `{ articleId, commandId, actor, now, type, data }`. */
export const ArticleCommand = withHeader(CommandContext, ArticleCommandBody, 'ArticleCommand');
export type ArticleCommand = t.TypeOf<typeof ArticleCommand>;

export type CommandOf<T extends ArticleCommandType> = Extract<ArticleCommand, { type: T }>;
