/**
 * What `npm start` shows a newcomer: `GET /`, a small index page linking every public entry
 * point, and the same links printed when the process is ready, with how to get a development
 * token. One list serves both, so the page and the banner cannot disagree.
 */
import { Router } from 'express';
import type { ServiceDefinition } from '@newsroom/service-kit';
import { escapeMarkup, mediaAnswer } from '@newsroom/service-kit';

interface Link {
  readonly path: string;
  readonly what: string;
  /** Needs a bearer token (the page says which role). */
  readonly token?: string;
  /** Commands under this prefix: POSTed to, not a page to open. */
  readonly post?: true;
}

export const LINKS: readonly (readonly [section: string, links: readonly Link[]])[] = [
  [
    'Newsroom commands (POST, with a token)',
    [
      {
        path: '/v1/drafts',
        what: 'drafting: create, revise, submit',
        token: 'reporter',
        post: true,
      },
      { path: '/v1/reviews', what: 'review: the queue (GET), assign, approve', token: 'editor' },
      {
        path: '/v1/publications',
        what: 'publishing: publish, schedule, correct',
        token: 'publisher',
        post: true,
      },
    ],
  ],
  [
    'For readers and syndication',
    [
      { path: '/v1/feeds/articles', what: 'the public articles (JSON)' },
      { path: '/v1/feeds/rss.xml', what: 'RSS 2.0' },
      { path: '/v1/feeds/atom.xml', what: 'Atom' },
      { path: '/v1/feeds/feed.json', what: 'JSON Feed' },
      { path: '/v1/feeds/ninjs', what: 'IPTC ninjs 3.1 documents' },
      { path: '/v1/stream', what: 'the live stream (server-sent events)' },
    ],
  ],
  [
    'For auditors',
    [
      { path: '/audit', what: 'the audit page: it asks for the token', token: 'auditor' },
      { path: '/v1/audit/tree-heads', what: 'the signed tree heads' },
    ],
  ],
  [
    'For operators',
    [
      { path: '/healthz', what: 'liveness' },
      { path: '/readyz', what: 'readiness: the store, its seals, every processor' },
      { path: '/metrics', what: 'Prometheus metrics' },
      { path: '/openapi.json', what: 'the API reference (OpenAPI 3.1)' },
      { path: '/docs', what: 'the API reference to browse' },
    ],
  ],
];

export const TOKEN_HINT =
  'npm run -s newsroom -- token --role <reporter|editor|publisher|auditor|admin> --sub <your id>';

const page = (): string => {
  const sections = LINKS.map(
    ([section, links]) =>
      `<h2>${escapeMarkup(section)}</h2><ul>${links
        .map(
          (l) =>
            `<li>${
              l.post
                ? `<code>POST ${escapeMarkup(l.path)}/…</code>`
                : `<a href="${escapeMarkup(l.path)}">${escapeMarkup(l.path)}</a>`
            } ${escapeMarkup(l.what)}${
              l.token === undefined ? '' : ` <small>(${escapeMarkup(l.token)} token)</small>`
            }</li>`,
        )
        .join('')}</ul>`,
  ).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>newsroom</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem}
code{word-break:break-all}</style></head><body><h1>newsroom</h1>
<p>An event-sourced publication workflow for official news articles.</p>${sections}
<h2>Tokens</h2><p>A development token: <code>${escapeMarkup(TOKEN_HINT)}</code>.
The seed article's whole story: <code>npm run demo</code>.</p></body></html>`;
};

/** `GET /` in the one-process system. */
export const homeService = (): ServiceDefinition => {
  const router = Router();
  const html = page();
  router.get('/', (_req, res) => {
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    res.type('text/html; charset=utf-8').send(html);
  });
  return {
    name: 'home',
    routes: [['/', router]],
    api: () => ({
      '/': {
        get: {
          tags: ['operations'],
          summary: 'The index page: every entry point of the one-process system',
          responses: { '200': mediaAnswer('the page', ['text/html']) },
        },
      },
    }),
  };
};

/** What the process prints once it is ready: the links, with `url` in front. */
export const banner = (url: string): string[] => [
  `newsroom is ready at ${url}/`,
  ...LINKS.flatMap(([, links]) => links.map((l) => `  ${`${url}${l.path}`.padEnd(48)} ${l.what}`)),
  `  a development token: ${TOKEN_HINT}`,
  `  the seed article's whole story: npm run demo`,
];
