/**
 * A running instance, as the CLI's online subcommands talk to it: its base URL (`--url`, else
 * NEWSROOM_URL, else http://127.0.0.1:8080) and bearer tokens, either given (`--token`) or
 * minted as development tokens for `--as <role>:<id>` with JWT_SECRET (or the development
 * secret the instance uses when none is set).
 */
import { actorIdProblem } from '@newsroom/contracts';
import { DEVELOPMENT_JWT_SECRET, ROLES, issueDevelopmentToken } from '@newsroom/service-kit';
import type { CallerRole } from '@newsroom/service-kit';

export interface Person {
  readonly role: CallerRole;
  readonly sub: string;
}

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON, or the text when it is not JSON. */
  readonly body: Json;
}

/** What the instance answered that the step did not expect, said for a person. */
export class InstanceRefused extends Error {}

/** `role:id` as a person, or why not. */
export const personOf = (text: string): Person | string => {
  const [role, ...rest] = text.split(':');
  const sub = rest.join(':');
  if (role === undefined || !(ROLES as readonly string[]).includes(role)) {
    return `--as wants <${ROLES.join('|')}>:<id>, not ${JSON.stringify(text)}`;
  }
  const problem = actorIdProblem(sub);
  return problem === undefined ? { role: role as CallerRole, sub } : `--as id ${problem}`;
};

export const baseUrl = (url: string | undefined): string =>
  (url ?? process.env['NEWSROOM_URL'] ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');

export const instance = (base: string, secret = process.env['JWT_SECRET']) => {
  const tokens = new Map<string, Promise<string>>();
  const tokenOf = (as: Person | string): Promise<string> => {
    if (typeof as === 'string') return Promise.resolve(as);
    let token = tokens.get(`${as.role}:${as.sub}`);
    if (token === undefined) {
      const key = secret === undefined || secret === '' ? DEVELOPMENT_JWT_SECRET : secret;
      token = issueDevelopmentToken(key, { id: as.sub, role: as.role }, { expiresIn: '1h' });
      tokens.set(`${as.role}:${as.sub}`, token);
    }
    return token;
  };
  /** GET (no body) or POST (a body) as `as` (a person or a token), or with no token. */
  const request = async (
    path: string,
    as?: Person | string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> => {
    const sent: Record<string, string> = { accept: 'application/json', ...headers };
    if (as !== undefined) sent['authorization'] = `Bearer ${await tokenOf(as)}`;
    if (body !== undefined) sent['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: sent,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new InstanceRefused(`cannot reach ${base}: is it running (npm start)?`);
    }
    const text = await response.text();
    let parsed: Json = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: the text stays, for the message
    }
    return { status: response.status, headers: response.headers, body: parsed };
  };
  /** The reply's problem in one line: status, title and detail, and the failing fields. */
  const problemOf = (what: string, path: string, reply: Reply) => {
    const detail = typeof reply.body === 'object' ? JSON.stringify(reply.body) : reply.body;
    return `${what}: HTTP ${reply.status} from ${path}: ${detail}`;
  };
  return {
    base,
    request,
    problemOf,
    tokenOf,
    /** A POST that must succeed (2xx); anything else is InstanceRefused with its problem. */
    command: async (what: string, path: string, as: Person | string, body: unknown = {}) => {
      const reply = await request(path, as, body);
      if (reply.status >= 300) throw new InstanceRefused(problemOf(what, `POST ${path}`, reply));
      return reply;
    },
    /** A GET that must answer 200. */
    read: async (what: string, path: string, as?: Person | string) => {
      const reply = await request(path, as);
      if (reply.status !== 200) throw new InstanceRefused(problemOf(what, `GET ${path}`, reply));
      return reply;
    },
  };
};

export type Instance = ReturnType<typeof instance>;
