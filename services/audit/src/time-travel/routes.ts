/**
 * Time travel, from the store alone: `GET /v1/audit/articles/{id}/state?at=|revision=` is the
 * article as the newsroom had it then (every fact the decider folds: text, status, reviewer,
 * approvals, the pending correction); `GET /v1/audit/articles/{id}/public?at=` is what the
 * public saw at that instant (default now): the published version, a retraction's tombstone,
 * or nothing (never published yet, scheduled, embargoed, unpublished), as the domain's
 * publicView says, folded from the events recorded up to that instant.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import { publicView, stateName, toArticleView } from '@newsroom/domain';
import type { EventStore } from '@newsroom/event-store';
import { readArticleAsOf, sendInvalidQuery } from '@newsroom/service-kit';

import { auditorsOnly } from '../auditors.js';
import type { AuditAccess } from '../auditors.js';

export const timeTravelRouter = (access: AuditAccess, store: EventStore): Router => {
  const router = Router();
  router.get('/:articleId/state', ...auditorsOnly(access), async (req: Request, res: Response) => {
    const found = await readArticleAsOf(req, res, store);
    if (found === undefined) return;
    const { state, revision, events } = found.read;
    const last = events[events.length - 1];
    res.json({
      articleId: found.articleId,
      asOf: {
        ...(typeof req.query['at'] === 'string' ? { at: req.query['at'] } : {}),
        ...(typeof req.query['revision'] === 'string'
          ? { revision: Number(req.query['revision']) }
          : {}),
      },
      revision: Number(revision),
      recordedAt: last?.recorded.recordedAt.toISOString() ?? null,
      status: stateName(state),
      article: toArticleView(state),
    });
  });
  router.get('/:articleId/public', ...auditorsOnly(access), async (req: Request, res: Response) => {
    if (req.query['revision'] !== undefined) {
      return sendInvalidQuery(res, [
        { path: 'revision', message: 'what the public saw is asked by `at` alone' },
      ]);
    }
    const at = typeof req.query['at'] === 'string' ? req.query['at'] : new Date().toISOString();
    const found = await readArticleAsOf(req, res, store, { at });
    if (found === undefined) return;
    res.json({
      articleId: found.articleId,
      at,
      revision: Number(found.read.revision),
      public: publicView(found.read.state),
    });
  });
  return router;
};
