/**
 * The article lifecycle's rules. Pure: time (`now`) and ids come in with the command; every
 * event carries the command's `articleId`, `now` as `at` and the actor as `by`.
 *
 * Order of checks: the role may send the command at all (RoleNotAllowed), the article exists
 * (ArticleNotFound) and is not retracted (ArticleIsRetracted) or otherwise final
 * (ArticleIsFinal), then the command's own state and content rules.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Either } from 'fp-ts/lib/Either.js';
import type {
  Actor,
  ArticleCommand,
  ArticleCommandType,
  ArticleEvent,
  ArticleEventType,
  ArticleRejection,
  CommandOf,
  EventOf,
  Role,
} from '@newsroom/contracts';
import { sameActor } from '@newsroom/contracts';
import { sameContent } from './content.js';
import type { ArticleState, ExistingArticle, ScheduledArticle } from './state.js';

type Existing = ExistingArticle | ScheduledArticle;
type Decision = Either<ArticleRejection, readonly ArticleEvent[]>;

const writers: readonly Role[] = ['reporter', 'editor', 'admin'];
const editors: readonly Role[] = ['editor', 'admin'];
const publishers: readonly Role[] = ['publisher', 'admin'];

/** Which roles may send each command (in some state). `auditor` sends nothing. */
export const commandRoles: { readonly [K in ArticleCommandType]: readonly Role[] } = {
  CreateDraft: writers,
  ReviseDraft: writers,
  SubmitForReview: writers,
  WithdrawSubmission: writers,
  DiscardDraft: writers,
  CorrectArticle: writers,
  AssignReviewer: editors,
  RequestChanges: editors,
  ApproveArticle: editors,
  RejectArticle: editors,
  PublishArticle: publishers,
  CancelSchedule: publishers,
  PublishCorrection: publishers,
  UnpublishArticle: publishers,
  RetractArticle: publishers,
  ReleaseScheduledPublication: ['system'],
};

/** Roles that may revise a text while it is in review (an editor fixing it). */
export const reviseInReviewRoles: readonly Role[] = editors;

export const maySend = (role: Role, type: ArticleCommandType): boolean =>
  commandRoles[type].includes(role);

const reject = (rejection: ArticleRejection): Decision => E.left(rejection);

const emit = (...events: readonly ArticleEvent[]): Decision => E.right(events);

/** `{ key: value }`, or `{}` when value is undefined (exactOptionalPropertyTypes). */
const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

const event = <T extends ArticleEventType>(
  command: ArticleCommand,
  type: T,
  data: Omit<EventOf<T>['data'], 'articleId' | 'at' | 'by'>,
): EventOf<T> =>
  ({
    type,
    data: { articleId: command.articleId, at: command.now, by: command.actor, ...data },
  }) as unknown as EventOf<T>; // `data` is checked at each call against the event's own shape

const instant = (iso: string): number => Date.parse(iso);

const roleNotAllowed = (state: ArticleState, role: Role, command: ArticleCommandType) =>
  reject({ _tag: 'RoleNotAllowed', state: state.status, role, command });

/** Four eyes compares people by `sameActor` (NFKC and case-insensitive), not raw ids. */
const isContributor = (ids: readonly string[], actor: Actor | string): boolean => {
  const id = typeof actor === 'string' ? actor : actor.id;
  return ids.some((contributor) => sameActor(contributor, id));
};

export const decide = (command: ArticleCommand, state: ArticleState): Decision => {
  if (!maySend(command.actor.role, command.type)) {
    return roleNotAllowed(state, command.actor.role, command.type);
  }
  if (state.status === 'Initial') {
    return command.type === 'CreateDraft'
      ? emit(event(command, 'DraftCreated.v1', { content: command.data.content }))
      : reject({ _tag: 'ArticleNotFound', state: 'Initial', articleId: command.articleId });
  }
  if (state.status === 'Retracted')
    return reject({ _tag: 'ArticleIsRetracted', state: 'Retracted' });
  if (command.type === 'CreateDraft') {
    return reject({
      _tag: 'ArticleAlreadyExists',
      state: state.status,
      articleId: state.articleId,
    });
  }
  if (state.status === 'Rejected' || state.status === 'Discarded') {
    return reject({ _tag: 'ArticleIsFinal', state: state.status });
  }
  return decideExisting(command, state);
};

const decideExisting = (
  command: Exclude<ArticleCommand, CommandOf<'CreateDraft'>>,
  state: Existing,
): Decision => {
  const current = state.status;
  switch (command.type) {
    case 'ReviseDraft': {
      if (current === 'InReview') {
        if (!reviseInReviewRoles.includes(command.actor.role)) {
          return roleNotAllowed(state, command.actor.role, command.type);
        }
      } else if (current !== 'Draft' && current !== 'ChangesRequested') {
        return reject({ _tag: 'ArticleNotDraft', state: current });
      }
      if (sameContent(command.data.content, state.content)) {
        return reject({ _tag: 'NoChange', state: current });
      }
      return emit(
        event(command, 'DraftRevised.v1', {
          content: command.data.content,
          ...optional('note', command.data.note),
        }),
      );
    }

    case 'SubmitForReview':
      return current === 'Draft' || current === 'ChangesRequested'
        ? emit(event(command, 'SubmittedForReview.v1', {}))
        : reject({ _tag: 'ArticleNotDraft', state: current });

    case 'WithdrawSubmission':
      return current === 'InReview'
        ? emit(event(command, 'SubmissionWithdrawn.v1', {}))
        : reject({ _tag: 'ArticleNotInReview', state: current });

    case 'DiscardDraft':
      return current === 'Draft' || current === 'ChangesRequested'
        ? emit(event(command, 'DraftDiscarded.v1', optional('reason', command.data.reason)))
        : reject({ _tag: 'ArticleNotDraft', state: current });

    case 'AssignReviewer': {
      const { reviewerId } = command.data;
      const underReview =
        current === 'InReview' || current === 'ChangesRequested'
          ? state.contributors
          : state.correction?.status === 'drafted' &&
              (current === 'Published' || current === 'Unpublished')
            ? state.correction.contributors
            : undefined;
      if (underReview === undefined) return reject({ _tag: 'ArticleNotInReview', state: current });
      if (isContributor(underReview, reviewerId)) {
        return reject({ _tag: 'ReviewerIsContributor', state: current, reviewerId });
      }
      if (state.reviewerId !== null && sameActor(state.reviewerId, reviewerId))
        return reject({ _tag: 'NoChange', state: current });
      return emit(event(command, 'ReviewerAssigned.v1', { reviewerId }));
    }

    case 'RequestChanges':
      return current === 'InReview'
        ? emit(event(command, 'ChangesRequested.v1', { comments: command.data.comments }))
        : reject({ _tag: 'ArticleNotInReview', state: current });

    case 'ApproveArticle': {
      const note = optional('note', command.data.note);
      const approverId = command.actor.id;
      if (current === 'InReview') {
        return isContributor(state.contributors, command.actor)
          ? reject({ _tag: 'ApproverIsContributor', state: current, approverId })
          : emit(event(command, 'ArticleApproved.v1', note));
      }
      if (current !== 'Published' && current !== 'Unpublished') {
        return reject({ _tag: 'ArticleNotInReview', state: current });
      }
      const correction = state.correction;
      if (correction === null) return reject({ _tag: 'NoCorrectionPending', state: current });
      if (correction.status === 'approved') {
        return reject({ _tag: 'CorrectionAlreadyApproved', state: current });
      }
      return isContributor(correction.contributors, command.actor)
        ? reject({ _tag: 'ApproverIsContributor', state: current, approverId })
        : emit(event(command, 'CorrectionApproved.v1', note));
    }

    case 'RejectArticle': {
      const { reason } = command.data;
      if (current === 'InReview') return emit(event(command, 'ArticleRejected.v1', { reason }));
      if (current !== 'Published' && current !== 'Unpublished') {
        return reject({ _tag: 'ArticleNotInReview', state: current });
      }
      const correction = state.correction;
      if (correction === null) return reject({ _tag: 'NoCorrectionPending', state: current });
      if (correction.status === 'approved') {
        return reject({ _tag: 'CorrectionAlreadyApproved', state: current });
      }
      return emit(event(command, 'CorrectionRejected.v1', { reason }));
    }

    case 'PublishArticle': {
      if (current !== 'Approved' && current !== 'Unpublished') {
        return reject({ _tag: 'ArticleNotApproved', state: current });
      }
      const mode = command.data;
      if (mode.mode === 'now') return emit(published(command, state));
      const releaseAt = mode.mode === 'scheduled' ? mode.at : mode.until;
      if (!(instant(releaseAt) > instant(command.now))) {
        return reject({ _tag: 'ScheduleNotInFuture', state: current, releaseAt, now: command.now });
      }
      return emit(
        event(command, 'PublicationScheduled.v1', {
          embargo: mode.mode === 'embargoed',
          releaseAt,
        }),
      );
    }

    case 'ReleaseScheduledPublication': {
      if (state.status !== 'Scheduled')
        return reject({ _tag: 'ArticleNotScheduled', state: current });
      const { releaseAt } = state.schedule;
      return instant(command.now) >= instant(releaseAt)
        ? emit(published(command, state))
        : reject({ _tag: 'ScheduleNotDue', state: current, releaseAt, now: command.now });
    }

    case 'CancelSchedule':
      return current === 'Scheduled'
        ? emit(event(command, 'ScheduleCancelled.v1', optional('reason', command.data.reason)))
        : reject({ _tag: 'ArticleNotScheduled', state: current });

    case 'CorrectArticle': {
      if (current !== 'Published' || state.published === null) {
        return reject({ _tag: 'ArticleNotPublished', state: current });
      }
      const { content, notice } = command.data;
      const pending = state.correction;
      if (
        sameContent(content, state.published.content) ||
        (pending !== null && pending.notice === notice && sameContent(content, pending.content))
      ) {
        return reject({ _tag: 'NoChange', state: current });
      }
      return emit(event(command, 'CorrectionDrafted.v1', { content, notice }));
    }

    case 'PublishCorrection': {
      if (current !== 'Published' || state.published === null) {
        return reject({ _tag: 'ArticleNotPublished', state: current });
      }
      const correction = state.correction;
      if (correction === null) return reject({ _tag: 'NoCorrectionPending', state: current });
      if (correction.status !== 'approved') {
        return reject({ _tag: 'CorrectionNotApproved', state: current });
      }
      return emit(
        event(command, 'CorrectionPublished.v1', {
          version: state.published.version + 1,
          notice: correction.notice,
          content: correction.content,
        }),
      );
    }

    case 'UnpublishArticle':
      return current === 'Published'
        ? emit(event(command, 'ArticleUnpublished.v1', { reason: command.data.reason }))
        : reject({ _tag: 'ArticleNotPublished', state: current });

    case 'RetractArticle':
      return current === 'Published' || current === 'Unpublished'
        ? emit(
            event(command, 'ArticleRetracted.v1', {
              reason: command.data.reason,
              notice: command.data.notice,
            }),
          )
        : reject({ _tag: 'ArticleNotPublished', state: current });

    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
};

/** First publication (version 1, the approved text) or republication (same version and the
 *  text last published, corrections included). */
const published = (command: ArticleCommand, state: Existing): ArticleEvent =>
  event(command, 'ArticlePublished.v1', {
    version: state.published?.version ?? 1,
    content: state.published?.content ?? state.content,
  });
