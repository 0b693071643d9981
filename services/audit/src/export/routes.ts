/**
 * `GET /v1/audit/export?fromPosition=<transactionId>.<sequence>`: the log from that position
 * (exclusive; from its start when absent) as NDJSON, with hashes, tree heads and consistency
 * proofs (lines.ts), streamed as it is read, at the pace the client takes it. A failure midway
 * cuts the response off before its end line, which the verifier reports as a cut-off file.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import { fieldErrorsOf, parsePositionText, positionText, strict } from '@newsroom/contracts';
import { drained, problem, sendInvalidQuery, sendProblem } from '@newsroom/service-kit';
import { auditorsOnly } from '../auditors.js';
import type { AuditContext } from '../context.js';
import { logVerifierKey } from '../tree-heads/routes.js';
import { exportChunks, NotInTreeYet } from './lines-of-log.js';

const FromPosition = positionText(
  'FromPosition',
  'expected <transactionId>.<sequence>, an event position',
);
export const ExportQuery = strict({}, { fromPosition: FromPosition }, 'ExportQuery');

export const exportRouter = (ctx: AuditContext): Router => {
  const router = Router();
  router.get('/', ...auditorsOnly(ctx), async (req: Request, res: Response) => {
    const query = ExportQuery.decode(req.query);
    if (E.isLeft(query)) return sendInvalidQuery(res, fieldErrorsOf(query.left).errors);
    const from =
      query.right.fromPosition === undefined
        ? undefined
        : parsePositionText(query.right.fromPosition);
    const chunks = exportChunks(
      {
        store: ctx.store,
        db: ctx.sql,
        schema: ctx.tables,
        origin: ctx.signer.origin,
        verifierKey: logVerifierKey(ctx.signer),
        now: ctx.clock ?? (() => new Date()),
      },
      from,
    );
    let first;
    try {
      first = await chunks.next(); // the header: refusals come before any byte is sent
    } catch (error) {
      if (!(error instanceof NotInTreeYet)) throw error;
      res.setHeader('Retry-After', '1');
      return sendProblem(res, problem(503, 'Service Unavailable', error.message));
    }
    res.status(200).type('application/x-ndjson; charset=utf-8');
    try {
      for (let chunk = first; chunk.done !== true; chunk = await chunks.next()) {
        if (!res.write(chunk.value)) await drained(res);
        if (res.destroyed) {
          await chunks.return(undefined); // the client went away: stop reading the log
          return;
        }
      }
      res.end();
    } catch (error) {
      console.error(
        JSON.stringify({ level: 'error', msg: 'export cut off', error: String(error) }),
      );
      res.destroy();
    }
  });
  return router;
};
