/**
 * `newsroom send <Command> [<articleId>]`: any newsroom command, sent to the path the services
 * mount it at (their own route tables), with `--data` as the command's `data`. And
 * `newsroom draft <file>`: CreateDraft from the fixture's JSON or from a plain-text file laid out
 * like the seed (see draft-file.ts). Exit 0 when the instance took it, 1 when it refused (its
 * problem on stderr, or as JSON), 2 for a usage error.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DRAFTING_COMMANDS, DRAFTS } from '@newsroom/drafting';
import { PUBLICATIONS, PUBLISHING_COMMANDS } from '@newsroom/publishing';
import { REVIEW_COMMANDS, REVIEWS } from '@newsroom/review';
import { contentOfFile } from './draft-file.js';
import { EXIT, show, stdio } from './io.js';
import type { Output } from './io.js';
import { baseUrl, instance, InstanceRefused, personOf } from './instance.js';
import type { Person, Reply } from './instance.js';

/** Every command: its type, the path it is POSTed to, whether it makes the article. */
export const COMMAND_PATHS = [
  ...DRAFTING_COMMANDS.map((r) => [DRAFTS, r] as const),
  ...REVIEW_COMMANDS.map((r) => [REVIEWS, r] as const),
  ...PUBLISHING_COMMANDS.map((r) => [PUBLICATIONS, r] as const),
].map(([prefix, [path, type, options]]) => ({
  type,
  path: `${prefix}${path === '/' ? '' : path}`,
  creates: options?.creates === true,
}));

const ONLINE = '[--as <role>:<id> | --token <jwt>] [--url <instance>] [--json]';
export const SEND_USAGE = `  newsroom send <${COMMAND_PATHS.map((c) => c.type).join('|')}> [<articleId>]
      [--data '<json>' | --data-file <file|->] [--if-match <revision>] ${ONLINE}
  newsroom draft <article.json|article.txt> [--article <id>] [--publisher <name>] [--section <s>] ${ONLINE}`;

const usage = (o: Output, why: string): number => {
  o.err(`${why}\nusage:\n${SEND_USAGE}`);
  return EXIT.usage;
};

const ONLINE_OPTIONS = {
  as: { type: 'string' },
  token: { type: 'string' },
  url: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** Who sends: a token as given, or a development token for `--as`; else why not. */
const caller = (values: { as?: string; token?: string }): Person | string | { error: string } => {
  if (values.token !== undefined) return values.token;
  if (values.as === undefined) return { error: 'say who sends it: --as <role>:<id> or --token' };
  const person = personOf(values.as);
  return typeof person === 'string' ? { error: person } : person;
};

/** The reply, for a person: what the instance says the article is now, or its problem. */
const report = (o: Output, reply: Reply, what: string): number => {
  const ok = reply.status < 300;
  const revision = reply.headers.get('etag')?.replace(/"/g, '');
  const body = reply.body ?? {};
  show(
    o,
    { ok, status: reply.status, ...(revision === undefined ? {} : { revision }), body },
    () =>
      ok
        ? [
            `${what}: HTTP ${reply.status}, article ${body.articleId ?? body.article?.articleId ?? '?'}` +
              `${revision === undefined ? '' : ` at revision ${revision}`}` +
              `${body.status === undefined ? '' : ` (${body.status})`}`,
          ]
        : [],
  );
  if (!ok && !o.json) o.err(`${what} refused: HTTP ${reply.status}: ${JSON.stringify(body)}`);
  return ok ? EXIT.ok : EXIT.failed;
};

const dataOf = (values: { data?: string; 'data-file'?: string }): unknown => {
  if (values.data !== undefined) return JSON.parse(values.data);
  if (values['data-file'] === undefined) return undefined;
  const file = values['data-file'] === '-' ? 0 : values['data-file'];
  return JSON.parse(readFileSync(file, 'utf8'));
};

export const sendCommand = async (args: readonly string[]): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      ...ONLINE_OPTIONS,
      data: { type: 'string' },
      'data-file': { type: 'string' },
      'if-match': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const o = stdio(values.json === true);
  const [type, articleId, ...extra] = positionals;
  const route = COMMAND_PATHS.find((c) => c.type === type);
  if (route === undefined || extra.length > 0) return usage(o, `no such command: ${type ?? ''}`);
  if (!route.creates && articleId === undefined) return usage(o, `${type} needs an <articleId>`);
  const who = caller(values);
  if (typeof who === 'object' && 'error' in who) return usage(o, who.error);
  let data: unknown;
  try {
    data = dataOf(values);
  } catch (error) {
    return usage(o, `--data is not JSON: ${(error as Error).message}`);
  }
  const body = {
    ...(route.creates ? { articleId: articleId ?? randomUUID() } : {}),
    ...(data === undefined ? {} : { data }),
  };
  const path = route.path.replace(':articleId', encodeURIComponent(articleId ?? ''));
  const headers: Record<string, string> =
    values['if-match'] === undefined ? {} : { 'if-match': `"${values['if-match']}"` };
  try {
    const http = instance(baseUrl(values.url));
    return report(o, await http.request(path, who, body, headers), type!);
  } catch (error) {
    if (!(error instanceof InstanceRefused)) throw error;
    o.err(error.message);
    return EXIT.failed;
  }
};

export const draftCommand = async (args: readonly string[]): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      ...ONLINE_OPTIONS,
      article: { type: 'string' },
      publisher: { type: 'string' },
      section: { type: 'string' },
      language: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const o = stdio(values.json === true);
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) return usage(o, 'draft wants one file');
  const who = caller(values);
  if (typeof who === 'object' && 'error' in who) return usage(o, who.error);
  let content: Record<string, unknown>;
  try {
    content = contentOfFile(file, {
      ...(values.publisher === undefined ? {} : { publisher: values.publisher }),
      ...(values.language === undefined ? {} : { language: values.language }),
    });
  } catch (error) {
    o.err(`${file}: ${(error as Error).message}`);
    return EXIT.failed;
  }
  if (values.section !== undefined) content = { ...content, section: values.section };
  const body = { articleId: values.article ?? randomUUID(), data: { content } };
  try {
    const http = instance(baseUrl(values.url));
    return report(o, await http.request(DRAFTS, who, body), 'CreateDraft');
  } catch (error) {
    if (!(error instanceof InstanceRefused)) throw error;
    o.err(error.message);
    return EXIT.failed;
  }
};
