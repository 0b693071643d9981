/**
 * The signed tree heads, where outsiders keep them: public, like the feeds (a tree head names
 * only a size, a root and a time), so that anyone may hold a copy and a rewritten history
 * shows as a fork against it.
 * - `GET /v1/audit/tree-heads?limit=&before=`: the heads, newest first, each with its signed
 *   note; `next` pages on.
 * - `GET /v1/audit/tree-heads/latest`: the newest signed note, `text/plain` (a checkpoint).
 * - `GET /v1/audit/tree-heads/key`: the log's origin and public key, also as a C2SP verifier
 *   key (`<name>+<key id>+<base64(0x01 || key)>`).
 * - `POST /v1/audit/tree-heads` (auditors and admins): seal now; 201 with the new head.
 */
import { createPublicKey } from 'node:crypto';
import { Router } from 'express';
import type { Request, Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import { fieldErrorsOf, patternText, strict } from '@newsroom/contracts';
import { rawPublicKey, verifierKey } from '@newsroom/event-store';
import {
  answerFromReadModel,
  PageLimit,
  problem,
  sendInvalidQuery,
  sendProblem,
} from '@newsroom/service-kit';

import { auditorsOnly } from '../auditors.js';
import type { AuditContext } from '../context.js';
import { SealRefused } from '../tree/seal.js';
import type { LogSigner } from '../tree/seal.js';
import type { TreeSealer } from '../tree/sealer.js';
import { headsBefore, latestHead, treeHeadJson } from '../tree/sql/heads.js';

const Before = patternText('Before', /^[1-9]\d{0,15}$/, 16, 'expected a tree head number');
export const HeadsQuery = strict({}, { limit: PageLimit, before: Before }, 'TreeHeadsQuery');

/** The signer's C2SP verifier key. */
export const logVerifierKey = (signer: LogSigner): string =>
  verifierKey(signer.origin, createPublicKey(signer.privateKey));

export const treeHeadsRouter = (ctx: AuditContext, sealer: TreeSealer): Router => {
  const router = Router();
  const { sql, tables: quoted, signer } = ctx;
  router.get('/', async (req: Request, res: Response) => {
    const query = HeadsQuery.decode(req.query);
    if (E.isLeft(query)) return sendInvalidQuery(res, fieldErrorsOf(query.left).errors);
    const limit = Number(query.right.limit ?? 20);
    const before = Number(query.right.before ?? Number.MAX_SAFE_INTEGER);
    await answerFromReadModel(res, 'the tree heads', async () => {
      const heads = await headsBefore(sql, quoted, before, limit + 1);
      const page = heads.slice(0, limit);
      const last = page[page.length - 1];
      res.json({
        origin: signer.origin,
        items: page.map(treeHeadJson),
        ...(heads.length > limit && last !== undefined
          ? { next: `${req.baseUrl}?limit=${limit}&before=${last.number}` }
          : {}),
      });
    });
  });
  router.get('/latest', async (_req: Request, res: Response) => {
    await answerFromReadModel(res, 'the tree heads', async () => {
      const head = await latestHead(sql, quoted);
      if (head === undefined) {
        return sendProblem(res, problem(404, 'Not Found', 'no tree head has been signed yet'));
      }
      res.type('text/plain; charset=utf-8').send(head.note);
    });
  });
  router.get('/key', (_req: Request, res: Response) => {
    res.json({
      origin: signer.origin,
      keyId: signer.keyId,
      algorithm: 'Ed25519',
      publicKey: rawPublicKey(signer.privateKey).toString('base64'),
      verifierKey: logVerifierKey(signer),
    });
  });
  router.post('/', ...auditorsOnly(ctx), async (_req: Request, res: Response) => {
    await answerFromReadModel(res, 'the sealer', async () => {
      try {
        res.status(201).json(treeHeadJson(await sealer.sealNow()));
      } catch (error) {
        if (!(error instanceof SealRefused)) throw error;
        const title = error._tag === 'NotTheLogKey' ? 'Not The Log Key' : 'Tree Does Not Extend';
        sendProblem(res, problem(409, title, error.message));
      }
    });
  });
  return router;
};
