/**
 * One delivery per active subscription whose filters match the change (an empty filter
 * matches everything), made in the change's transaction. The body is fixed here, so every
 * retry sends the same bytes under the same webhook-id. A replay (a rebuild) finds the
 * delivery made already and makes none.
 */
import type { SqlQueryable } from '@newsroom/event-store';
import type { SyndicationEvent } from '../../changes/change.js';

export const fanOut = async (
  sql: SqlQueryable,
  schema: string,
  e: SyndicationEvent,
  body: string,
  traceparent: string | undefined,
): Promise<void> => {
  await sql.query(
    `INSERT INTO ${schema}.webhook_deliveries
       (id, subscription_id, seq, article_id, revision, event_type, body, traceparent)
     SELECT gen_random_uuid(), s.id, $1, $2, $3, $4, $5, $8
       FROM ${schema}.webhook_subscriptions s
      WHERE s.status = 'active'
        AND (cardinality(s.sections) = 0 OR $6 = ANY (s.sections))
        AND (cardinality(s.languages) = 0 OR lower($7) = ANY (s.languages))
        AND (cardinality(s.event_types) = 0 OR $4 = ANY (s.event_types))
     ON CONFLICT (subscription_id, article_id, revision) DO NOTHING`,
    [e.seq, e.articleId, e.revision, e.type, body, e.section, e.language, traceparent ?? null],
  );
};
