/**
 * Holds real answers to the OpenAPI document: each exchange is matched to its operation (path
 * template and method), its status to a documented response, its media type to
 * one the response lists, and a JSON body (every line of NDJSON) to that media type's schema,
 * with ajv in JSON Schema 2020-12, the dialect of OpenAPI 3.1; an accepted request's query and
 * body to what the operation takes. Response headers and non-JSON bodies are not checked.
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
  /** The request's query string (without `?`), body and its media type, when it had them. */
  readonly query?: string;
  readonly requestBody?: string;
  readonly requestType?: string;
}

const pointer = (...parts: readonly string[]): string =>
  parts.map((p) => encodeURIComponent(p.replaceAll('~', '~0').replaceAll('/', '~1'))).join('/');

const JSON_MEDIA = /^application\/(?:[\w.+-]+\+)?json$/;

export const openApiChecker = (document: Json) => {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema(document, 'openapi.json');
  // Query parameters are text on the wire: read as their schema's type, as OpenAPI reads them.
  const params = new Ajv2020({ strict: false, allErrors: true, coerceTypes: true });
  addFormats(params);
  params.addSchema(document, 'openapi.json');
  const paramValidators = new Map<string, ValidateFunction>();
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

  /** The operation `exchange` is answered by: the most specific template (fewest parameters). */
  const operationOf = (exchange: Exchange) => {
    const method = exchange.method.toLowerCase();
    const found = templates
      .filter((t) => t.pattern.test(exchange.path))
      .filter((t) => document['paths'][t.template][method] !== undefined)
      .sort((a, b) => a.template.split('{').length - b.template.split('{').length)[0];
    return found === undefined
      ? undefined
      : {
          key: `${method} ${found.template}`,
          at: pointer('paths', found.template, method),
          operation: document['paths'][found.template][method] as Json,
        };
  };

  /** What the request sent that the operation does not describe, for an accepted request:
   *  a query parameter it does not name or whose text its schema refuses, a body its schema
   *  refuses (the schema would then be stricter than the route). */
  const requestProblems = (
    exchange: Exchange,
    op: NonNullable<ReturnType<typeof operationOf>>,
    what: string,
  ): string[] => {
    const problems: string[] = [];
    const parameters = (op.operation['parameters'] ?? []) as Json[];
    const query = new URLSearchParams(exchange.query ?? '');
    for (const [name, value] of query) {
      const index = parameters.findIndex((p) => p['in'] === 'query' && p['name'] === name);
      if (index === -1) {
        problems.push(`${what}: query parameter ${name} not documented`);
        continue;
      }
      const at = `${op.at}/parameters/${index}/schema`;
      let validate = paramValidators.get(at);
      if (validate === undefined) {
        validate = params.compile({ $ref: `openapi.json#/${at}` });
        paramValidators.set(at, validate);
      }
      if (!validate(value))
        problems.push(`${what}: query ${name}=${value}: ${params.errorsText(validate.errors)}`);
    }
    for (const p of parameters) {
      if (p['in'] === 'query' && p['required'] === true && !query.has(String(p['name'])))
        problems.push(`${what}: required query parameter ${String(p['name'])} absent`);
    }
    if (op.operation['requestBody']?.['required'] === true && exchange.requestBody === undefined)
      problems.push(`${what}: the operation requires a body, and got none`);
    const media = (exchange.requestType ?? '').split(';')[0]!.trim().toLowerCase();
    if (exchange.requestBody === undefined || !JSON_MEDIA.test(media)) return problems;
    const content = op.operation['requestBody']?.['content'] as Json | undefined;
    if (content?.[media] === undefined) {
      problems.push(`${what}: a ${media} body the operation does not take`);
      return problems;
    }
    const validate = validatorAt(`${op.at}/requestBody/content/${pointer(media)}/schema`);
    if (!validate(JSON.parse(exchange.requestBody))) {
      problems.push(
        `${what}: request body: ${ajv.errorsText(validate.errors, { dataVar: 'body' })}`,
      );
    }
    return problems;
  };

  /** What is wrong with `exchange` against the document: nothing when it conforms. */
  const check = (exchange: Exchange): string[] => {
    const what = `${exchange.method} ${exchange.path} -> ${exchange.status}`;
    const op = operationOf(exchange);
    // A path no operation names is a 404, a problem like any other (app.ts answers it).
    if (op === undefined && exchange.status !== 404)
      return [`${what}: no operation in the document`];
    const accepted = exchange.status >= 200 && exchange.status < 400;
    // Answered: a success, whose schema was then held to a real body (a 304 holds none).
    if (op !== undefined && exchange.status < 300 && accepted) exercised.add(op.key);
    const problems = op !== undefined && accepted ? requestProblems(exchange, op, what) : [];
    const responses = (
      op === undefined
        ? { '404': { $ref: '#/components/responses/Problem' } }
        : op.operation['responses']
    ) as Json;
    const key = String(exchange.status);
    let at = op === undefined ? '' : `${op.at}/responses/${key}`;
    let response = responses[key] as Json | undefined;
    if (response === undefined) return [...problems, `${what}: status not documented`];
    if (typeof response['$ref'] === 'string') {
      const name = (response['$ref'] as string).split('/').pop()!;
      at = pointer('components', 'responses', name);
      response = document['components']['responses'][name] as Json;
    }
    return [...problems, ...responseProblems(exchange, response, at, what)];
  };

  /** The answer's media type and body against the documented response at `at`. */
  const responseProblems = (exchange: Exchange, response: Json, at: string, what: string) => {
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
    /** What the schema at `path` (the document's keys, unescaped) finds wrong with `value`. */
    problemsAt: (path: readonly string[], value: unknown): string[] => {
      const validate = validatorAt(pointer(...path));
      return validate(value) ? [] : [ajv.errorsText(validate.errors, { dataVar: 'body' })];
    },
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
    const headers = new Headers(init?.headers);
    const exchange = (body: string): Exchange => ({
      origin: url.origin,
      method: init?.method ?? 'GET',
      path: url.pathname,
      status: response.status,
      contentType: response.headers.get('content-type'),
      body,
      query: url.search.slice(1),
      ...(typeof init?.body === 'string' ? { requestBody: init.body } : {}),
      ...(headers.has('content-type') ? { requestType: headers.get('content-type')! } : {}),
    });
    // A live stream is handed back unread (the caller reads or closes it).
    if ((response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      record(exchange(''));
      return response;
    }
    const body = await response.text();
    record(exchange(body));
    const empty = [101, 204, 205, 304].includes(response.status);
    return new Response(empty ? null : body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
