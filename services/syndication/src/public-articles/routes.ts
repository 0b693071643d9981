/**
 * `GET /v1/feeds/articles` (a page of what is public now) and `GET /v1/feeds/articles/{id}`
 * (one article: 200 when out, 410 with its notice once retracted, 404 otherwise). Public: a
 * feed needs no token.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import { Uuid } from '@newsroom/contracts';
import type { ProblemDetails as Problem } from '@newsroom/contracts';
import type { SqlQueryable } from '@newsroom/event-store';
import { answerFromReadModel, problem, sendInvalidQuery, sendProblem } from '@newsroom/service-kit';
import { decodeQuery, readPublicArticle, readPublicArticles } from './query.js';

const WHAT = 'the public articles';
const NOT_PUBLIC = 'the article is not public: never published, embargoed or unpublished';

export const publicArticlesRouter = (sql: SqlQueryable, schema: string): Router => {
  const router = Router();
  router.get('/', async (req: Request, res: Response) => {
    const query = decodeQuery(req.query);
    if (E.isLeft(query)) return sendInvalidQuery(res, query.left);
    await answerFromReadModel(res, WHAT, async () => {
      res.json(await readPublicArticles(sql, schema, query.right));
    });
  });
  router.get('/:articleId', async (req: Request, res: Response) => {
    const id = Uuid.decode(req.params['articleId']);
    if (E.isLeft(id)) return sendProblem(res, problem(404, 'Not Found', NOT_PUBLIC));
    await answerFromReadModel(res, WHAT, async () => {
      const state = await readPublicArticle(sql, schema, id.right);
      switch (state.kind) {
        case 'published':
          return void res.json(state.article);
        case 'retracted':
          // Its public notice and when, as extension members (RFC 9457 §3.2).
          return sendProblem(res, {
            ...problem(410, 'Gone', 'the article was retracted'),
            notice: state.notice,
            retractedAt: state.retractedAt,
          } as Problem);
        case 'none':
          return sendProblem(res, problem(404, 'Not Found', NOT_PUBLIC));
        default: {
          const never: never = state;
          return never;
        }
      }
    });
  });
  return router;
};
