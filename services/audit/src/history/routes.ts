/**
 * `GET /v1/audit/articles/{id}/history`: every event of the article's stream, straight from
 * the store (never from a read model), each with its revision, global position, recorded time,
 * actor and role, command, correlation and causation ids, type, a one-line summary, its place
 * in the hash chain, and its data and metadata exactly as stored (so that anyone can recompute
 * its hash). An event this version cannot decode is listed too, marked `readable: false`. JSON, or NDJSON (one event per line) for `Accept:
 * application/x-ndjson`. For auditors and admins.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import { articleStreamName, decodeStoredArticleEvent, Uuid } from '@newsroom/contracts';
import type { EventStore, RecordedEvent } from '@newsroom/event-store';
import { problem, sendProblem } from '@newsroom/service-kit';
import { auditorsOnly } from '../auditors.js';
import type { AuditAccess } from '../auditors.js';

import { summaryOf } from './summary.js';

const NDJSON = 'application/x-ndjson';

export interface HistoryEntry {
  readonly revision: number;
  readonly position: { readonly transactionId: string; readonly sequence: string };
  readonly eventId: string;
  readonly type: string;
  readonly summary: string;
  /** False for an event this version cannot decode: it is listed all the same, as stored. */
  readonly readable: boolean;
  readonly recordedAt: string;
  readonly occurredAt: string | null;
  readonly actor: { readonly id: string; readonly role: string } | null;
  readonly commandId: string | null;
  readonly commandType: string | null;
  readonly correlationId: string | null;
  readonly causationId: string | null;
  readonly hash: string;
  readonly previousHash: string;
  /** The event's data and metadata exactly as stored: what its hash covers. */
  readonly data: unknown;
  readonly metadata: unknown;
}

/** A field of metadata the codec could not read, if it is a string. */
const text = (metadata: unknown, key: string): string | null => {
  const value = (metadata as Record<string, unknown> | null)?.[key];
  return typeof value === 'string' ? value : null;
};

const actorOf = (metadata: unknown): HistoryEntry['actor'] => {
  const actor = (metadata as Record<string, unknown> | null)?.['actor'];
  const id = text(actor, 'id');
  const role = text(actor, 'role');
  return id === null || role === null ? null : { id, role };
};

export const entryOf = (row: RecordedEvent): HistoryEntry => {
  const decoded = decodeStoredArticleEvent(row);
  const metadata: unknown = E.isRight(decoded) ? decoded.right.metadata : row.metadata;
  return {
    revision: Number(row.revision),
    position: {
      transactionId: row.position.transactionId.toString(),
      sequence: row.position.sequence.toString(),
    },
    eventId: row.id,
    type: row.type,
    summary: E.isRight(decoded)
      ? summaryOf(decoded.right.event)
      : `not readable by this version: ${decoded.left}`.slice(0, 200),
    readable: E.isRight(decoded),
    recordedAt: row.recordedAt.toISOString(),
    occurredAt: text(metadata, 'occurredAt'),
    actor: actorOf(metadata),
    commandId: text(metadata, 'commandId'),
    commandType: text(metadata, 'commandType'),
    correlationId: text(metadata, 'correlationId'),
    causationId: text(metadata, 'causationId'),
    hash: row.hash,
    previousHash: row.previousHash,
    data: row.data,
    metadata: row.metadata,
  };
};

export const historyRouter = (access: AuditAccess, store: EventStore): Router => {
  const router = Router();
  router.get(
    '/:articleId/history',
    ...auditorsOnly(access),
    async (req: Request, res: Response) => {
      const id = Uuid.decode(req.params['articleId']);
      if (E.isLeft(id)) {
        return sendProblem(res, problem(404, 'Not Found', 'the article id must be a UUID'));
      }
      // The rows as stored, every one listed: an auditor needs the history most when a row
      // does not decode.
      const rows = await store.readStream(articleStreamName(id.right));
      if (rows.length === 0) {
        return sendProblem(res, problem(404, 'Not Found', `no article ${id.right}`));
      }
      const entries = rows.map(entryOf);
      res.vary('Accept');
      if (req.accepts(['application/json', NDJSON]) === NDJSON) {
        res.type(NDJSON).send(entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
        return;
      }
      res.json({ articleId: id.right, revision: entries.length - 1, events: entries });
    },
  );
  return router;
};
