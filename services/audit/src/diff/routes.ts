/**
 * `GET /v1/audit/articles/{id}/diff?from=&to=`: two versions of the article's text compared,
 * word by word, for every field and block. `from` and `to` are each a revision (`7`: the text
 * the newsroom had after it) or a published version (`v2`: the text that went out as it). JSON
 * (`{ from, to, changed: [{ path, parts: [{ op, text }] }], unchanged }`), plain text
 * (`Accept: text/plain`) or an HTML page (`Accept: text/html`). For auditors and admins.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import { Uuid } from '@newsroom/contracts';
import type { Content } from '@newsroom/contracts';
import type { EventStore } from '@newsroom/event-store';
import {
  articleHttp,
  failureProblem,
  problem,
  readArticle,
  sendInvalidQuery,
  sendProblem,
} from '@newsroom/service-kit';

import { auditorsOnly } from '../auditors.js';
import type { AuditAccess } from '../auditors.js';
import { diffContent } from './content.js';
import { diffHtml, diffText } from './render.js';

const SIDE = /^(?:(\d{1,15})|v([1-9]\d{0,8}))$/;

type Side = { readonly revision: number } | { readonly version: number };

const sideOf = (text: unknown): Side | undefined => {
  const match = typeof text === 'string' ? SIDE.exec(text) : null;
  if (match === null) return undefined;
  return match[1] !== undefined ? { revision: Number(match[1]) } : { version: Number(match[2]) };
};

export const diffRouter = (access: AuditAccess, store: EventStore): Router => {
  const router = Router();
  router.get('/:articleId/diff', ...auditorsOnly(access), async (req: Request, res: Response) => {
    const id = Uuid.decode(req.params['articleId']);
    if (E.isLeft(id))
      return sendProblem(res, problem(404, 'Not Found', 'the article id must be a UUID'));
    const from = sideOf(req.query['from']);
    const to = sideOf(req.query['to']);
    const errors = [
      ...(from === undefined
        ? [{ path: 'from', message: 'expected a revision (7) or a published version (v2)' }]
        : []),
      ...(to === undefined
        ? [{ path: 'to', message: 'expected a revision (7) or a published version (v2)' }]
        : []),
    ];
    if (from === undefined || to === undefined) return sendInvalidQuery(res, errors);
    const loaded = await readArticle(store, id.right);
    if (E.isLeft(loaded))
      return sendProblem(res, failureProblem(loaded.left, articleHttp.rejectionProblem));
    const { events } = loaded.right;
    if (events.length === 0)
      return sendProblem(res, problem(404, 'Not Found', `no article ${id.right}`));
    const contentOf = async (side: Side): Promise<Content | undefined> => {
      if ('version' in side) {
        for (const e of events) {
          const ev = e.event;
          if (
            (ev.type === 'ArticlePublished.v1' || ev.type === 'CorrectionPublished.v1') &&
            ev.data.version === side.version
          ) {
            return ev.data.content;
          }
        }
        return undefined;
      }
      if (side.revision >= events.length) return undefined;
      const at = await readArticle(store, id.right, { toRevision: BigInt(side.revision) });
      return E.isRight(at) && at.right.state.status !== 'Initial'
        ? at.right.state.content
        : undefined;
    };
    const [a, b] = [await contentOf(from), await contentOf(to)];
    if (a === undefined || b === undefined) {
      return sendProblem(
        res,
        problem(404, 'Not Found', 'the article has no such revision or published version'),
      );
    }
    const diff = diffContent(a, b);
    const label = (s: Side) => ('version' in s ? `v${s.version}` : `revision ${s.revision}`);
    res.vary('Accept');
    switch (req.accepts(['application/json', 'text/plain', 'text/html'])) {
      case 'text/plain':
        return void res.type('text/plain; charset=utf-8').send(diffText(diff));
      case 'text/html':
        return void res
          .type('text/html; charset=utf-8')
          .send(diffHtml(diff, `${b.headline}: ${label(from)} → ${label(to)}`));
      default:
        res.json({ articleId: id.right, from, to, ...diff });
    }
  });
  return router;
};
