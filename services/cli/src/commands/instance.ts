/**
 * A running instance, as the CLI's online subcommands talk to it: its base URL (`--url`, else
 * NEWSROOM_URL, else http://127.0.0.1:8080) and bearer tokens, either given (`--token`) or
 * minted as development tokens for `--as <role>:<id>` with JWT_SECRET (or the development
 * secret the instance uses when none is set).
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { actorIdProblem } from '@newsroom/contracts';
import { DEVELOPMENT_JWT_SECRET, ROLES, issueDevelopmentToken } from '@newsroom/service-kit';
import type { CallerRole } from '@newsroom/service-kit';
import { EXIT, stdio } from './io.js';
import type { Output } from './io.js';

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
  /**
   * GET (no body) or POST (a body) as `as` (a person or a token), or with no token: the
   * response unread (for a body that streams); an instance that does not answer is refused.
   */
  const open = async (
    path: string,
    as?: Person | string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> => {
    const sent: Record<string, string> = { accept: 'application/json', ...headers };
    if (as !== undefined) sent['authorization'] = `Bearer ${await tokenOf(as)}`;
    if (body !== undefined) sent['content-type'] = 'application/json';
    try {
      return await fetch(`${base}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: sent,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new InstanceRefused(`cannot reach ${base}: is it running (npm start)?`);
    }
  };
  /** `open`, its answer read: parsed JSON, or the text. */
  const request = async (
    path: string,
    as?: Person | string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> => {
    const response = await open(path, as, body, headers);
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
    open,
    request,
    problemOf,
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

/** The options every online command takes, as its usage says them. */
export const ONLINE_USAGE = '[--as <role>:<id> | --token <jwt>] [--url <instance>] [--json]';

export const ONLINE_OPTIONS = {
  as: { type: 'string' },
  token: { type: 'string' },
  url: { type: 'string' },
  json: { type: 'boolean' },
} as const;

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * An online command: its arguments parsed (ONLINE_OPTIONS and its own), who sends (`--token`,
 * else `--as`, else `defaultAs`; none is a usage error), then `run` against the instance. What
 * the instance refuses (InstanceRefused) is printed and exits 1; a usage error exits 2.
 */
export const onlineCommand = async (
  args: readonly string[],
  options: Options,
  usage: string,
  defaultAs: string | undefined,
  run: (c: {
    readonly o: Output;
    readonly values: Record<string, string | boolean | undefined>;
    readonly positionals: string[];
    readonly http: Instance;
    readonly as: Person | string;
    readonly usageError: (why: string) => number;
  }) => Promise<number>,
): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { ...ONLINE_OPTIONS, ...options },
    allowPositionals: true,
    strict: true,
  }) as { values: Record<string, string | boolean | undefined>; positionals: string[] };
  const o = stdio(values.json === true);
  const usageError = (why: string) => {
    o.err(`${why}\nusage:\n${usage}`);
    return EXIT.usage;
  };
  const token = values.token;
  const named = typeof values.as === 'string' ? values.as : defaultAs;
  const as =
    typeof token === 'string'
      ? token
      : named === undefined
        ? 'say who sends it: --as <role>:<id> or --token'
        : personOf(named);
  if (typeof as === 'string' && typeof token !== 'string') return usageError(as);
  try {
    const http = instance(baseUrl(typeof values.url === 'string' ? values.url : undefined));
    return await run({ o, values, positionals, http, as, usageError });
  } catch (error) {
    if (!(error instanceof InstanceRefused)) throw error;
    o.err(error.message);
    return EXIT.failed;
  }
};
