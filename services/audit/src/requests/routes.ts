/**
 * `GET /v1/audit/requests?actor=&limit=&before=`: the audit's own log of who asked what, when,
 * newest first, for auditors and admins (this request is recorded too); `next` pages on.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import { fieldErrorsOf, patternText, RecordedActorId, strict } from '@newsroom/contracts';
import { quoteIdent } from '@newsroom/event-store';
import { answerFromReadModel, PageLimit, sendInvalidQuery } from '@newsroom/service-kit';
import { auditorsOnly } from '../auditors.js';
import type { AuditAccess } from '../auditors.js';
import { readRequests } from './journal.js';

const Before = patternText('Before', /^[1-9]\d{0,15}$/, 16, 'expected a request id');
export const RequestsQuery = strict(
  {},
  { limit: PageLimit, before: Before, actor: RecordedActorId },
  'RequestsQuery',
);

export const requestsRouter = (access: AuditAccess): Router => {
  const router = Router();
  router.get('/', ...auditorsOnly(access), async (req: Request, res: Response) => {
    const query = RequestsQuery.decode(req.query);
    if (E.isLeft(query)) return sendInvalidQuery(res, fieldErrorsOf(query.left).errors);
    const limit = Number(query.right.limit ?? 50);
    const actor = query.right.actor;
    await answerFromReadModel(res, 'the audit request log', async () => {
      const rows = await readRequests(access.sql, quoteIdent(access.schema), {
        before: Number(query.right.before ?? Number.MAX_SAFE_INTEGER),
        limit: limit + 1,
        ...(actor === undefined ? {} : { actor }),
      });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      const more = new URLSearchParams({
        limit: String(limit),
        ...(actor === undefined ? {} : { actor }),
        ...(last === undefined ? {} : { before: String(last.id) }),
      });
      res.json({
        items: page,
        ...(rows.length > limit ? { next: `${req.baseUrl}?${more.toString()}` } : {}),
      });
    });
  });
  return router;
};
