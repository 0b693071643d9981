/**
 * Who may read the audit: auditors and admins; anyone else is a 403 (a missing token a 401).
 * Every request with a valid token is recorded in the service's own log first (who asked
 * what, when), the refused ones too; one that cannot be recorded is not answered.
 */
import type { NextFunction, Request, Response } from 'express';
import type { SqlDriver } from '@newsroom/event-store';
import { quoteIdent } from '@newsroom/event-store';
import {
  answerFromReadModel,
  callerOf,
  correlationIdOf,
  problem,
  requireCaller,
  sendProblem,
} from '@newsroom/service-kit';
import type { Authenticator, Caller } from '@newsroom/service-kit';
import { recordRequest } from './requests/journal.js';

/** The roles the audit admits (the API reference names them too). */
export const AUDIT_READERS: ReadonlySet<string> = new Set(['auditor', 'admin']);

/** What the audit's routes check a request with, and where they record it. */
export interface AuditAccess {
  readonly authenticator: Authenticator;
  readonly sql: SqlDriver;
  /** The audit schema, unquoted. */
  readonly schema: string;
  readonly clock?: () => Date;
}

/**
 * Records that `caller` asked for this request; false (and a 503 sent) when it cannot be
 * recorded, in which case the request is not answered.
 */
export const recordAsked = async (
  access: AuditAccess,
  req: Request,
  res: Response,
  caller: Caller,
): Promise<boolean> => {
  let recorded = false;
  await answerFromReadModel(res, 'the audit request log', async () => {
    await recordRequest(access.sql, quoteIdent(access.schema), {
      at: access.clock?.() ?? new Date(),
      actor: caller.id,
      role: caller.role,
      method: req.method,
      path: req.originalUrl,
      correlationId: correlationIdOf(req),
    });
    recorded = true;
  });
  return recorded;
};

export const mayReadAudit = (caller: Caller): boolean => AUDIT_READERS.has(caller.role);

export const auditorsOnly = (access: AuditAccess) => [
  requireCaller(access.authenticator),
  async (req: Request, res: Response, next: NextFunction) => {
    const caller = callerOf(req);
    if (!(await recordAsked(access, req, res, caller))) return;
    if (mayReadAudit(caller)) return next();
    sendProblem(
      res,
      problem(403, 'Forbidden', `the audit is for auditors and admins, not ${caller.role}`),
    );
  },
];
