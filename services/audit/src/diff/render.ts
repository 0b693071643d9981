/** A content diff as plain text (`[-deleted-]{+inserted+}`) or as an HTML page (del / ins). */
import { escapeMarkup } from '@newsroom/service-kit';
import type { ContentDiff } from './content.js';

export const diffText = (d: ContentDiff): string =>
  d.changed
    .map(
      (f) =>
        `${f.path}:\n  ${f.parts
          .map((p) =>
            p.op === 'equal' ? p.text : p.op === 'delete' ? `[-${p.text}-]` : `{+${p.text}+}`,
          )
          .join('')}\n`,
    )
    .join('\n');

export const diffHtml = (d: ContentDiff, title: string): string =>
  [
    '<!doctype html>',
    '<html lang="vi"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeMarkup(title)}</title>`,
    '<style>del{background:#fdd;text-decoration:line-through}ins{background:#dfd;text-decoration:none}section{margin:1em 0}h2{font-size:1em;font-family:monospace}p{white-space:pre-wrap}</style>',
    '</head><body>',
    `<h1>${escapeMarkup(title)}</h1>`,
    ...d.changed.map(
      (f) =>
        `<section><h2>${escapeMarkup(f.path)}</h2><p>${f.parts
          .map((p) =>
            p.op === 'equal'
              ? escapeMarkup(p.text)
              : p.op === 'delete'
                ? `<del>${escapeMarkup(p.text)}</del>`
                : `<ins>${escapeMarkup(p.text)}</ins>`,
          )
          .join('')}</p></section>`,
    ),
    `<p>${d.unchanged} field(s) unchanged.</p>`,
    '</body></html>',
    '',
  ].join('\n');
