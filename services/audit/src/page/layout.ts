/** The page's HTML shell: every text escaped where it is put in, nothing inline but markup. */
import { escapeMarkup, rfc3339 } from '@newsroom/service-kit';

export const html = escapeMarkup;

export const CSP =
  "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export const layout = (
  title: string,
  body: string,
  who?: { readonly id: string; readonly role: string },
  script?: string,
): string =>
  [
    '<!doctype html>',
    '<html lang="vi"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${html(title)} · Audit</title>`,
    '<link rel="stylesheet" href="/audit/assets/audit.css">',
    '</head><body>',
    '<header><strong>Newsroom audit</strong>',
    ...(who === undefined
      ? []
      : [
          '<a href="/audit">Find</a><a href="/audit/verify">Verify the store</a>',
          '<a href="/v1/audit/tree-heads">Tree heads</a>',
          `<span>${html(who.id)} (${html(who.role)})</span>`,
        ]),
    '</header>',
    `<main>${body}</main>`,
    ...(script === undefined ? [] : [`<script src="${html(script)}"></script>`]),
    '</body></html>',
    '',
  ].join('\n');

/** An instant in the publisher's offset (+07:00). */
export const when = (iso: string): string => html(rfc3339(iso));
