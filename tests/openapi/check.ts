/**
 * Holds real answers to the OpenAPI document: each exchange is matched to its operation (path
 * template and method), its status to a documented response (or `default`), its media type to
 * one the response lists, and a JSON body (every line of NDJSON) to that media type's schema,
 * with ajv in JSON Schema 2020-12, the dialect of OpenAPI 3.1.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: its default export is the function under ESM interop.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Exchange {
  /** Who answered: `http://127.0.0.1:8081`. */
  readonly origin: string;
  readonly method: string;
  /** The path, without the query. */
  readonly path: string;
  readonly status: number;
  readonly contentType: string | null;
  readonly body: string;
}

const pointer = (...parts: readonly string[]): string =>
  parts.map((p) => encodeURIComponent(p.replaceAll('~', '~0').replaceAll('/', '~1'))).join('/');

const JSON_MEDIA = /^application\/(?:[\w.+-]+\+)?json$/;

export const openApiChecker = (document: Json) => {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema(document, 'openapi.json');
  const validators = new Map<string, ValidateFunction>();
  const validatorAt = (ref: string): ValidateFunction => {
    let v = validators.get(ref);
    if (v === undefined) {
      v = ajv.compile({ $ref: `openapi.json#/${ref}` });
      validators.set(ref, v);
    }
    return v;
  };
  const templates = Object.keys(document['paths'] as object).map((template) => ({
    template,
    pattern: new RegExp(
      `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`,
    ),
  }));
  const exercised = new Set<string>();

  /** What is wrong with `exchange` against the document: nothing when it conforms. */
  const check = (exchange: Exchange): string[] => {
    const method = exchange.method.toLowerCase();
    const what = `${exchange.method} ${exchange.path} -> ${exchange.status}`;
    // The most specific template: one without a parameter where that segment is literal.
    const matches = templates.filter((t) => t.pattern.test(exchange.path));
    const found = matches
      .filter((t) => document['paths'][t.template][method] !== undefined)
      .sort((a, b) => a.template.split('{').length - b.template.split('{').length)[0];
    // A path no operation names is a 404, a problem like any other (app.ts answers it).
    if (found === undefined && exchange.status !== 404)
      return [`${what}: no operation in the document`];
    if (found !== undefined) exercised.add(`${method} ${found.template}`);
    const responses = (
      found === undefined
        ? { default: { $ref: '#/components/responses/Problem' } }
        : document['paths'][found.template][method]['responses']
    ) as Json;
    const key = String(exchange.status) in responses ? String(exchange.status) : 'default';
    let at = found === undefined ? '' : pointer('paths', found.template, method, 'responses', key);
    let response = responses[key] as Json | undefined;
    if (response === undefined) return [`${what}: status not documented`];
    if (typeof response['$ref'] === 'string') {
      const name = (response['$ref'] as string).split('/').pop()!;
      at = pointer('components', 'responses', name);
      response = document['components']['responses'][name] as Json;
    }
    const content = response['content'] as Json | undefined;
    if (content === undefined) {
      return exchange.body === '' ? [] : [`${what}: a body where the document says none`];
    }
    const media = (exchange.contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (!(media in content)) {
      return [`${what}: media type ${media} not among ${Object.keys(content).join(', ')}`];
    }
    if (!JSON_MEDIA.test(media) && media !== 'application/x-ndjson') return [];
    const validate = validatorAt(`${at}/content/${pointer(media)}/schema`);
    const values =
      media === 'application/x-ndjson'
        ? exchange.body.split('\n').filter((line) => line !== '')
        : [exchange.body];
    const problems: string[] = [];
    for (const text of values) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        problems.push(`${what}: not JSON: ${text.slice(0, 80)}`);
        continue;
      }
      if (!validate(value)) {
        problems.push(
          `${what}: ${ajv.errorsText(validate.errors, { dataVar: 'body' })} in ${text.slice(0, 300)}`,
        );
      }
    }
    return problems;
  };

  return {
    check,
    /** Every operation an exchange was matched to, as `get /v1/...`. */
    exercised: (): ReadonlySet<string> => exercised,
  };
};

/** Each exchange checked against the document its own process serves (`/openapi.json`):
 *  for a system of several processes, each answering for its own endpoints. */
export const checkAgainstTheirOwn = async (exchanges: readonly Exchange[]): Promise<string[]> => {
  const checkers = new Map<string, ReturnType<typeof openApiChecker>>();
  const problems: string[] = [];
  for (const exchange of exchanges) {
    let checker = checkers.get(exchange.origin);
    if (checker === undefined) {
      const document = (await (await fetch(`${exchange.origin}/openapi.json`)).json()) as Json;
      checker = openApiChecker(document);
      checkers.set(exchange.origin, checker);
    }
    problems.push(...checker.check(exchange));
  }
  return problems;
};

/** A fetch that also hands each exchange (its body read once, and given back) to `record`. */
export const recordingFetch =
  (record: (exchange: Exchange) => void): typeof fetch =>
  async (input, init) => {
    const response = await fetch(input, init);
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const streaming = (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
    if (streaming) {
      record({
        origin: url.origin,
        method: init?.method ?? 'GET',
        path: url.pathname,
        status: response.status,
        contentType: response.headers.get('content-type'),
        body: '',
      });
      return response;
    }
    const body = await response.text();
    record({
      origin: url.origin,
      method: init?.method ?? 'GET',
      path: url.pathname,
      status: response.status,
      contentType: response.headers.get('content-type'),
      body,
    });
    const empty = [101, 204, 205, 304].includes(response.status);
    return new Response(empty ? null : body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
