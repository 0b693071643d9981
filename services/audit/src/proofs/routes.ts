/**
 * Proofs over the log's Merkle tree (RFC 6962 / 9162), for auditors and admins:
 * `GET /v1/audit/proofs/inclusion?eventId=&treeSize=` (that the event is leaf `leafIndex` of
 * the tree of `treeSize`: the audit path and that tree's root) and
 * `GET /v1/audit/proofs/consistency?from=&to=` (that the tree of `from` leaves is a prefix of
 * the tree of `to`: the proof and both roots). Hashes are lower-case hex. A size past the log's
 * is a 400; an event not among the first `treeSize` leaves a 404.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import { fieldErrorsOf, patternText, strict, Uuid } from '@newsroom/contracts';
import type { EventStore } from '@newsroom/event-store';
import { consistencyProof, inclusionProof, rootOf } from '@newsroom/event-store';
import { problem, sendInvalidQuery, sendProblem } from '@newsroom/service-kit';
import type { Authenticator } from '@newsroom/service-kit';
import { auditorsOnly } from '../auditors.js';
import { readLeaves } from './leaves.js';

const Size = patternText(
  'TreeSize',
  /^[1-9]\d{0,11}$/,
  12,
  'expected a tree size, a whole number from 1',
);
const InclusionQuery = strict({ eventId: Uuid, treeSize: Size }, {}, 'InclusionQuery');
const ConsistencyQuery = strict({ from: Size, to: Size }, {}, 'ConsistencyQuery');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export const proofsRouter = (authenticator: Authenticator, store: EventStore): Router => {
  const router = Router();
  router.use(...auditorsOnly(authenticator));
  router.get('/inclusion', async (req: Request, res: Response) => {
    const query = InclusionQuery.decode(req.query);
    if (E.isLeft(query)) return sendInvalidQuery(res, fieldErrorsOf(query.left).errors);
    const size = Number(query.right.treeSize);
    const leaves = await readLeaves(store, size);
    if (leaves.hashes.length < size) {
      return sendInvalidQuery(res, [
        { path: 'treeSize', message: `the log holds ${leaves.hashes.length} events` },
      ]);
    }
    const index = leaves.eventIds.indexOf(query.right.eventId);
    if (index < 0) {
      return sendProblem(
        res,
        problem(404, 'Not Found', `no event ${query.right.eventId} among the first ${size}`),
      );
    }
    res.json({
      eventId: query.right.eventId,
      leafIndex: index,
      treeSize: size,
      leafHash: hex(leaves.hashes[index]!),
      rootHash: hex(rootOf(leaves.hashes)),
      proof: inclusionProof(index, leaves.hashes).map(hex),
    });
  });
  router.get('/consistency', async (req: Request, res: Response) => {
    const query = ConsistencyQuery.decode(req.query);
    if (E.isLeft(query)) return sendInvalidQuery(res, fieldErrorsOf(query.left).errors);
    const [from, to] = [Number(query.right.from), Number(query.right.to)];
    if (from > to)
      return sendInvalidQuery(res, [{ path: 'from', message: 'expected at most `to`' }]);
    const leaves = await readLeaves(store, to);
    if (leaves.hashes.length < to) {
      return sendInvalidQuery(res, [
        { path: 'to', message: `the log holds ${leaves.hashes.length} events` },
      ]);
    }
    res.json({
      from,
      to,
      fromRoot: hex(rootOf(leaves.hashes.slice(0, from))),
      toRoot: hex(rootOf(leaves.hashes)),
      proof: consistencyProof(from, leaves.hashes).map(hex),
    });
  });
  return router;
};
