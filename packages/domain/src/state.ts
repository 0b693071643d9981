/**
 * The article's state as folded from its events. Plain, JSON-serializable data (absent facts
 * are `null`), so that the audit service can show "the state at revision n" as is.
 */
import type { Actor, ArticleEvent, ArticleStatus, Content } from '@newsroom/contracts';
import { sameActor } from '@newsroom/contracts';

/** A correction drafted on a published article, before it goes out. */
export interface PendingCorrection {
  readonly content: Content;
  readonly notice: string;
  /** Everyone who drafted or re-drafted this correction: none of them may approve it. */
  readonly contributors: readonly string[];
  readonly status: 'drafted' | 'approved';
  readonly draftedAt: string;
  readonly approvedBy: Actor | null;
}

/** A correction that went out. */
export interface CorrectionRecord {
  readonly version: number;
  readonly notice: string;
  readonly at: string;
  readonly by: Actor;
}

export interface PublishedFacts {
  /** 1 at first publication, + 1 per published correction, unchanged on republication. */
  readonly version: number;
  /** Exactly what the public sees (saw, once unpublished). */
  readonly content: Content;
  readonly firstPublishedAt: string;
  /** Last publication, republication or correction. */
  readonly updatedAt: string;
  readonly corrections: readonly CorrectionRecord[];
}

export interface Retraction {
  readonly reason: string;
  readonly notice: string;
  readonly at: string;
  readonly by: Actor;
}

export interface Schedule {
  readonly releaseAt: string;
  readonly embargo: boolean;
  readonly scheduledBy: Actor;
}

/** What every existing article knows, whatever its state. */
export interface ArticleFacts {
  readonly articleId: string;
  readonly createdBy: Actor;
  readonly createdAt: string;
  /** `at` of the last event. */
  readonly updatedAt: string;
  /** The current text: the draft, the text under review, or the published text. */
  readonly content: Content;
  /** Ids of the creator and every reviser of the current text since the last approval
   *  (after a published correction: the correction's contributors). */
  readonly contributors: readonly string[];
  readonly reviewerId: string | null;
  readonly approvedBy: Actor | null;
  readonly published: PublishedFacts | null;
  readonly correction: PendingCorrection | null;
  readonly retraction: Retraction | null;
}

export interface InitialState {
  readonly status: 'Initial';
}

export type UnscheduledStatus = Exclude<ArticleStatus, 'Initial' | 'Scheduled'>;

export interface ExistingArticle extends ArticleFacts {
  readonly status: UnscheduledStatus;
}

export interface ScheduledArticle extends ArticleFacts {
  readonly status: 'Scheduled';
  readonly schedule: Schedule;
}

export type ArticleState = InitialState | ExistingArticle | ScheduledArticle;

export const initialState: ArticleState = { status: 'Initial' };

export const stateName = (state: ArticleState): ArticleStatus => state.status;

/** Adds `id` unless the same person (`sameActor`) is there already; ids are kept as written. */
const withContributor = (contributors: readonly string[], id: string): readonly string[] =>
  contributors.some((c) => sameActor(c, id)) ? contributors : [...contributors, id];

const facts = (state: ExistingArticle | ScheduledArticle): ArticleFacts => {
  if (state.status === 'Scheduled') {
    const { status: _status, schedule: _schedule, ...rest } = state;
    return rest;
  }
  const { status: _status, ...rest } = state;
  return rest;
};

/** The state moved to `status` (dropping the schedule), with `changes` and `updatedAt`. */
const moved = (
  state: ExistingArticle | ScheduledArticle,
  status: UnscheduledStatus,
  at: string,
  changes: Partial<ArticleFacts> = {},
): ExistingArticle => ({ ...facts(state), ...changes, status, updatedAt: at });

const updated = (
  state: ExistingArticle | ScheduledArticle,
  at: string,
  changes: Partial<ArticleFacts>,
): ArticleState => ({ ...state, ...changes, updatedAt: at });

export const evolve = (state: ArticleState, event: ArticleEvent): ArticleState => {
  if (state.status === 'Initial') {
    if (event.type !== 'DraftCreated.v1') return state;
    const { articleId, at, by, content } = event.data;
    return {
      status: 'Draft',
      articleId,
      createdBy: by,
      createdAt: at,
      updatedAt: at,
      content,
      contributors: [by.id],
      reviewerId: null,
      approvedBy: null,
      published: null,
      correction: null,
      retraction: null,
    };
  }
  const { at, by } = event.data;
  switch (event.type) {
    case 'DraftCreated.v1':
      return state;
    case 'DraftRevised.v1':
      return updated(state, at, {
        content: event.data.content,
        contributors: withContributor(state.contributors, by.id),
      });
    case 'SubmittedForReview.v1':
      return moved(state, 'InReview', at);
    case 'SubmissionWithdrawn.v1':
      return moved(state, 'Draft', at);
    case 'DraftDiscarded.v1':
      return moved(state, 'Discarded', at);
    case 'ReviewerAssigned.v1':
      return updated(state, at, { reviewerId: event.data.reviewerId });
    case 'ChangesRequested.v1':
      return moved(state, 'ChangesRequested', at);
    case 'ArticleApproved.v1':
      return moved(state, 'Approved', at, { approvedBy: by });
    case 'ArticleRejected.v1':
      return moved(state, 'Rejected', at);
    case 'PublicationScheduled.v1':
      return {
        ...facts(state),
        status: 'Scheduled',
        updatedAt: at,
        schedule: { releaseAt: event.data.releaseAt, embargo: event.data.embargo, scheduledBy: by },
      };
    case 'ScheduleCancelled.v1':
      return moved(state, state.published === null ? 'Approved' : 'Unpublished', at);
    case 'ArticlePublished.v1': {
      const { version, content } = event.data;
      return moved(state, 'Published', at, {
        content,
        published: {
          version,
          content,
          firstPublishedAt: state.published?.firstPublishedAt ?? at,
          updatedAt: at,
          corrections: state.published?.corrections ?? [],
        },
      });
    }
    case 'CorrectionDrafted.v1': {
      const previous = state.correction;
      return updated(state, at, {
        correction: {
          content: event.data.content,
          notice: event.data.notice,
          contributors:
            previous?.status === 'drafted'
              ? withContributor(previous.contributors, by.id)
              : [by.id],
          status: 'drafted',
          draftedAt: at,
          approvedBy: null,
        },
      });
    }
    case 'CorrectionApproved.v1':
      return state.correction === null
        ? state
        : updated(state, at, {
            correction: { ...state.correction, status: 'approved', approvedBy: by },
          });
    case 'CorrectionRejected.v1':
      return updated(state, at, { correction: null });
    case 'CorrectionPublished.v1': {
      const { version, notice, content } = event.data;
      const published = state.published;
      return moved(state, 'Published', at, {
        content,
        contributors: state.correction?.contributors ?? [by.id],
        correction: null,
        published: {
          version,
          content,
          firstPublishedAt: published?.firstPublishedAt ?? at,
          updatedAt: at,
          corrections: [...(published?.corrections ?? []), { version, notice, at, by }],
        },
      });
    }
    case 'ArticleUnpublished.v1':
      return moved(state, 'Unpublished', at);
    case 'ArticleRetracted.v1':
      return moved(state, 'Retracted', at, {
        retraction: { reason: event.data.reason, notice: event.data.notice, at, by },
      });
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
};
