/**
 * `newsroom send <Command> [<articleId>]`: any newsroom command, sent to the path the services
 * mount it at (their own route tables), with `--data` as the command's `data`. And
 * `newsroom draft <file>`: CreateDraft from the fixture's JSON or from a plain-text file laid out
 * like the seed (see draft-file.ts). Exit 0 when the instance took it, 1 when it refused (its
 * problem on stderr, or as JSON), 2 for a usage error.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DRAFTING_COMMANDS, DRAFTS } from '@newsroom/drafting';
import { PUBLICATIONS, PUBLISHING_COMMANDS } from '@newsroom/publishing';
import { REVIEW_COMMANDS, REVIEWS } from '@newsroom/review';
import { contentOfFile } from './draft-file.js';
import { EXIT, show } from './io.js';
import type { Output } from './io.js';
import { ONLINE_USAGE, onlineCommand } from './instance.js';
import type { Reply } from './instance.js';

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

export const SEND_USAGE = `  newsroom send <${COMMAND_PATHS.map((c) => c.type).join('|')}> [<articleId>]
      [--data '<json>' | --data-file <file|->] [--if-match <revision>] ${ONLINE_USAGE}
  newsroom draft <article.json|article.txt> [--article <id>] [--publisher <name>] [--section <s>] ${ONLINE_USAGE}`;

const SEND_OPTIONS = {
  data: { type: 'string' },
  'data-file': { type: 'string' },
  'if-match': { type: 'string' },
} as const;

const DRAFT_OPTIONS = {
  article: { type: 'string' },
  publisher: { type: 'string' },
  section: { type: 'string' },
  language: { type: 'string' },
} as const;

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

const dataOf = (values: Record<string, string | boolean | undefined>): unknown => {
  const [data, file] = [values['data'], values['data-file']];
  if (typeof data === 'string') return JSON.parse(data);
  if (typeof file !== 'string') return undefined;
  return JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
};

export const sendCommand = (args: readonly string[]) =>
  onlineCommand(args, SEND_OPTIONS, SEND_USAGE, undefined, async (c) => {
    const [type, articleId, ...extra] = c.positionals;
    const route = COMMAND_PATHS.find((r) => r.type === type);
    if (route === undefined || extra.length > 0)
      return c.usageError(`no such command: ${type ?? ''}`);
    if (!route.creates && articleId === undefined)
      return c.usageError(`${type} needs an <articleId>`);
    let data: unknown;
    try {
      data = dataOf(c.values);
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      return c.usageError(
        e.code === undefined ? `--data is not JSON: ${e.message}` : `--data-file: ${e.message}`,
      );
    }
    const body = {
      ...(route.creates ? { articleId: articleId ?? randomUUID() } : {}),
      ...(data === undefined ? {} : { data }),
    };
    const path = route.path.replace(':articleId', encodeURIComponent(articleId ?? ''));
    const ifMatch = c.values['if-match'];
    const headers: Record<string, string> =
      typeof ifMatch === 'string' ? { 'if-match': `"${ifMatch}"` } : {};
    return report(c.o, await c.http.request(path, c.as, body, headers), type!);
  });

export const draftCommand = (args: readonly string[]) =>
  onlineCommand(args, DRAFT_OPTIONS, SEND_USAGE, undefined, async (c) => {
    const [file, ...extra] = c.positionals;
    if (file === undefined || extra.length > 0) return c.usageError('draft wants one file');
    const text = (key: string) =>
      typeof c.values[key] === 'string' ? (c.values[key] as string) : undefined;
    let content: Record<string, unknown>;
    try {
      content = contentOfFile(file, {
        ...(text('publisher') === undefined ? {} : { publisher: text('publisher')! }),
        ...(text('language') === undefined ? {} : { language: text('language')! }),
      });
    } catch (error) {
      c.o.err(`${file}: ${(error as Error).message}`);
      return EXIT.failed;
    }
    if (text('section') !== undefined) content = { ...content, section: text('section') };
    const body = { articleId: text('article') ?? randomUUID(), data: { content } };
    return report(c.o, await c.http.request(DRAFTS, c.as, body), 'CreateDraft');
  });
