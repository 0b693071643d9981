/**
 * The parts an endpoint's OpenAPI 3.1 description is made of, so that each service describes
 * its own paths beside its routes (`ServiceDefinition.api`) in a few lines: JSON and other
 * answers, the problem+json answers, query parameters read off the query's codec, the bearer
 * token. Schemas come from a `SchemaSet`, which reads them off the io-ts codecs.
 */
import type * as t from 'io-ts';
import type { JsonSchema, SchemaSet } from '@newsroom/contracts';

export type Operation = JsonSchema;
/** OpenAPI paths: `/v1/drafts/{articleId}/revise` -> `post` -> the operation. */
export type ApiPaths = Record<
  string,
  Partial<Record<'get' | 'post' | 'put' | 'delete', Operation>>
>;

/** What a service says about its endpoints, with the schema set of the document. */
export type ApiDescription = (schemas: SchemaSet) => ApiPaths;

/** Schemas every service's answers use. */
export const UUID: JsonSchema = { type: 'string', format: 'uuid' };
export const NULLABLE_STRING: JsonSchema = { type: ['string', 'null'] };
/** An instant as `toISOString` and the read models give it: UTC, milliseconds, `Z`. */
export const UTC_MILLIS: JsonSchema = { type: 'string', format: 'date-time' };

/** An object of exactly `properties`, each one required but those `optional` names. */
export const closedObject = (
  properties: Record<string, JsonSchema>,
  optional: readonly string[] = [],
): JsonSchema => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
  additionalProperties: false,
});

/** One page of a listing: its `items`, and `next` (what `next` is) while more follow. */
export const pageOf = (item: JsonSchema, next: string): JsonSchema =>
  closedObject(
    { items: { type: 'array', items: item }, next: { type: 'string', description: next } },
    ['next'],
  );

export const PROBLEM_RESPONSE = { $ref: '#/components/responses/Problem' } as const;

/** A JSON answer of `schema`. */
export const jsonAnswer = (
  description: string,
  schema: JsonSchema,
  headers: Record<string, JsonSchema> = {},
): JsonSchema => ({
  description,
  ...(Object.keys(headers).length === 0 ? {} : { headers }),
  content: { 'application/json': { schema } },
});

/** An answer in another media type (HTML, XML, text, NDJSON, an event stream). */
export const mediaAnswer = (
  description: string,
  types: readonly string[],
  schema: JsonSchema = { type: 'string' },
): JsonSchema => ({
  description,
  content: Object.fromEntries(types.map((type) => [type, { schema }])),
});

/** problem+json answers at each of `statuses`. */
export const problems = (...statuses: readonly number[]): Record<string, JsonSchema> =>
  Object.fromEntries(statuses.map((s) => [String(s), PROBLEM_RESPONSE]));

/** The query parameters of a strict query codec, each property one parameter. */
export const queryParameters = (
  schemas: SchemaSet,
  codec: t.Any & { readonly required: t.Props; readonly optional: t.Props },
): readonly JsonSchema[] => [
  ...Object.entries(codec.required).map(([name, c]) => ({
    name,
    in: 'query',
    required: true,
    schema: schemas.of(c),
  })),
  ...Object.entries(codec.optional).map(([name, c]) => ({
    name,
    in: 'query',
    schema: schemas.of(c),
  })),
];

/** One query parameter described by hand (a route that reads its query without a codec). */
export const queryParameter = (
  name: string,
  schema: JsonSchema,
  description: string,
  required = false,
): JsonSchema => ({ name, in: 'query', description, schema, ...(required ? { required } : {}) });

/** A path parameter: `{articleId}` and the like. */
export const pathParameter = (
  name: string,
  schema: JsonSchema,
  description: string,
): JsonSchema => ({
  name,
  in: 'path',
  required: true,
  description,
  schema,
});

export const ARTICLE_ID = pathParameter(
  'articleId',
  UUID,
  'the article (a UUID; any other text is 404)',
);

/** A bearer token, of one of `roles` where the route checks the role (`x-roles`); without
 *  them, any role the decider then judges (the commands). */
export const bearer = (roles?: readonly string[]): JsonSchema => ({
  security: [{ bearer: [] }],
  ...(roles === undefined ? {} : { 'x-roles': roles }),
});

/** `/v1/drafts/:articleId/revise` as OpenAPI writes it: `/v1/drafts/{articleId}/revise`. */
export const openApiPath = (expressPath: string): string =>
  expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}').replace(/(.)\/$/, '$1');
