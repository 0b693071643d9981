/**
 * `newsroom status <articleId>`: the article as the newsroom has it now (status, revision,
 * headline, what is public). `newsroom history <articleId>`: its every event, one line each
 * (revision, time, who in which role, what), from the audit service: an auditor's token.
 */
import { parseArgs } from 'node:util';
import { DRAFTS } from '@newsroom/drafting';
import { EXIT, show, stdio } from './io.js';
import type { Output } from './io.js';
import { baseUrl, instance, InstanceRefused, personOf } from './instance.js';
import type { Person } from './instance.js';

const ONLINE = '[--as <role>:<id> | --token <jwt>] [--url <instance>] [--json]';
export const ARTICLE_USAGE = `  newsroom status <articleId> ${ONLINE}
  newsroom history <articleId> ${ONLINE}   (--as auditor:<id> by default: auditor:cli)`;

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const parse = (args: readonly string[]) =>
  parseArgs({
    args: [...args],
    options: {
      as: { type: 'string' },
      token: { type: 'string' },
      url: { type: 'string' },
      json: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });

const online = async (
  args: readonly string[],
  fallback: string,
  run: (
    o: Output,
    http: ReturnType<typeof instance>,
    id: string,
    as: Person | string,
  ) => Promise<number>,
): Promise<number> => {
  const { values, positionals } = parse(args);
  const o = stdio(values.json === true);
  const [id, ...extra] = positionals;
  const as = values.token ?? personOf(values.as ?? fallback);
  if (
    id === undefined ||
    extra.length > 0 ||
    (typeof as === 'string' && values.token === undefined)
  ) {
    o.err(
      `${typeof as === 'string' && values.token === undefined ? as : 'one <articleId>'}\nusage:\n${ARTICLE_USAGE}`,
    );
    return EXIT.usage;
  }
  try {
    return await run(o, instance(baseUrl(values.url)), id, as);
  } catch (error) {
    if (!(error instanceof InstanceRefused)) throw error;
    o.err(error.message);
    return EXIT.failed;
  }
};

export const statusCommand = (args: readonly string[]) =>
  online(args, 'reporter:cli', async (o, http, id, as) => {
    const { body } = await http.read('status', `${DRAFTS}/${encodeURIComponent(id)}`, as);
    const a = body.article ?? {};
    show(o, body, () => [
      `${body.articleId}: ${body.status} at revision ${body.revision}`,
      `  headline: ${a.content?.headline ?? '?'}`,
      a.published === null || a.published === undefined
        ? '  not public'
        : `  public: version ${a.published.version} since ${a.published.firstPublishedAt}`,
    ]);
    return EXIT.ok;
  });

export const historyCommand = (args: readonly string[]) =>
  online(args, 'auditor:cli', async (o, http, id, as) => {
    const path = `/v1/audit/articles/${encodeURIComponent(id)}/history`;
    const { body } = await http.read('history', path, as);
    show(o, body, () =>
      (body.events as Json[]).map(
        (e) =>
          `${String(e.revision).padStart(3)}  ${e.recordedAt}  ${`${e.actor?.id} (${e.actor?.role})`.padEnd(28)} ${e.type}${e.summary ? `: ${e.summary}` : ''}`,
      ),
    );
    return EXIT.ok;
  });
