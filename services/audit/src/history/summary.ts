/** One line, for a person, of what an event did (the event itself is beside it, whole). */
import type { ArticleEvent } from '@newsroom/contracts';

const MAX = 200;

const line = (text: string): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return [...flat].length <= MAX ? flat : `${[...flat].slice(0, MAX - 1).join('')}…`;
};

const quoted = (text: string): string => `“${text}”`;

export const summaryOf = (event: ArticleEvent): string => {
  switch (event.type) {
    case 'DraftCreated.v1':
      return line(`draft created: ${quoted(event.data.content.headline)}`);
    case 'DraftRevised.v1':
      return line(`draft revised: ${quoted(event.data.content.headline)}`);
    case 'SubmittedForReview.v1':
      return 'submitted for review';
    case 'SubmissionWithdrawn.v1':
      return 'submission withdrawn';
    case 'DraftDiscarded.v1':
      return line(
        `draft discarded${event.data.reason === undefined ? '' : `: ${event.data.reason}`}`,
      );
    case 'ReviewerAssigned.v1':
      return line(`reviewer assigned: ${event.data.reviewerId}`);
    case 'ChangesRequested.v1': {
      const n = event.data.comments.length;
      return `changes requested (${n} comment${n === 1 ? '' : 's'})`;
    }
    case 'ArticleApproved.v1':
      return 'approved';
    case 'ArticleRejected.v1':
      return line(`rejected: ${event.data.reason}`);
    case 'PublicationScheduled.v1':
      return event.data.embargo
        ? `embargoed until ${event.data.releaseAt}`
        : `scheduled for ${event.data.releaseAt}`;
    case 'ScheduleCancelled.v1':
      return 'schedule cancelled';
    case 'ArticlePublished.v1':
      return line(
        `published as version ${event.data.version}: ${quoted(event.data.content.headline)}`,
      );
    case 'CorrectionDrafted.v1':
      return line(`correction drafted: ${event.data.notice}`);
    case 'CorrectionApproved.v1':
      return 'correction approved';
    case 'CorrectionRejected.v1':
      return line(`correction rejected: ${event.data.reason}`);
    case 'CorrectionPublished.v1':
      return line(`correction published as version ${event.data.version}: ${event.data.notice}`);
    case 'ArticleUnpublished.v1':
      return line(`unpublished: ${event.data.reason}`);
    case 'ArticleRetracted.v1':
      return line(`retracted: ${event.data.reason}`);
    default: {
      const never: never = event;
      return never;
    }
  }
};
