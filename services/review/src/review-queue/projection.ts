/**
 * The review queue, a read model kept by a processor from article events: one row per
 * article, with its place in review (`pending`: submitted, no reviewer yet; `in_review`: a
 * reviewer assigned; `changes_requested`: sent back with comments) or none once it left
 * review (approved, rejected, withdrawn, discarded, retracted). A correction drafted after
 * publication enters it as `pending` too (kind `correction`), until approved or rejected.
 * Each row also keeps what the queue shows: the section and headline of the text under
 * review, who submitted it and when, the assigned reviewer, the revision, the open comments.
 */
import type { ArticleEventMessage, ArticleEventType } from '@newsroom/contracts';
import type { SqlQueryable } from '@newsroom/event-store';
import { ack, handles } from '@newsroom/processing';
import type { Processor, ProcessorMigration } from '@newsroom/processing';

export const REVIEW_QUEUE = 'review.queue';

const EVENTS: readonly ArticleEventType[] = [
  'DraftCreated.v1',
  'DraftRevised.v1',
  'SubmittedForReview.v1',
  'SubmissionWithdrawn.v1',
  'DraftDiscarded.v1',
  'ReviewerAssigned.v1',
  'ChangesRequested.v1',
  'ArticleApproved.v1',
  'ArticleRejected.v1',
  'CorrectionDrafted.v1',
  'CorrectionApproved.v1',
  'CorrectionRejected.v1',
  'ArticleRetracted.v1',
];

const MIGRATIONS: readonly ProcessorMigration[] = [
  {
    version: 1,
    name: 'review queue',
    statements: (s) => [
      `CREATE TABLE ${s}.review_queue (
         article_id   uuid        PRIMARY KEY,
         status       text        CHECK (status IN ('pending', 'in_review', 'changes_requested')),
         kind         text        NOT NULL DEFAULT 'article',
         section      text,
         headline     text,
         submitted_by text,
         submitted_at timestamptz,
         assignee     text,
         revision     bigint      NOT NULL,
         comments     json        NOT NULL DEFAULT '[]')`,
      `CREATE INDEX review_queue_open ON ${s}.review_queue (submitted_at DESC, article_id DESC)
         WHERE status IS NOT NULL`,
    ],
  },
];

/** One message into the queue. Every change is guarded by the row's revision as well. */
const project = async (sql: SqlQueryable, s: string, m: ArticleEventMessage): Promise<void> => {
  const e = m.event;
  const row = [m.articleId, m.revision];
  const update = (set: string, params: readonly unknown[] = []) =>
    sql.query(
      `UPDATE ${s}.review_queue SET ${set}, revision = $2
        WHERE article_id = $1 AND revision < $2`,
      [...row, ...params],
    );
  /** The row first if it is missing (its DraftCreated never seen: a topic's retention, a
   *  dead letter), so an article entering review is never silently left out. */
  const enter = async (set: string, params: readonly unknown[]) => {
    await sql.query(
      `INSERT INTO ${s}.review_queue (article_id, revision) VALUES ($1, $2 - 1)
       ON CONFLICT (article_id) DO NOTHING`,
      row,
    );
    await update(set, params);
  };
  switch (e.type) {
    case 'DraftCreated.v1':
      await sql.query(
        `INSERT INTO ${s}.review_queue (article_id, revision, section, headline)
         VALUES ($1, $2, $3, $4) ON CONFLICT (article_id) DO NOTHING`,
        [...row, e.data.content.section ?? null, e.data.content.headline],
      );
      return;
    case 'DraftRevised.v1':
      await update('section = $3, headline = $4', [
        e.data.content.section ?? null,
        e.data.content.headline,
      ]);
      return;
    case 'SubmittedForReview.v1':
      // Back with its reviewer when one was assigned before (changes requested, withdrawn).
      await enter(
        `status = CASE WHEN assignee IS NULL THEN 'pending' ELSE 'in_review' END,
         kind = 'article', submitted_by = $3, submitted_at = $4`,
        [e.data.by.id, e.data.at],
      );
      return;
    case 'CorrectionDrafted.v1':
      // The article keeps its reviewer (the domain does): a correction goes back to them.
      await enter(
        `status = CASE WHEN assignee IS NULL THEN 'pending' ELSE 'in_review' END,
         kind = 'correction', submitted_by = $3, submitted_at = $4,
         comments = '[]', section = $5, headline = $6`,
        [e.data.by.id, e.data.at, e.data.content.section ?? null, e.data.content.headline],
      );
      return;
    case 'ReviewerAssigned.v1':
      // Assigned while changes are requested: still waiting on the reporter.
      await enter(
        `status = CASE WHEN status = 'changes_requested' THEN status ELSE 'in_review' END,
         assignee = $3`,
        [e.data.reviewerId],
      );
      return;
    case 'ChangesRequested.v1':
      await enter(`status = 'changes_requested', comments = $3`, [JSON.stringify(e.data.comments)]);
      return;
    case 'SubmissionWithdrawn.v1':
    case 'DraftDiscarded.v1':
    case 'ArticleApproved.v1':
    case 'ArticleRejected.v1':
    case 'CorrectionApproved.v1':
    case 'CorrectionRejected.v1':
    case 'ArticleRetracted.v1':
      // Out of review; the reviewer stays recorded, as the domain keeps it.
      await update(`status = NULL, comments = '[]'`);
      return;
    default:
      return;
  }
};

export const reviewQueueProcessor = (schema: string): Processor => ({
  name: REVIEW_QUEUE,
  version: 1,
  schema,
  canHandle: handles(...EVENTS),
  migrations: MIGRATIONS,
  handle: async (batch, { sql, schema: s }) => {
    for (const message of batch) await project(sql, s, message);
    return ack;
  },
  truncate: async ({ sql, schema: s }) => void (await sql.query(`DELETE FROM ${s}.review_queue`)),
});
