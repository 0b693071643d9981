import type { NextFunction, Request, Response } from 'express';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { JWTVerifyGetKey } from 'jose';
import { actorIdProblem, CallerRole, callerRoles } from '@newsroom/contracts';
import type { Role } from '@newsroom/contracts';
import { problem, sendProblem } from './problem.js';

/** Roles a token may carry (contracts' CallerRole). `system`, the scheduler's, is not one. */
export const ROLES = callerRoles;
export type { CallerRole, Role };

/** The authenticated caller: the only source of an event's actor. */
export interface Caller {
  readonly id: string;
  readonly role: CallerRole;
}

export type AuthConfig =
  | {
      readonly kind: 'hs256';
      readonly secret: string;
      readonly issuer?: string;
      readonly audience?: string;
    }
  | {
      readonly kind: 'jwks';
      readonly jwksUrl: string;
      readonly issuer?: string;
      readonly audience?: string;
    };

export interface Authenticator {
  /** Verifies a bearer token; resolves to the caller or to the reason it was refused. */
  verify(token: string): Promise<{ ok: true; caller: Caller } | { ok: false; reason: string }>;
}

export const createAuthenticator = (config: AuthConfig): Authenticator => {
  const key: Uint8Array | JWTVerifyGetKey =
    config.kind === 'hs256'
      ? new TextEncoder().encode(config.secret)
      : createRemoteJWKSet(new URL(config.jwksUrl));
  const algorithms = config.kind === 'hs256' ? ['HS256'] : ['RS256', 'ES256', 'EdDSA'];
  // Verified tokens, until their expiry: a client sends the same token with every command.
  const verified = new Map<string, { readonly caller: Caller; readonly expiresAtMs: number }>();
  return {
    async verify(token) {
      const known = verified.get(token);
      if (known !== undefined) {
        if (Date.now() < known.expiresAtMs) return { ok: true, caller: known.caller };
        verified.delete(token);
      }
      try {
        const { payload } = await jwtVerify(token, key as Uint8Array, {
          algorithms,
          requiredClaims: ['sub', 'exp'],
          ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
          ...(config.audience === undefined ? {} : { audience: config.audience }),
        });
        if (typeof payload.sub !== 'string' || payload.sub === '') {
          return { ok: false, reason: 'the token has no subject' };
        }
        // The subject becomes the actor of every event this caller causes: it must be an id
        // that the record codecs read back and that people can tell apart.
        const problem = actorIdProblem(payload.sub);
        if (problem !== undefined) {
          return { ok: false, reason: `the token's subject (sub) ${problem}` };
        }
        if (!CallerRole.is(payload['role'])) {
          return { ok: false, reason: `the token's role must be one of ${ROLES.join(', ')}` };
        }
        const caller: Caller = { id: payload.sub, role: payload['role'] };
        if (verified.size >= 10_000) verified.clear();
        verified.set(token, { caller, expiresAtMs: (payload.exp ?? 0) * 1000 });
        return { ok: true, caller };
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired)
          return { ok: false, reason: 'the token has expired' };
        if (error instanceof joseErrors.JOSEError)
          return { ok: false, reason: `invalid token: ${error.code}` };
        return { ok: false, reason: 'invalid token' };
      }
    },
  };
};

/** Issues a development token (HS256). Never used with a JWKS configuration. */
export const issueDevelopmentToken = async (
  secret: string,
  caller: Caller,
  options: {
    readonly expiresIn?: string;
    readonly issuer?: string;
    readonly audience?: string;
  } = {},
): Promise<string> => {
  let jwt = new SignJWT({ role: caller.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(caller.id)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '8h');
  if (options.issuer !== undefined) jwt = jwt.setIssuer(options.issuer);
  if (options.audience !== undefined) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(secret));
};

const callers = new WeakMap<Request, Caller>();

/** The caller of an authenticated request; throws if `requireCaller` did not run first. */
export const callerOf = (req: Request): Caller => {
  const caller = callers.get(req);
  if (caller === undefined) throw new Error('callerOf: requireCaller middleware did not run');
  return caller;
};

/** Express middleware: 401 problem+json unless a valid bearer token is present. */
export const requireCaller =
  (authenticator: Authenticator) =>
  async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const header = req.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    const token = match?.[1];
    if (token === undefined) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      sendProblem(res, problem(401, 'Unauthorized', 'a bearer token is required'));
      return;
    }
    const result = await authenticator.verify(token);
    if (!result.ok) {
      res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      sendProblem(res, problem(401, 'Unauthorized', result.reason));
      return;
    }
    callers.set(req, result.caller);
    next();
  };
