/**
 * `GET /openapi.json`, the process's OpenAPI document, and `GET /docs`, Swagger UI to browse
 * it, served from the swagger-ui-dist package by the process itself (no CDN: the page works
 * where the process has no internet, and sends nothing elsewhere).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Router } from 'express';
import type { Response } from 'express';
import type { JsonSchema } from '@newsroom/contracts';
import { DOCS_ASSETS, DOCS_PATH, OPENAPI_PATH } from './document.js';

const uiFolder = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Newsroom API reference</title>
<link rel="stylesheet" href="${DOCS_PATH}/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="${DOCS_PATH}/assets/favicon-32x32.png">
</head>
<body>
<div id="reference"></div>
<script src="${DOCS_PATH}/assets/swagger-ui-bundle.js"></script>
<script src="${DOCS_PATH}/start.js"></script>
</body>
</html>
`;

// A script of its own rather than inline, so that a strict Content-Security-Policy holds.
// A token typed into "Authorize" stays in the page's memory, never in storage; no validator
// badge (it would ask validator.swagger.io about this document).
const START_SCRIPT = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(OPENAPI_PATH)},
  dom_id: '#reference',
  deepLinking: true,
  persistAuthorization: false,
  validatorUrl: null,
});
`;

export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const guarded = (res: Response): Response =>
  res.setHeader('Content-Security-Policy', DOCS_CSP).setHeader('X-Content-Type-Options', 'nosniff');

/** The router of both; `document` is built once, when the process starts. */
export const openApiRouter = (document: JsonSchema): Router => {
  const router = Router();
  const body = JSON.stringify(document);
  router.get(OPENAPI_PATH, (_req, res) => {
    res.type('application/json').send(body);
  });
  router.get(DOCS_PATH, (_req, res) => {
    guarded(res).type('text/html').send(DOCS_PAGE);
  });
  router.get(`${DOCS_PATH}/start.js`, (_req, res) => {
    guarded(res).type('text/javascript').send(START_SCRIPT);
  });
  router.get(`${DOCS_PATH}/assets/:file`, (req, res, next) => {
    const file = req.params['file'];
    if (file === undefined || !Object.hasOwn(DOCS_ASSETS, file)) return next(); // a 404
    // No validators or ranges: a 304 or a 206 would be answers the reference does not list.
    guarded(res)
      .type(DOCS_ASSETS[file]!)
      .setHeader('Cache-Control', 'public, max-age=3600')
      .sendFile(
        join(uiFolder, file),
        { etag: false, lastModified: false, acceptRanges: false },
        (error) => {
          if (error !== undefined && !res.headersSent) next(); // the process's 404
        },
      );
  });
  return router;
};
