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
import type { EventStore } from '@newsroom/event-store';
import { problem, sendInvalidQuery, sendProblem } from '@newsroom/service-kit';

import { auditorsOnly } from '../auditors.js';
import type { AuditAccess } from '../auditors.js';
import { diffHtml, diffText } from './render.js';

import { loadDiff, sideLabel, sideOf } from './load.js';

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
    const loaded = await loadDiff(store, id.right, from, to);
    if (E.isLeft(loaded)) return sendProblem(res, loaded.left);
    const { diff, b } = loaded.right;
    res.vary('Accept');
    switch (req.accepts(['application/json', 'text/plain', 'text/html'])) {
      case 'text/plain':
        return void res.type('text/plain; charset=utf-8').send(diffText(diff));
      case 'text/html':
        return void res
          .type('text/html; charset=utf-8')
          .send(diffHtml(diff, `${b.headline}: ${sideLabel(from)} → ${sideLabel(to)}`));
      default:
        res.json({ articleId: id.right, from, to, ...diff });
    }
  });
  return router;
};
