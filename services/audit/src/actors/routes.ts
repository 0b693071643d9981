/**
 * `GET /v1/audit/actors/{id}?limit=&cursor=`: everything one person (or the system) did, from
 * the store's global log in its order: each event they caused, with its article, revision,
 * position, time, role, command and summary. The log is read page by page from the cursor (at
 * most 10,000 events a request): `next` is where to go on, also when a page found fewer than
 * `limit` of theirs.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import {
  articleIdOfStream,
  decodeStoredArticleEvent,
  fieldErrorsOf,
  parsePositionText,
  positionText,
  RecordedActorId,
  strict,
} from '@newsroom/contracts';
import type { EventStore, Position } from '@newsroom/event-store';
import { PageLimit, problem, sendInvalidQuery, sendProblem } from '@newsroom/service-kit';

import { auditorsOnly } from '../auditors.js';
import type { AuditAccess } from '../auditors.js';
import { entryOf } from '../history/routes.js';
import type { HistoryEntry } from '../history/routes.js';

const Cursor = positionText('Cursor', 'expected a cursor from `next`');
export const ActorQuery = strict({}, { limit: PageLimit, cursor: Cursor }, 'ActorQuery');
const SCAN = 10_000;

const positionOf = (cursor: string | undefined): Position | undefined =>
  cursor === undefined ? undefined : parsePositionText(cursor);

export const actorsRouter = (access: AuditAccess, store: EventStore): Router => {
  const router = Router();
  router.get('/:actorId', ...auditorsOnly(access), async (req: Request, res: Response) => {
    const actor = RecordedActorId.decode(req.params['actorId']);
    if (E.isLeft(actor)) return sendProblem(res, problem(404, 'Not Found', 'not an actor id'));
    const query = ActorQuery.decode(req.query);
    if (E.isLeft(query)) return sendInvalidQuery(res, fieldErrorsOf(query.left).errors);
    const limit = Number(query.right.limit ?? 50);
    let from = positionOf(query.right.cursor);
    const items: (HistoryEntry & { readonly articleId: string | null })[] = [];
    let scanned = 0;
    let end = false;
    while (items.length < limit && scanned < SCAN) {
      const page = await store.readAll({
        ...(from === undefined ? {} : { fromPosition: from }),
        maxCount: 1000,
      });
      if (page.length === 0) {
        end = true;
        break;
      }
      for (const row of page) {
        scanned++;
        from = row.position;
        const decoded = decodeStoredArticleEvent(row);
        if (E.isRight(decoded) && decoded.right.metadata.actor.id === actor.right) {
          items.push({ articleId: articleIdOfStream(row.streamName) ?? null, ...entryOf(row) });
          if (items.length === limit) break;
        }
      }
    }
    res.json({
      actorId: actor.right,
      items,
      ...(end || from === undefined ? {} : { next: `${from.transactionId}.${from.sequence}` }),
    });
  });
  return router;
};
