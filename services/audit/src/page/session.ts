/**
 * Who is at the page: a browser sends no bearer header, so the page's sign-in puts the token
 * (`newsroom token --role auditor --sub <you>`) in an HttpOnly, SameSite=Strict cookie scoped
 * to /audit, good until the token expires. Each page request checks it as the API checks a
 * bearer token (auditors and admins only) and is recorded in the audit request log first.
 */
import type { NextFunction, Request, Response } from 'express';
import { Router } from 'express';
import { problem, sendProblem } from '@newsroom/service-kit';
import type { Caller } from '@newsroom/service-kit';
import { mayReadAudit, recordAsked } from '../auditors.js';
import type { AuditAccess } from '../auditors.js';
import { html, layout } from './layout.js';

/** The session cookie (the API reference names it too). */
export const COOKIE = 'newsroom_audit';

const cookieOf = (req: Request): string | undefined => {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name !== COOKIE) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      return undefined; // not a cookie this page set: sign in again
    }
  }
  return undefined;
};

const callers = new WeakMap<Request, Caller>();
export const pageCaller = (req: Request): Caller => callers.get(req)!;

const loginPage = (message?: string) =>
  layout(
    'Sign in',
    [
      '<h1>Sign in to the audit</h1>',
      '<p>Paste an auditor or admin token. In development: <code>npm run newsroom -- token --role auditor --sub your.name</code>.</p>',
      '<form class="login search"><input name="token" type="password" autocomplete="off" aria-label="Token" required placeholder="Token">',
      '<button>Sign in</button></form>',
      `<p id="login-error" class="muted" role="alert">${message === undefined ? '' : html(message)}</p>`,
    ].join('\n'),
    undefined,
    '/audit/assets/login.js',
  );

/** The page's guard: a sign-in page (401) without a valid cookie, 403 for other roles. */
export const pageAuditorsOnly =
  (access: AuditAccess) =>
  async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const token = cookieOf(req);
    const verified = token === undefined ? undefined : await access.authenticator.verify(token);
    if (verified === undefined || !verified.ok) {
      res.status(401).type('text/html; charset=utf-8').send(loginPage(verified?.reason));
      return;
    }
    const caller = verified.caller;
    if (!(await recordAsked(access, req, res, caller))) return;
    if (!mayReadAudit(caller)) {
      res
        .status(403)
        .type('text/html; charset=utf-8')
        .send(loginPage(`The audit is for auditors and admins, not ${caller.role}.`));
      return;
    }
    callers.set(req, caller);
    next();
  };

/** POST /audit/session {token}: the cookie set (204) once the token verifies and the sign-in is
 *  recorded in the audit request log; 401 otherwise. */
export const sessionRouter = (access: AuditAccess): Router => {
  const router = Router();
  router.post('/', async (req: Request, res: Response) => {
    const token = (req.body as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || token.length > 8_192) {
      return sendProblem(
        res,
        problem(400, 'Invalid Body', 'send {"token": "<bearer token>"}', {
          errors: [{ path: 'token', message: 'expected the token as a string' }],
        }),
      );
    }
    const verified = await access.authenticator.verify(token);
    if (!verified.ok) return sendProblem(res, problem(401, 'Unauthorized', verified.reason));
    if (!(await recordAsked(access, req, res, verified.caller))) return; // sign-ins are journaled
    const payload = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString() || '{}',
    ) as { exp?: number };
    const maxAge =
      typeof payload.exp === 'number'
        ? Math.max(0, payload.exp - Math.floor(Date.now() / 1000))
        : 3_600;
    res.setHeader(
      'Set-Cookie',
      `${COOKIE}=${encodeURIComponent(token)}; Path=/audit; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${req.secure ? '; Secure' : ''}`,
    );
    res.status(204).end();
  });
  router.post('/end', (_req: Request, res: Response) => {
    res.setHeader('Set-Cookie', `${COOKIE}=; Path=/audit; HttpOnly; SameSite=Strict; Max-Age=0`);
    res.status(204).end();
  });
  return router;
};
