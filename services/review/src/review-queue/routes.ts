/** `GET /v1/reviews`: the review queue, for editors and admins. */
import { Router } from 'express';
import type { Request, Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import type { SqlQueryable } from '@newsroom/event-store';
import {
  answerFromReadModel,
  callerOf,
  problem,
  requireCaller,
  sendInvalidQuery,
  sendProblem,
} from '@newsroom/service-kit';
import type { Authenticator } from '@newsroom/service-kit';
import { decodeQuery, readReviewQueue } from './query.js';

/** The roles the queue admits (the API reference names them too). */
export const QUEUE_READERS: ReadonlySet<string> = new Set(['editor', 'admin']);

export const reviewQueueRouter = (
  authenticator: Authenticator,
  sql: SqlQueryable,
  schema: string,
): Router => {
  const router = Router();
  router.get('/', requireCaller(authenticator), async (req: Request, res: Response) => {
    const caller = callerOf(req);
    if (!QUEUE_READERS.has(caller.role)) {
      return sendProblem(
        res,
        problem(403, 'Forbidden', `the review queue is for editors and admins, not ${caller.role}`),
      );
    }
    const query = decodeQuery(req.query);
    if (E.isLeft(query)) return sendInvalidQuery(res, query.left);
    await answerFromReadModel(res, 'the review queue', async () => {
      res.json(await readReviewQueue(sql, schema, query.right));
    });
  });
  return router;
};
