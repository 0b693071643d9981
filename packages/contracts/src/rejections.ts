/**
 * Why the decider refused a command. Each rejection is named for the rule it enforces and
 * carries the article's state name at the time; `rejectionStatus` is the one place that maps
 * a rejection to an HTTP status.
 */
import * as t from 'io-ts';
import { strict, taggedUnion } from './codec.js';
import { RecordedActorId, Role } from './actor.js';
import { ArticleCommandBody } from './commands.js';
import { IsoDateTime, Uuid } from './text.js';

export const ArticleStatus = t.keyof(
  {
    Initial: null,
    Draft: null,
    InReview: null,
    ChangesRequested: null,
    Approved: null,
    Rejected: null,
    Scheduled: null,
    Published: null,
    Unpublished: null,
    Retracted: null,
    Discarded: null,
  },
  'ArticleStatus',
);
export type ArticleStatus = t.TypeOf<typeof ArticleStatus>;

export const articleStatuses: ReadonlyArray<ArticleStatus> = Object.keys(
  ArticleStatus.keys,
) as ArticleStatus[];

export const CommandType = t.keyof(
  Object.fromEntries(Object.keys(ArticleCommandBody.members).map((k) => [k, null])) as {
    [K in keyof typeof ArticleCommandBody.members]: null;
  },
  'CommandType',
);
export type CommandType = t.TypeOf<typeof CommandType>;

const rejection = <T extends string, R extends t.Props>(tag: T, props: R) =>
  strict({ _tag: t.literal(tag), state: ArticleStatus, ...props }, {}, tag);

/** No stream for this article (any command but CreateDraft). */
export const ArticleNotFound = rejection('ArticleNotFound', { articleId: Uuid });
/** CreateDraft on an article that exists. */
export const ArticleAlreadyExists = rejection('ArticleAlreadyExists', { articleId: Uuid });
/** The caller's role may not send this command (in this state, for ReviseDraft in review). */
export const RoleNotAllowed = rejection('RoleNotAllowed', { role: Role, command: CommandType });
/** Four eyes: the approver wrote or revised the text under review. */
export const ApproverIsContributor = rejection('ApproverIsContributor', {
  approverId: RecordedActorId,
});
/** Four eyes, early: the reviewer to assign wrote or revised the text under review. */
export const ReviewerIsContributor = rejection('ReviewerIsContributor', {
  reviewerId: RecordedActorId,
});
/** The new content is the current content (or the correction is the published text). */
export const NoChange = rejection('NoChange', {});
export const ArticleNotDraft = rejection('ArticleNotDraft', {});
export const ArticleNotInReview = rejection('ArticleNotInReview', {});
export const ArticleNotApproved = rejection('ArticleNotApproved', {});
export const ArticleNotScheduled = rejection('ArticleNotScheduled', {});
export const ArticleNotPublished = rejection('ArticleNotPublished', {});
export const NoCorrectionPending = rejection('NoCorrectionPending', {});
export const CorrectionNotApproved = rejection('CorrectionNotApproved', {});
export const CorrectionAlreadyApproved = rejection('CorrectionAlreadyApproved', {});
/** Rejected or Discarded: nothing more can happen to the article. */
export const ArticleIsFinal = rejection('ArticleIsFinal', {});
/** Retracted is final: every command after it gets this. */
export const ArticleIsRetracted = rejection('ArticleIsRetracted', {});
export const ScheduleNotInFuture = rejection('ScheduleNotInFuture', {
  releaseAt: IsoDateTime,
  now: IsoDateTime,
});
export const ScheduleNotDue = rejection('ScheduleNotDue', {
  releaseAt: IsoDateTime,
  now: IsoDateTime,
});

export const ArticleRejection = taggedUnion(
  '_tag',
  {
    ArticleNotFound,
    ArticleAlreadyExists,
    RoleNotAllowed,
    ApproverIsContributor,
    ReviewerIsContributor,
    NoChange,
    ArticleNotDraft,
    ArticleNotInReview,
    ArticleNotApproved,
    ArticleNotScheduled,
    ArticleNotPublished,
    NoCorrectionPending,
    CorrectionNotApproved,
    CorrectionAlreadyApproved,
    ArticleIsFinal,
    ArticleIsRetracted,
    ScheduleNotInFuture,
    ScheduleNotDue,
  },
  'ArticleRejection',
);
export type ArticleRejection = t.TypeOf<typeof ArticleRejection>;
export type ArticleRejectionTag = ArticleRejection['_tag'];
export type RejectionOf<T extends ArticleRejectionTag> = Extract<ArticleRejection, { _tag: T }>;

/** HTTP status per rejection: 404 not found, 403 who may not, 422 what was sent cannot be
 *  applied as such, 409 the article is not in a state that allows it. */
export const rejectionStatuses: { readonly [K in ArticleRejectionTag]: 403 | 404 | 409 | 422 } = {
  ArticleNotFound: 404,
  ArticleAlreadyExists: 409,
  RoleNotAllowed: 403,
  ApproverIsContributor: 403,
  ReviewerIsContributor: 422,
  NoChange: 422,
  ArticleNotDraft: 409,
  ArticleNotInReview: 409,
  ArticleNotApproved: 409,
  ArticleNotScheduled: 409,
  ArticleNotPublished: 409,
  NoCorrectionPending: 409,
  CorrectionNotApproved: 409,
  CorrectionAlreadyApproved: 409,
  ArticleIsFinal: 409,
  ArticleIsRetracted: 409,
  ScheduleNotInFuture: 422,
  ScheduleNotDue: 409,
};

export const rejectionStatus = (tag: ArticleRejectionTag): 403 | 404 | 409 | 422 =>
  rejectionStatuses[tag];

/** One English sentence for the problem's `detail`. */
export const describeRejection = (r: ArticleRejection): string => {
  switch (r._tag) {
    case 'ArticleNotFound':
      return `Article ${r.articleId} does not exist.`;
    case 'ArticleAlreadyExists':
      return `Article ${r.articleId} already exists (${r.state}).`;
    case 'RoleNotAllowed':
      return `Role ${r.role} may not send ${r.command} to an article in state ${r.state}.`;
    case 'ApproverIsContributor':
      return `${r.approverId} wrote or revised the text under review and cannot approve it.`;
    case 'ReviewerIsContributor':
      return `${r.reviewerId} wrote or revised the text under review and cannot review it.`;
    case 'NoChange':
      return 'The content is identical to the current content.';
    case 'ArticleNotDraft':
      return `The article is ${r.state}, not a draft.`;
    case 'ArticleNotInReview':
      return `The article is ${r.state}, not in review.`;
    case 'ArticleNotApproved':
      return `The article is ${r.state}, not approved.`;
    case 'ArticleNotScheduled':
      return `The article is ${r.state}, not scheduled.`;
    case 'ArticleNotPublished':
      return `The article is ${r.state}, not published.`;
    case 'NoCorrectionPending':
      return 'There is no pending correction.';
    case 'CorrectionNotApproved':
      return 'The pending correction has not been approved.';
    case 'CorrectionAlreadyApproved':
      return 'The pending correction is already approved.';
    case 'ArticleIsFinal':
      return `The article is ${r.state}; nothing more can happen to it.`;
    case 'ArticleIsRetracted':
      return 'The article is retracted; nothing more can happen to it.';
    case 'ScheduleNotInFuture':
      return `The release time ${r.releaseAt} is not after now (${r.now}).`;
    case 'ScheduleNotDue':
      return `The release time ${r.releaseAt} has not come yet (now ${r.now}).`;
    default: {
      const _exhaustive: never = r;
      return _exhaustive;
    }
  }
};
