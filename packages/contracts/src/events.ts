/**
 * Article events, one stream per article (`article-<uuid>`). Type names carry a version: a
 * changed shape is a new type (`.v2`), so decoding is strict (an unknown key is an error).
 * Every event's data carries `articleId`, `at` (when it happened, the command's `now`) and
 * `by` (the authenticated actor), so that evolve and every consumer are self-contained.
 */
import * as t from 'io-ts';
import { strict, taggedUnion } from './codec.js';
import type { NoProps } from './codec.js';
import { RecordedActor, RecordedActorId } from './actor.js';
import { RecordedContent as Content } from './content.js';
import { RecordedNotes } from './commands.js';
import { CommandType } from './rejections.js';
import { Identifier, IsoDateTime, patternText, PositiveInt, Uuid } from './text.js';

/** Stored events are read with the record codecs: the rules they were written under, never
 *  tightened (a stricter command rule leaves every stored event readable). */
const { Note, Notice, Reason, ReviewComments } = RecordedNotes;

const base = { articleId: Uuid, at: IsoDateTime, by: RecordedActor };

const event = <T extends string, R extends t.Props, O extends t.Props = NoProps>(
  type: T,
  required: R,
  optional?: O,
) =>
  strict(
    {
      type: t.literal(type),
      data: strict({ ...base, ...required }, optional ?? ({} as O), `${type} data`),
    },
    {},
    type,
  );

export const DraftCreated = event('DraftCreated.v1', { content: Content });
export type DraftCreated = t.TypeOf<typeof DraftCreated>;

export const DraftRevised = event('DraftRevised.v1', { content: Content }, { note: Note });
export type DraftRevised = t.TypeOf<typeof DraftRevised>;

export const SubmittedForReview = event('SubmittedForReview.v1', {});
export type SubmittedForReview = t.TypeOf<typeof SubmittedForReview>;

export const SubmissionWithdrawn = event('SubmissionWithdrawn.v1', {});
export type SubmissionWithdrawn = t.TypeOf<typeof SubmissionWithdrawn>;

export const DraftDiscarded = event('DraftDiscarded.v1', {}, { reason: Reason });
export type DraftDiscarded = t.TypeOf<typeof DraftDiscarded>;

export const ReviewerAssigned = event('ReviewerAssigned.v1', { reviewerId: RecordedActorId });
export type ReviewerAssigned = t.TypeOf<typeof ReviewerAssigned>;

export const ChangesRequested = event('ChangesRequested.v1', { comments: ReviewComments });
export type ChangesRequested = t.TypeOf<typeof ChangesRequested>;

export const ArticleApproved = event('ArticleApproved.v1', {}, { note: Note });
export type ArticleApproved = t.TypeOf<typeof ArticleApproved>;

export const ArticleRejected = event('ArticleRejected.v1', { reason: Reason });
export type ArticleRejected = t.TypeOf<typeof ArticleRejected>;

/** `releaseAt`: when the article goes out (`at` is when it was scheduled). */
export const PublicationScheduled = event('PublicationScheduled.v1', {
  embargo: t.boolean,
  releaseAt: IsoDateTime,
});
export type PublicationScheduled = t.TypeOf<typeof PublicationScheduled>;

export const ScheduleCancelled = event('ScheduleCancelled.v1', {}, { reason: Reason });
export type ScheduleCancelled = t.TypeOf<typeof ScheduleCancelled>;

/** `content` is exactly what the public sees; `version` is 1 at first publication and is
 *  unchanged when an unpublished article is published again. */
export const ArticlePublished = event('ArticlePublished.v1', {
  version: PositiveInt,
  content: Content,
});
export type ArticlePublished = t.TypeOf<typeof ArticlePublished>;

/** Drafts (or replaces the pending draft of) a correction of the published text. */
export const CorrectionDrafted = event('CorrectionDrafted.v1', {
  content: Content,
  notice: Notice,
});
export type CorrectionDrafted = t.TypeOf<typeof CorrectionDrafted>;

export const CorrectionApproved = event('CorrectionApproved.v1', {}, { note: Note });
export type CorrectionApproved = t.TypeOf<typeof CorrectionApproved>;

export const CorrectionRejected = event('CorrectionRejected.v1', { reason: Reason });
export type CorrectionRejected = t.TypeOf<typeof CorrectionRejected>;

export const CorrectionPublished = event('CorrectionPublished.v1', {
  version: PositiveInt,
  notice: Notice,
  content: Content,
});
export type CorrectionPublished = t.TypeOf<typeof CorrectionPublished>;

export const ArticleUnpublished = event('ArticleUnpublished.v1', { reason: Reason });
export type ArticleUnpublished = t.TypeOf<typeof ArticleUnpublished>;

export const ArticleRetracted = event('ArticleRetracted.v1', { reason: Reason, notice: Notice });
export type ArticleRetracted = t.TypeOf<typeof ArticleRetracted>;

export const ArticleEvent = taggedUnion(
  'type',
  {
    'DraftCreated.v1': DraftCreated,
    'DraftRevised.v1': DraftRevised,
    'SubmittedForReview.v1': SubmittedForReview,
    'SubmissionWithdrawn.v1': SubmissionWithdrawn,
    'DraftDiscarded.v1': DraftDiscarded,
    'ReviewerAssigned.v1': ReviewerAssigned,
    'ChangesRequested.v1': ChangesRequested,
    'ArticleApproved.v1': ArticleApproved,
    'ArticleRejected.v1': ArticleRejected,
    'PublicationScheduled.v1': PublicationScheduled,
    'ScheduleCancelled.v1': ScheduleCancelled,
    'ArticlePublished.v1': ArticlePublished,
    'CorrectionDrafted.v1': CorrectionDrafted,
    'CorrectionApproved.v1': CorrectionApproved,
    'CorrectionRejected.v1': CorrectionRejected,
    'CorrectionPublished.v1': CorrectionPublished,
    'ArticleUnpublished.v1': ArticleUnpublished,
    'ArticleRetracted.v1': ArticleRetracted,
  },
  'ArticleEvent',
);
export type ArticleEvent = t.TypeOf<typeof ArticleEvent>;
export type ArticleEventType = ArticleEvent['type'];
export type EventOf<T extends ArticleEventType> = Extract<ArticleEvent, { type: T }>;

export const articleEventTypes: ReadonlyArray<ArticleEventType> = Object.keys(
  ArticleEvent.members,
) as ArticleEventType[];

/** Stored beside each event. `causationId` is what caused it (the command id for events a
 *  command produced); `correlationId` ties together everything one request set off. */
/**
 * W3C trace context (https://www.w3.org/TR/trace-context/): version 00, a 16-byte trace id, an
 * 8-byte parent id and the flags, lower-case hex.
 */
export const TraceParent = patternText(
  'TraceParent',
  /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/,
  55,
  'expected a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)',
);
export type TraceParent = t.TypeOf<typeof TraceParent>;

export const EventMetadata = strict(
  {
    actor: RecordedActor,
    commandId: Uuid,
    /** The command that caused the event: a command id sent again with another command is
     *  told apart from a retry. */
    commandType: CommandType,
    correlationId: Identifier,
    causationId: Identifier,
    occurredAt: IsoDateTime,
  },
  {
    /** The trace the command came in, its span the command's (added later: optional). */
    traceparent: TraceParent,
  },
  'EventMetadata',
);
export type EventMetadata = t.TypeOf<typeof EventMetadata>;
