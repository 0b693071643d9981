/**
 * `newsroom status <articleId>`: the article as the newsroom has it now (status, revision,
 * headline, what is public). `newsroom history <articleId>`: its every event, one line each
 * (revision, time, who in which role, what), from the audit service: an auditor's token.
 */
import { DRAFTS } from '@newsroom/drafting';
import { EXIT, show } from './io.js';
import { ONLINE_USAGE, onlineCommand } from './instance.js';

export const ARTICLE_USAGE = `  newsroom status <articleId> ${ONLINE_USAGE}
  newsroom history <articleId> ${ONLINE_USAGE}   (--as auditor:<id> by default: auditor:cli)`;

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export const statusCommand = (args: readonly string[]) =>
  onlineCommand(args, {}, ARTICLE_USAGE, 'reporter:cli', async (c) => {
    const [id, ...extra] = c.positionals;
    if (id === undefined || extra.length > 0) return c.usageError('status wants one <articleId>');
    const { body } = await c.http.read('status', `${DRAFTS}/${encodeURIComponent(id)}`, c.as);
    const a = body.article ?? {};
    show(c.o, body, () => [
      `${body.articleId}: ${body.status} at revision ${body.revision}`,
      `  headline: ${a.content?.headline ?? '?'}`,
      a.published === null || a.published === undefined
        ? '  not public'
        : `  public: version ${a.published.version} since ${a.published.firstPublishedAt}`,
    ]);
    return EXIT.ok;
  });

export const historyCommand = (args: readonly string[]) =>
  onlineCommand(args, {}, ARTICLE_USAGE, 'auditor:cli', async (c) => {
    const [id, ...extra] = c.positionals;
    if (id === undefined || extra.length > 0) return c.usageError('history wants one <articleId>');
    const path = `/v1/audit/articles/${encodeURIComponent(id)}/history`;
    const { body } = await c.http.read('history', path, c.as);
    show(c.o, body, () =>
      (Array.isArray(body?.events) ? (body.events as Json[]) : []).map(
        (e) =>
          `${String(e.revision).padStart(3)}  ${e.recordedAt}  ${`${e.actor?.id} (${e.actor?.role})`.padEnd(28)} ${e.type}${e.summary ? `: ${e.summary}` : ''}`,
      ),
    );
    return EXIT.ok;
  });
