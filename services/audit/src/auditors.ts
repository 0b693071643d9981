/** Who may read the audit: auditors and admins; anyone else is a 403 (a missing token a 401). */
import type { NextFunction, Request, Response } from 'express';
import { callerOf, problem, requireCaller, sendProblem } from '@newsroom/service-kit';
import type { Authenticator } from '@newsroom/service-kit';

const READERS: ReadonlySet<string> = new Set(['auditor', 'admin']);

export const auditorsOnly = (authenticator: Authenticator) => [
  requireCaller(authenticator),
  (req: Request, res: Response, next: NextFunction) => {
    const caller = callerOf(req);
    if (READERS.has(caller.role)) return next();
    sendProblem(
      res,
      problem(403, 'Forbidden', `the audit is for auditors and admins, not ${caller.role}`),
    );
  },
];
