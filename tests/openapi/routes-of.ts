/**
 * Every (method, path) an express app really answers, found by walking its routers (express 5
 * layers: a route, a mounted router, a static folder), paths in OpenAPI form. What the API
 * reference is held to: it must name each of these, and nothing else.
 */
import type { Express } from 'express';
import { openApiPath } from '@newsroom/service-kit';

interface Layer {
  readonly name: string;
  readonly rawPath?: string;
  readonly route?: { readonly path: string; readonly methods: Record<string, boolean> };
  readonly handle: { readonly stack?: readonly Layer[] };
}

const join = (prefix: string, path: string): string =>
  `${prefix.replace(/\/$/, '')}${path === '/' ? '' : path}` || '/';

const walk = (stack: readonly Layer[], prefix: string, out: Set<string>): void => {
  for (const layer of stack) {
    if (layer.route !== undefined) {
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== '_all')
          out.add(`${method} ${openApiPath(join(prefix, layer.route.path))}`);
      }
    } else if (layer.name === 'router' && layer.handle.stack !== undefined) {
      walk(layer.handle.stack, join(prefix, layer.rawPath ?? ''), out);
    } else if (layer.name === 'serveStatic') {
      out.add(`get ${join(prefix, layer.rawPath ?? '')}/{file}`);
    } else if (layer.name === 'mounted_app') {
      // An express app inside: its routes would go unseen, and the reference unchecked.
      throw new Error(`an app is mounted at ${join(prefix, layer.rawPath ?? '')}: walk it too`);
    }
  }
};

/** `get /v1/drafts/{articleId}`, ... for every route `app` mounts. */
export const routesOf = (app: Express): readonly string[] => {
  const out = new Set<string>();
  walk((app as unknown as { router: { stack: readonly Layer[] } }).router.stack, '', out);
  return [...out].sort();
};

/** The same list from an OpenAPI document. */
export const operationsOf = (document: {
  readonly paths: Record<string, Record<string, unknown>>;
}): readonly string[] =>
  Object.entries(document.paths)
    .flatMap(([path, operations]) => Object.keys(operations).map((m) => `${m} ${path}`))
    .sort();
