/**
 * The audit web page at /audit, server-rendered from the record (no build step, no inline
 * script): find an article by id or headline; its page (status, integrity, the latest tree
 * head, the timeline of who did what when); a side-by-side diff of any two versions with the
 * changed words marked; the whole store verified. Auditors and admins, signed in by cookie.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import { articleStreamName, Uuid } from '@newsroom/contracts';
import { readArticle } from '@newsroom/service-kit';
import type { AuditContext } from '../context.js';
import { findArticles } from '../articles/find.js';
import { loadDiff, sideLabel, sideOf } from '../diff/load.js';
import { entryOf } from '../history/routes.js';
import { latestHead } from '../tree/sql/heads.js';
import { verifyArticle } from '../verify/article.js';
import { AUDIT_CSS, LOGIN_JS } from './assets.js';
import { CSP, html, layout } from './layout.js';
import { pageAuditorsOnly, pageCaller, sessionRouter } from './session.js';
import { articleView, diffView, searchView, verifyView } from './views.js';
import type { Version } from './views.js';

export const auditPageRouter = (ctx: AuditContext): Router => {
  const router = Router();
  const { store, sql, tables: s, log } = ctx;
  const send = (req: Request, res: Response, status: number, title: string, body: string) => {
    res
      .status(status)
      .type('text/html; charset=utf-8')
      .send(layout(title, body, pageCaller(req)));
  };
  router.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });
  router.get('/assets/audit.css', (_req, res) => void res.type('text/css').send(AUDIT_CSS));
  router.get('/assets/login.js', (_req, res) => void res.type('text/javascript').send(LOGIN_JS));
  router.use('/session', sessionRouter(ctx));
  router.use(pageAuditorsOnly(ctx));

  router.get('/', async (req, res) => {
    const q = typeof req.query['q'] === 'string' ? req.query['q'].slice(0, 200) : '';
    const found = q.trim() === '' ? undefined : await findArticles(sql, s, q);
    send(req, res, 200, 'Find an article', searchView(q, found, await latestHead(sql, s)));
  });

  router.get('/verify', async (req, res) => {
    const report = await ctx.verifyStore();
    send(req, res, 200, 'Verify the store', verifyView(report, await latestHead(sql, s)));
  });

  const article = async (req: Request) => {
    const id = Uuid.decode(req.params['articleId']);
    if (E.isLeft(id)) return undefined;
    const read = await readArticle(store, id.right);
    if (E.isLeft(read) || read.right.events.length === 0) return undefined;
    return { id: id.right, read: read.right };
  };
  const notFound = (req: Request, res: Response) =>
    send(
      req,
      res,
      404,
      'Not found',
      '<h1>No such article</h1><p><a href="/audit">Find another</a></p>',
    );

  router.get('/articles/:articleId', async (req, res) => {
    const found = await article(req);
    if (found === undefined) return notFound(req, res);
    const { id, read } = found;
    const rows = await store.readStream(articleStreamName(id));
    const versions: Version[] = [
      ...read.events.map((e, i) => ({ side: String(i), label: `revision ${i}: ${e.event.type}` })),
      ...read.events.flatMap((e) =>
        e.event.type === 'ArticlePublished.v1' || e.event.type === 'CorrectionPublished.v1'
          ? [{ side: `v${e.event.data.version}`, label: `published v${e.event.data.version}` }]
          : [],
      ),
    ];
    const state = read.state;
    const headline = state.status === 'Initial' ? id : state.content.headline;
    const verification = (await verifyArticle(store, sql, s, id, log))!;
    send(
      req,
      res,
      200,
      headline,
      articleView(
        id,
        headline,
        state.status,
        rows.map(entryOf),
        versions,
        verification,
        await latestHead(sql, s),
      ),
    );
  });

  router.get('/articles/:articleId/diff', async (req, res) => {
    const found = await article(req);
    if (found === undefined) return notFound(req, res);
    const [from, to] = [sideOf(req.query['from']), sideOf(req.query['to'])];
    if (from === undefined || to === undefined) {
      return send(
        req,
        res,
        400,
        'Compare',
        '<h1>Choose two versions</h1><p>Each side is a revision (7) or a published version (v2).</p>',
      );
    }
    const loaded = await loadDiff(store, found.id, from, to);
    if (E.isLeft(loaded))
      return send(req, res, loaded.left.status, 'Compare', `<h1>${html(loaded.left.title)}</h1>`);
    const headline = loaded.right.b.headline;
    send(
      req,
      res,
      200,
      `${sideLabel(from)} → ${sideLabel(to)}`,
      diffView(found.id, headline, sideLabel(from), sideLabel(to), loaded.right.diff),
    );
  });
  return router;
};
