/**
 * `GET /v1/audit/verify?articleId=` (one article: its chain, and each event proved in the
 * latest signed tree) and `GET /v1/audit/verify` (the whole store: every event, chain, seal and
 * tree head), for auditors and admins. Always 200 once the check ran: `ok` says whether the
 * record holds, and `violation` names the first bad event or tree head and why. Positions and
 * revisions are decimal strings.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import { fieldErrorsOf, strict, Uuid } from '@newsroom/contracts';
import { answerFromReadModel, problem, sendInvalidQuery, sendProblem } from '@newsroom/service-kit';

import { auditorsOnly } from '../auditors.js';
import type { AuditContext } from '../context.js';
import { verifyArticle } from './article.js';

export const VerifyQuery = strict({}, { articleId: Uuid }, 'VerifyQuery');

/** JSON with every bigint as its decimal text. */
const sendReport = (res: Response, report: unknown): void => {
  res
    .type('application/json')
    .send(JSON.stringify(report, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
};

export const verifyRouter = (ctx: AuditContext): Router => {
  const router = Router();
  const { store, sql, tables: s, log } = ctx;
  router.get('/', ...auditorsOnly(ctx), async (req: Request, res: Response) => {
    const query = VerifyQuery.decode(req.query);
    if (E.isLeft(query)) return sendInvalidQuery(res, fieldErrorsOf(query.left).errors);
    const articleId = query.right.articleId;
    await answerFromReadModel(res, 'the verifier', async () => {
      if (articleId === undefined) return sendReport(res, await ctx.verifyStore());
      const report = await verifyArticle(store, sql, s, articleId, log);
      if (report === undefined) {
        return sendProblem(res, problem(404, 'Not Found', `no article ${articleId} in the store`));
      }
      sendReport(res, report);
    });
  });
  return router;
};
