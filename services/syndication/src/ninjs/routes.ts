/**
 * IPTC ninjs 3.1 over HTTP, public: `GET /v1/feeds/ninjs` (a page of the published documents
 * under `items`), `GET /v1/feeds/ninjs/{articleId}` (its current document: `usable`, or
 * `canceled` once unpublished or retracted) and `GET /v1/feeds/ninjs/{articleId}/versions/{n}`
 * (the document version n went out with; 404 once unpublished, 410 once retracted: a withdrawn
 * text is not offered again). Never-public articles are 404.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import { Uuid } from '@newsroom/contracts';
import type { SqlQueryable } from '@newsroom/event-store';
import { answerFromReadModel, problem, sendInvalidQuery, sendProblem } from '@newsroom/service-kit';
import { decodeQuery } from '../public-articles/query.js';
import { readCurrentDocument, readNinjsPage, readVersionDocument } from './query.js';

const WHAT = 'the ninjs documents';
/** What a ninjs document is sent as (ninjs has no media type of its own). */
export const NINJS_TYPE = 'application/json; charset=utf-8';
const notFound = (res: Response) =>
  sendProblem(res, problem(404, 'Not Found', 'no such public article or version'));

export const ninjsRouter = (sql: SqlQueryable, schema: string): Router => {
  const router = Router();
  router.get('/', async (req: Request, res: Response) => {
    const query = decodeQuery(req.query);
    if (E.isLeft(query)) return sendInvalidQuery(res, query.left);
    await answerFromReadModel(res, WHAT, async () => {
      res.json(await readNinjsPage(sql, schema, query.right));
    });
  });
  router.get('/:articleId', async (req: Request, res: Response) => {
    const id = Uuid.decode(req.params['articleId']);
    if (E.isLeft(id)) return notFound(res);
    await answerFromReadModel(res, WHAT, async () => {
      const current = await readCurrentDocument(sql, schema, id.right);
      // An embargo not yet over (never, as published) or never public: nothing to show.
      if (current === undefined || (current.status === 'published' && !current.listed)) {
        return notFound(res);
      }
      res.type(NINJS_TYPE).send(JSON.stringify(current.document));
    });
  });
  router.get('/:articleId/versions/:version', async (req: Request, res: Response) => {
    const id = Uuid.decode(req.params['articleId']);
    const version = String(req.params['version'] ?? '');
    if (E.isLeft(id) || !/^[1-9]\d{0,8}$/.test(version)) return notFound(res);
    await answerFromReadModel(res, WHAT, async () => {
      const current = await readCurrentDocument(sql, schema, id.right);
      if (current?.status === 'retracted') {
        return sendProblem(res, problem(410, 'Gone', 'the article was retracted'));
      }
      if (current === undefined || !current.listed) return notFound(res);
      const document = await readVersionDocument(sql, schema, id.right, Number(version));
      if (document === undefined) return notFound(res);
      res.type(NINJS_TYPE).send(JSON.stringify(document));
    });
  });
  return router;
};
