/**
 * What the API answers about an article (`GET <prefix>/:id`, `Prefer: return=representation`)
 * and what later read models keep: a wire format of its own, mapped from the decider's state
 * (packages/domain `toArticleView`), so that the state can change without changing the answer.
 * Its texts are read with the record codecs: it shows what is stored.
 */
import * as t from 'io-ts';
import { strict } from './codec.js';
import { RecordedActor, RecordedActorId } from './actor.js';
import { RecordedContent } from './content.js';
import { RecordedNotes } from './commands.js';
import { ArticleStatus } from './rejections.js';
import { IsoDateTime, PositiveInt, Uuid } from './text.js';

const { Notice, Reason } = RecordedNotes;
const nullable = <C extends t.Mixed>(codec: C) => t.union([t.null, codec]);

export const CorrectionRecordView = strict(
  { version: PositiveInt, notice: Notice, at: IsoDateTime, by: RecordedActor },
  {},
  'CorrectionRecordView',
);

/** The published version. `content` is left out when it is the article's current content
 *  (`contentIsCurrent: true`), so a published text is answered once. */
export const PublishedView = strict(
  {
    version: PositiveInt,
    firstPublishedAt: IsoDateTime,
    updatedAt: IsoDateTime,
    corrections: t.readonlyArray(CorrectionRecordView),
  },
  { content: RecordedContent, contentIsCurrent: t.literal(true) },
  'PublishedView',
);

export const PendingCorrectionView = strict(
  {
    content: RecordedContent,
    notice: Notice,
    contributors: t.readonlyArray(RecordedActorId),
    status: t.keyof({ drafted: null, approved: null }),
    draftedAt: IsoDateTime,
    approvedBy: nullable(RecordedActor),
  },
  {},
  'PendingCorrectionView',
);

export const RetractionView = strict(
  { reason: Reason, notice: Notice, at: IsoDateTime, by: RecordedActor },
  {},
  'RetractionView',
);

export const ScheduleView = strict(
  { releaseAt: IsoDateTime, embargo: t.boolean, scheduledBy: RecordedActor },
  {},
  'ScheduleView',
);

export const ArticleView = strict(
  {
    articleId: Uuid,
    status: ArticleStatus,
    createdBy: RecordedActor,
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
    content: RecordedContent,
    /** Who wrote or revised the current text since the last approval: none may approve it. */
    contributors: t.readonlyArray(RecordedActorId),
    reviewerId: nullable(RecordedActorId),
    approvedBy: nullable(RecordedActor),
    published: nullable(PublishedView),
    correction: nullable(PendingCorrectionView),
    retraction: nullable(RetractionView),
  },
  { schedule: ScheduleView },
  'ArticleView',
);
export type ArticleView = t.TypeOf<typeof ArticleView>;
