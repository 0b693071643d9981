/**
 * Proofs over the log's Merkle tree (RFC 6962 / 9162), for auditors and admins, from the stored
 * tree (O(log n) nodes a proof, whatever the log's length):
 * `GET /v1/audit/proofs/inclusion?eventId=&treeSize=` (that the event is leaf `leafIndex` of
 * the tree of `treeSize`: the audit path and that tree's root) and
 * `GET /v1/audit/proofs/consistency?from=&to=` (that the tree of `from` leaves is a prefix of
 * the tree of `to`: the proof and both roots). Hashes are lower-case hex. A size past the
 * tree's is a 400 (the tree takes in new events within AUDIT_TREE_POLL_MS); an event not among
 * the first `treeSize` leaves a 404.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import { fieldErrorsOf, patternText, strict, Uuid } from '@newsroom/contracts';
import { answerFromReadModel, problem, sendInvalidQuery, sendProblem } from '@newsroom/service-kit';

import { auditorsOnly } from '../auditors.js';
import type { AuditContext } from '../context.js';
import { storedConsistency, storedInclusion } from '../tree/proofs.js';
import { leafIndexOf } from '../tree/sql/nodes.js';
import { treeSize } from '../tree/sql/tree.js';

const Size = patternText(
  'TreeSize',
  /^[1-9]\d{0,11}$/,
  12,
  'expected a tree size, a whole number from 1',
);
export const InclusionQuery = strict({ eventId: Uuid, treeSize: Size }, {}, 'InclusionQuery');
export const ConsistencyQuery = strict({ from: Size, to: Size }, {}, 'ConsistencyQuery');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const tooLarge = (path: string, held: number) => [
  { path, message: `the tree holds ${held} leaves` },
];

export const proofsRouter = (ctx: AuditContext): Router => {
  const router = Router();
  const { sql, tables: s } = ctx;
  router.use(...auditorsOnly(ctx));
  router.get('/inclusion', async (req: Request, res: Response) => {
    const query = InclusionQuery.decode(req.query);
    if (E.isLeft(query)) return sendInvalidQuery(res, fieldErrorsOf(query.left).errors);
    const size = Number(query.right.treeSize);
    await answerFromReadModel(res, 'the tree', async () => {
      const held = await treeSize(sql, s);
      if (held < size) return sendInvalidQuery(res, tooLarge('treeSize', held));
      const index = await leafIndexOf(sql, s, query.right.eventId);
      if (index === undefined || index >= size) {
        return sendProblem(
          res,
          problem(404, 'Not Found', `no event ${query.right.eventId} among the first ${size}`),
        );
      }
      const { root, leaf, proof } = await storedInclusion(sql, s, index, size);
      res.json({
        eventId: query.right.eventId,
        leafIndex: index,
        treeSize: size,
        leafHash: hex(leaf),
        rootHash: hex(root),
        proof: proof.map(hex),
      });
    });
  });
  router.get('/consistency', async (req: Request, res: Response) => {
    const query = ConsistencyQuery.decode(req.query);
    if (E.isLeft(query)) return sendInvalidQuery(res, fieldErrorsOf(query.left).errors);
    const [from, to] = [Number(query.right.from), Number(query.right.to)];
    if (from > to)
      return sendInvalidQuery(res, [{ path: 'from', message: 'expected at most `to`' }]);
    await answerFromReadModel(res, 'the tree', async () => {
      const held = await treeSize(sql, s);
      if (held < to) return sendInvalidQuery(res, tooLarge('to', held));
      const { fromRoot, toRoot, proof } = await storedConsistency(sql, s, from, to);
      res.json({ from, to, fromRoot: hex(fromRoot), toRoot: hex(toRoot), proof: proof.map(hex) });
    });
  });
  return router;
};
