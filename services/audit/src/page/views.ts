/** The audit page's views: plain functions of what the record says, to HTML. */
import type { ContentDiff } from '../diff/content.js';
import type { FoundArticle } from '../articles/find.js';
import type { HistoryEntry } from '../history/routes.js';
import type { TreeHeadRow } from '../tree/sql/heads.js';
import type { ArticleVerification } from '../verify/article.js';
import type { StoreVerification } from '../verify/store.js';
import { html, when } from './layout.js';

const articleLink = (id: string) => `/audit/articles/${encodeURIComponent(id)}`;

export const treeHeadBlock = (head: TreeHeadRow | undefined): string =>
  head === undefined
    ? '<p class="muted">No tree head has been signed yet.</p>'
    : `<p>Latest signed tree head <strong>#${head.number}</strong>: ${head.treeSize} events, root <code>${html(head.rootHash)}</code>, signed ${when(head.time)} (<a href="/v1/audit/tree-heads/latest">checkpoint</a>, <a href="/v1/audit/tree-heads/key">key</a>).</p>`;

export const searchView = (
  query: string,
  found: readonly FoundArticle[] | undefined,
  head: TreeHeadRow | undefined,
): string =>
  [
    '<h1>Find an article</h1>',
    `<form class="search" action="/audit" method="get"><input type="search" name="q" value="${html(query)}" aria-label="Article id or headline" placeholder="Article id or words of its headline"><button>Find</button></form>`,
    ...(found === undefined
      ? []
      : found.length === 0
        ? ['<p class="muted">No article matches.</p>']
        : [
            '<table class="cards found"><thead><tr><th>Headline</th><th>Last event</th><th>Revision</th><th>Recorded</th></tr></thead><tbody>',
            ...found.map(
              (a) =>
                `<tr><td data-label="Headline"><a href="${articleLink(a.articleId)}">${html(a.headline ?? a.articleId)}</a></td><td data-label="Last event">${html(a.lastType)}</td><td data-label="Revision">${a.revision}</td><td data-label="Recorded">${when(a.recordedAt)}</td></tr>`,
            ),
            '</tbody></table>',
          ]),
    '<h2>The log</h2>',
    treeHeadBlock(head),
  ].join('\n');

const integrityBlock = (v: ArticleVerification): string => {
  if (v.violation === undefined) {
    return `<div class="status ok" data-integrity="ok"><strong>Integrity verified.</strong> The chain of its ${v.events} events recomputes; ${v.included} of them are proved in tree head ${v.treeHead === null ? '(none yet)' : `#${v.treeHead.number}`}${v.unsealed > 0 ? `; ${v.unsealed} not sealed yet` : ''}.</div>`;
  }
  const where =
    'eventId' in v.violation
      ? `revision ${html(v.violation.revision)} (event <code>${html(v.violation.eventId)}</code>)`
      : `tree head #${v.violation.treeHead}`;
  return `<div class="status bad" data-integrity="bad"><strong>Integrity broken</strong> at ${where}: ${html(v.violation.reason)}.</div>`;
};

export interface Version {
  /** `7` or `v2`, as the diff takes it. */
  readonly side: string;
  readonly label: string;
}

export const articleView = (
  articleId: string,
  headline: string,
  status: string,
  entries: readonly HistoryEntry[],
  versions: readonly Version[],
  verification: ArticleVerification,
  head: TreeHeadRow | undefined,
): string => {
  const options = (selected: string) =>
    versions
      .map(
        (v) =>
          `<option value="${html(v.side)}"${v.side === selected ? ' selected' : ''}>${html(v.label)}</option>`,
      )
      .join('');
  const [first, last] = [versions[0]?.side ?? '0', versions[versions.length - 1]?.side ?? '0'];
  return [
    `<h1>${html(headline)}</h1>`,
    `<p class="muted">Article <code>${html(articleId)}</code> · status <strong>${html(status)}</strong> · ${entries.length} events</p>`,
    integrityBlock(verification),
    treeHeadBlock(head),
    '<h2>Compare two versions</h2>',
    `<form class="versions" action="${articleLink(articleId)}/diff" method="get"><label>From <select name="from">${options(first)}</select></label><label>to <select name="to">${options(last)}</select></label><button>Compare</button></form>`,
    '<h2>Timeline</h2>',
    '<table class="cards timeline"><thead><tr><th>Rev.</th><th>Recorded</th><th>Who</th><th>What</th><th>Hash</th></tr></thead><tbody>',
    ...entries.map(
      (e) =>
        `<tr><td data-label="Revision">${e.revision}</td><td data-label="Recorded">${when(e.recordedAt)}</td><td data-label="Who">${e.actor === null ? '<span class="muted">unknown</span>' : `${html(e.actor.id)} <span class="muted">(${html(e.actor.role)})</span>`}</td><td data-label="What"><strong>${html(e.type)}</strong><br>${html(e.summary)}</td><td data-label="Hash"><code title="${html(e.hash)}">${html(e.hash.slice(0, 12))}…</code></td></tr>`,
    ),
    '</tbody></table>',
  ].join('\n');
};

const side = (parts: ContentDiff['changed'][number]['parts'], keep: 'delete' | 'insert') =>
  parts
    .filter((p) => p.op === 'equal' || p.op === keep)
    .map((p) =>
      p.op === 'equal'
        ? html(p.text)
        : `<${keep === 'delete' ? 'del' : 'ins'}>${html(p.text)}</${keep === 'delete' ? 'del' : 'ins'}>`,
    )
    .join('');

export const diffView = (
  articleId: string,
  headline: string,
  from: string,
  to: string,
  diff: ContentDiff,
): string =>
  [
    `<p><a href="${articleLink(articleId)}">← ${html(headline)}</a></p>`,
    `<h1>${html(from)} → ${html(to)}</h1>`,
    `<p class="muted">${diff.changed.length} field(s) changed, ${diff.unchanged} unchanged. Removed words are struck through on the left, added ones marked on the right.</p>`,
    ...diff.changed.map(
      (f) =>
        `<section class="diff"><h3>${html(f.path)}</h3><div class="from" aria-label="${html(from)}">${side(f.parts, 'delete')}</div><div class="to" aria-label="${html(to)}">${side(f.parts, 'insert')}</div></section>`,
    ),
  ].join('\n');

export const verifyView = (report: StoreVerification, head: TreeHeadRow | undefined): string =>
  [
    '<h1>Verify the whole store</h1>',
    report.ok
      ? `<div class="status ok" data-integrity="ok"><strong>The record holds.</strong> ${report.events} events in ${report.streams} streams recomputed, every chain intact, ${report.treeHeads} signed tree heads checked against the log.</div>`
      : `<div class="status bad" data-integrity="bad"><strong>The record does not hold.</strong> ${html(
          report.violation.kind === 'event'
            ? `Event ${report.violation.eventId} (${report.violation.streamName}, revision ${report.violation.revision}): ${report.violation.reason}`
            : report.violation.kind === 'tree-head'
              ? `Tree head #${report.violation.number}: ${report.violation.reason}`
              : `Seal ${report.violation.sealNumber}: ${report.violation.reason}`,
        )}.</div>`,
    treeHeadBlock(head),
  ].join('\n');
