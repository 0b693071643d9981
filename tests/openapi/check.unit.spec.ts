/** The checker the reference tests rest on finds what does not conform, each in its way. */
import { describe, expect, it } from 'vitest';
import { openApiChecker } from './check.js';
import type { Exchange } from './check.js';

const document = {
  openapi: '3.1.0',
  paths: {
    '/things/{id}': {
      get: {
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'string', pattern: '^[1-9]\\d?$' } },
        ],
        responses: {
          '200': {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { id: { type: 'string', format: 'uuid' }, n: { type: 'integer' } },
                  required: ['id', 'n'],
                  additionalProperties: false,
                },
              },
              'application/x-ndjson': { schema: { type: 'object', required: ['n'] } },
            },
          },
          '304': { description: 'not modified' },
          '500': { $ref: '#/components/responses/Problem' },
        },
      },
    },
  },
  components: {
    responses: {
      Problem: {
        content: {
          'application/problem+json': {
            schema: { type: 'object', required: ['status', 'title'] },
          },
        },
      },
    },
  },
};

const ID = '6c533265-2b78-4001-a3af-fc1698b1a6de';
const answer = (e: Partial<Exchange>): Exchange => ({
  origin: 'http://127.0.0.1',
  method: 'GET',
  path: `/things/${ID}`,
  status: 200,
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify({ id: ID, n: 1 }),
  ...e,
});

describe('the reference checker', () => {
  it('passes what conforms and counts its operation answered', () => {
    const checker = openApiChecker(document);
    expect(checker.check(answer({}))).toEqual([]);
    expect(checker.check(answer({ status: 304, contentType: null, body: '' }))).toEqual([]);
    expect(
      checker.check(
        answer({
          path: '/elsewhere',
          status: 404,
          contentType: 'application/problem+json',
          body: '{"status":404,"title":"x"}',
        }),
      ),
    ).toEqual([]);
    expect([...checker.exercised()]).toEqual(['get /things/{id}']);
  });

  it('holds an accepted request to what the operation takes', () => {
    const checker = openApiChecker(document);
    const found = (e: Partial<Exchange>) => checker.check(answer(e));
    expect(found({ query: 'limit=5' })).toEqual([]);
    expect(found({ query: 'limit=500' })[0]).toMatch(/query limit=500/);
    expect(found({ query: 'sort=up' })[0]).toMatch(/query parameter sort not documented/);
    expect(found({ requestBody: '{"n":1}', requestType: 'application/json' })[0]).toMatch(
      /does not take/,
    );
    // A refused request is not held to it (the refusal is what is checked).
    expect(
      found({
        query: 'sort=up',
        status: 500,
        contentType: 'application/problem+json',
        body: '{"status":500,"title":"x"}',
      }),
    ).toEqual([]);
    expect(found({ status: 409, contentType: 'application/problem+json', body: '{}' })[0]).toMatch(
      /status not documented/,
    );
  });

  it('finds a wrong body, a wrong media type, an unknown path and a bad NDJSON line', () => {
    const checker = openApiChecker(document);
    const found = (e: Partial<Exchange>) => checker.check(answer(e));
    expect(found({ body: JSON.stringify({ id: ID, n: 'one' }) })[0]).toMatch(/must be integer/);
    expect(found({ body: JSON.stringify({ id: ID, n: 1, extra: true }) })[0]).toMatch(
      /additional properties/,
    );
    expect(found({ body: JSON.stringify({ id: 'x', n: 1 }) })[0]).toMatch(/format "uuid"/);
    expect(found({ contentType: 'text/html' })[0]).toMatch(/media type text\/html not among/);
    expect(found({ status: 304, contentType: null, body: 'x' })[0]).toMatch(/a body where/);
    expect(found({ path: '/elsewhere', status: 200 })[0]).toMatch(/no operation/);
    expect(found({ method: 'POST' })[0]).toMatch(/no operation/);
    expect(
      found({ status: 500, contentType: 'application/problem+json', body: '{"title":"x"}' })[0],
    ).toMatch(/must have required property 'status'/);
    expect(found({ contentType: 'application/x-ndjson', body: '{"n":1}\n{"m":2}\n' })).toHaveLength(
      1,
    );
    expect(found({ body: 'not json' })[0]).toMatch(/not JSON/);
  });
});
