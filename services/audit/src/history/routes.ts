/**
 * `GET /v1/audit/articles/{id}/history`: every event of the article's stream, straight from
 * the store (never from a read model), each with its revision, global position, recorded time,
 * actor and role, command, correlation and causation ids, type, a one-line summary and its
 * place in the hash chain. JSON, or NDJSON (one event per line) for `Accept:
 * application/x-ndjson`. For auditors and admins.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import { Uuid } from '@newsroom/contracts';
import type { ArticleEvent, EventMetadata } from '@newsroom/contracts';
import type { EventStore, RecordedEvent } from '@newsroom/event-store';
import {
  articleHttp,
  callerOf,
  failureProblem,
  problem,
  readArticle,
  requireCaller,
  sendProblem,
} from '@newsroom/service-kit';
import type { Authenticator } from '@newsroom/service-kit';
import { summaryOf } from './summary.js';

const READERS: ReadonlySet<string> = new Set(['auditor', 'admin']);
const NDJSON = 'application/x-ndjson';

export interface HistoryEntry {
  readonly revision: number;
  readonly position: { readonly transactionId: string; readonly sequence: string };
  readonly eventId: string;
  readonly type: string;
  readonly summary: string;
  readonly recordedAt: string;
  readonly occurredAt: string;
  readonly actor: { readonly id: string; readonly role: string };
  readonly commandId: string;
  readonly commandType: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly hash: string;
  readonly previousHash: string;
  readonly data: ArticleEvent['data'];
}

const entryOf = (e: {
  readonly event: ArticleEvent;
  readonly metadata: EventMetadata;
  readonly recorded: RecordedEvent;
}): HistoryEntry => ({
  revision: Number(e.recorded.revision),
  position: {
    transactionId: e.recorded.position.transactionId.toString(),
    sequence: e.recorded.position.sequence.toString(),
  },
  eventId: e.recorded.id,
  type: e.event.type,
  summary: summaryOf(e.event),
  recordedAt: e.recorded.recordedAt.toISOString(),
  occurredAt: e.metadata.occurredAt,
  actor: { id: e.metadata.actor.id, role: e.metadata.actor.role },
  commandId: e.metadata.commandId,
  commandType: e.metadata.commandType,
  correlationId: e.metadata.correlationId,
  causationId: e.metadata.causationId,
  hash: e.recorded.hash,
  previousHash: e.recorded.previousHash,
  data: e.event.data,
});

export const historyRouter = (authenticator: Authenticator, store: EventStore): Router => {
  const router = Router();
  router.get(
    '/:articleId/history',
    requireCaller(authenticator),
    async (req: Request, res: Response) => {
      const caller = callerOf(req);
      if (!READERS.has(caller.role)) {
        return sendProblem(
          res,
          problem(403, 'Forbidden', `the audit is for auditors and admins, not ${caller.role}`),
        );
      }
      const id = Uuid.decode(req.params['articleId']);
      if (E.isLeft(id)) {
        return sendProblem(res, problem(404, 'Not Found', 'the article id must be a UUID'));
      }
      const loaded = await readArticle(store, id.right);
      if (E.isLeft(loaded)) {
        return sendProblem(res, failureProblem(loaded.left, articleHttp.rejectionProblem));
      }
      if (loaded.right.events.length === 0) {
        return sendProblem(res, problem(404, 'Not Found', `no article ${id.right}`));
      }
      const entries = loaded.right.events.map(entryOf);
      res.vary('Accept');
      if (req.accepts(['application/json', NDJSON]) === NDJSON) {
        res.type(NDJSON).send(entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
        return;
      }
      res.json({ articleId: id.right, revision: Number(loaded.right.revision), events: entries });
    },
  );
  return router;
};
