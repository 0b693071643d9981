/** `GET /v1/reviews`: the review queue, for editors and admins. */
import { Router } from 'express';
import type { Request, Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import { sqlState } from '@newsroom/event-store';
import { isSystemic } from '@newsroom/processing';
import type { SqlQueryable } from '@newsroom/event-store';
import { callerOf, problem, requireCaller, sendProblem } from '@newsroom/service-kit';
import type { Authenticator } from '@newsroom/service-kit';
import { decodeQuery, readReviewQueue } from './query.js';

const READERS: ReadonlySet<string> = new Set(['editor', 'admin']);

export const reviewQueueRouter = (
  authenticator: Authenticator,
  sql: SqlQueryable,
  schema: string,
): Router => {
  const router = Router();
  router.get('/', requireCaller(authenticator), async (req: Request, res: Response) => {
    const caller = callerOf(req);
    if (!READERS.has(caller.role)) {
      return sendProblem(
        res,
        problem(403, 'Forbidden', `the review queue is for editors and admins, not ${caller.role}`),
      );
    }
    const query = decodeQuery(req.query);
    if (E.isLeft(query)) {
      return sendProblem(
        res,
        problem(400, 'Invalid Query', 'the query parameters are invalid', { errors: query.left }),
      );
    }
    try {
      res.json(await readReviewQueue(sql, schema, query.right));
    } catch (error) {
      // The table not made yet (the process has just started), or the database away: the
      // queue cannot answer now, which is not the request's fault.
      if (sqlState(error) !== '42P01' && !isSystemic(error)) throw error;
      res.setHeader('Retry-After', '1');
      sendProblem(res, problem(503, 'Service Unavailable', 'the review queue cannot answer now'));
    }
  });
  return router;
};
