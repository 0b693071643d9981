/**
 * Webhook subscriptions over HTTP, for publishers and admins: `POST /v1/subscriptions`
 * (`{ url, sections?, languages?, eventTypes? }`, an empty or absent filter matching
 * everything) answers 201 with the subscription and its `whsec_` secret, shown this once;
 * `GET /v1/subscriptions`, `GET|DELETE /v1/subscriptions/{id}`, `POST .../{id}/rotate` (a new
 * secret; the old one keeps signing beside it for the grace period), `GET .../{id}/deliveries`
 * (the log: each delivery with every attempt, its status and latency) and
 * `POST .../{id}/deliveries/{deliveryId}/redeliver` (one more attempt, now).
 */
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { Request, Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import { fieldErrorsOf, Uuid } from '@newsroom/contracts';
import type { SqlQueryable } from '@newsroom/event-store';
import {
  answerFromReadModel,
  callerOf,
  problem,
  requireCaller,
  sendProblem,
} from '@newsroom/service-kit';
import type { Authenticator } from '@newsroom/service-kit';
import { listDeliveries, redeliver } from './sql/deliveries.js';
import {
  deleteSubscription,
  insertSubscription,
  listSubscriptions,
  readSubscription,
  rotateSecret,
} from './sql/subscriptions.js';
import { newSecret } from './signature.js';
import { NewSubscription } from './subscription.js';
import { checkReceiverUrl } from './url-check.js';

/** The roles that manage subscriptions (the API reference names them too). */
export const MANAGERS: ReadonlySet<string> = new Set(['publisher', 'admin']);
const WHAT = 'the subscriptions';

export interface SubscriptionSettings {
  readonly allowPrivateUrls: boolean;
  readonly rotationGraceMs: number;
}

const invalid = (res: Response, errors: readonly { path: string; message: string }[]) =>
  sendProblem(res, problem(400, 'Invalid Subscription', 'the subscription is invalid', { errors }));
const notFound = (res: Response) =>
  sendProblem(res, problem(404, 'Not Found', 'no such subscription'));

export const subscriptionsRouter = (
  authenticator: Authenticator,
  sql: SqlQueryable,
  schema: string,
  settings: SubscriptionSettings,
): Router => {
  const router = Router();
  router.use(requireCaller(authenticator), (req, res, next) => {
    const caller = callerOf(req);
    if (MANAGERS.has(caller.role)) return next();
    sendProblem(
      res,
      problem(
        403,
        'Forbidden',
        `subscriptions are managed by publishers and admins, not ${caller.role}`,
      ),
    );
  });
  /** The :id (and :deliveryId) as UUIDs, or a 404 sent. */
  const ids = (req: Request, res: Response): { id: string; deliveryId?: string } | undefined => {
    const id = Uuid.decode(req.params['id']);
    const delivery =
      req.params['deliveryId'] === undefined ? undefined : Uuid.decode(req.params['deliveryId']);
    if (E.isLeft(id) || (delivery !== undefined && E.isLeft(delivery))) {
      notFound(res);
      return undefined;
    }
    return {
      id: id.right,
      ...(delivery !== undefined && E.isRight(delivery) ? { deliveryId: delivery.right } : {}),
    };
  };

  router.post('/', async (req: Request, res: Response) => {
    const body = NewSubscription.decode(req.body);
    if (E.isLeft(body)) return invalid(res, fieldErrorsOf(body.left).errors);
    const url = await checkReceiverUrl(body.right.url, settings.allowPrivateUrls);
    if (!url.ok) return invalid(res, [{ path: 'url', message: url.reason }]);
    await answerFromReadModel(res, WHAT, async () => {
      const secret = newSecret();
      const created = await insertSubscription(sql, schema, {
        ...body.right,
        url: url.url.href,
        id: randomUUID(),
        secret,
        createdBy: callerOf(req).id,
      });
      res.status(201).setHeader('Location', `/v1/subscriptions/${created.id}`);
      res.json({ ...created, secret });
    });
  });
  router.get('/', async (_req: Request, res: Response) => {
    await answerFromReadModel(res, WHAT, async () => {
      res.json({ items: await listSubscriptions(sql, schema) });
    });
  });
  router.get('/:id', async (req: Request, res: Response) => {
    const p = ids(req, res);
    if (p === undefined) return;
    await answerFromReadModel(res, WHAT, async () => {
      const found = await readSubscription(sql, schema, p.id);
      if (found === undefined) return notFound(res);
      res.json(found);
    });
  });
  router.delete('/:id', async (req: Request, res: Response) => {
    const p = ids(req, res);
    if (p === undefined) return;
    await answerFromReadModel(res, WHAT, async () => {
      if (!(await deleteSubscription(sql, schema, p.id))) return notFound(res);
      res.status(204).end();
    });
  });
  router.post('/:id/rotate', async (req: Request, res: Response) => {
    const p = ids(req, res);
    if (p === undefined) return;
    await answerFromReadModel(res, WHAT, async () => {
      const secret = newSecret();
      const rotated = await rotateSecret(sql, schema, p.id, secret, settings.rotationGraceMs);
      if (rotated === undefined) return notFound(res);
      res.json({ ...rotated, secret });
    });
  });
  router.get('/:id/deliveries', async (req: Request, res: Response) => {
    const p = ids(req, res);
    if (p === undefined) return;
    await answerFromReadModel(res, WHAT, async () => {
      if ((await readSubscription(sql, schema, p.id)) === undefined) return notFound(res);
      res.json({ items: await listDeliveries(sql, schema, p.id) });
    });
  });
  router.post('/:id/deliveries/:deliveryId/redeliver', async (req: Request, res: Response) => {
    const p = ids(req, res);
    if (p?.deliveryId === undefined) return;
    const deliveryId = p.deliveryId;
    await answerFromReadModel(res, WHAT, async () => {
      const outcome = await redeliver(sql, schema, p.id, deliveryId);
      if (outcome === 'missing') return notFound(res);
      if (outcome === 'inactive') {
        return sendProblem(
          res,
          problem(
            409,
            'Subscription Inactive',
            'the subscription is disabled: nothing is sent to it',
          ),
        );
      }
      if (outcome === 'superseded') {
        return sendProblem(
          res,
          problem(
            409,
            'Delivery Superseded',
            'a later change of this article was delivered after it; sending this one again would put it out of order',
          ),
        );
      }
      res.status(202).json({ id: deliveryId, status: 'pending' });
    });
  });
  return router;
};
