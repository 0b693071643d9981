/**
 * RFC 9457 problem details (`application/problem+json`) and readable io-ts failure paths.
 */
import * as t from 'io-ts';
import { describeAs, describeCodec } from './json-schema.js';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { MAX_COLLECTED_ERRORS, setOwn, strict } from './codec.js';
import {
  ArticleRejection,
  describeRejection,
  rejectionStatus,
  type ArticleRejectionTag,
} from './rejections.js';
import { NonNegativeInt } from './text.js';

export const FieldError = strict({ path: t.string, message: t.string }, {}, 'FieldError');
export type FieldError = t.TypeOf<typeof FieldError>;

const HttpStatus = new t.Type<number, number, unknown>(
  'HttpStatus',
  (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= 100 && u <= 599,
  (u, c) =>
    typeof u === 'number' && Number.isInteger(u) && u >= 100 && u <= 599
      ? t.success(u)
      : t.failure(u, c, 'expected an HTTP status 100..599'),
  t.identity,
);
describeCodec(HttpStatus, { type: 'integer', minimum: 100, maximum: 599 });

/** Problem details. Extension members are allowed (RFC 9457 §3.2), so this is not strict. */
const ProblemDetailsMembers = t.intersection(
  [
    t.type({ type: t.string, title: t.string, status: HttpStatus }),
    t.partial({
      detail: t.string,
      instance: t.string,
      /** Failing field paths, e.g. `data.content.blocks.3.text`. */
      errors: t.readonlyArray(FieldError),
      /** The stream's revision, on 412 (stale If-Match) and 409. */
      currentRevision: NonNegativeInt,
      /** The domain rejection, machine-readable. */
      rejection: ArticleRejection,
      /** True when there were more failures than `errors` lists (at most 100 are). */
      errorsTruncated: t.boolean,
    }),
  ],
  'ProblemDetails',
);
export type ProblemDetails = t.TypeOf<typeof ProblemDetailsMembers>;

/** The members the codec knows, from its own parts. */
const MEMBERS = ProblemDetailsMembers.types.flatMap((part) =>
  Object.keys(part.props),
) as readonly (keyof ProblemDetails)[];

/** The members decoded, and every extension member kept as it came, one named `__proto__`
 *  too (io-ts' intersection rebuilds the object and would drop it). */
export const ProblemDetails = new t.Type<ProblemDetails, ProblemDetails, unknown>(
  'ProblemDetails',
  ProblemDetailsMembers.is,
  (u, c) =>
    pipe(
      ProblemDetailsMembers.validate(u, t.appendContext(c, '', ProblemDetailsMembers, u)),
      E.map((decoded) => {
        // The decoded members (a lower-cased uuid...) over every member as it came.
        const out: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(u as object)) setOwn(out, key, value);
        for (const key of MEMBERS) if (Object.hasOwn(decoded, key)) setOwn(out, key, decoded[key]);
        return out as ProblemDetails;
      }),
    ),
  t.identity,
);

// Open, as RFC 9457 lets extension members in.
describeAs(ProblemDetails, ProblemDetailsMembers);

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const kebab = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** `urn:newsroom:problem:article-not-in-review`, `urn:newsroom:problem:validation-failed`. */
export const problemType = (name: ArticleRejectionTag | 'ValidationFailed' | string): string =>
  `urn:newsroom:problem:${kebab(name)}`;

const titleOf = (tag: string): string => {
  const words = kebab(tag).split('-').join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const isUnionBranch = (type: t.Decoder<unknown, unknown> | undefined): boolean => {
  const tag = (type as { readonly _tag?: unknown } | undefined)?._tag;
  return tag === 'UnionType' || tag === 'IntersectionType';
};

const preview = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return JSON.stringify(shown);
  }
  return String(value);
};

/** Field errors an answer lists at most; decoders stop collecting just past this. */
export const MAX_REPORTED_ERRORS = MAX_COLLECTED_ERRORS - 1;

/**
 * One `{ path, message }` per failure (the first `MAX_REPORTED_ERRORS`), paths like `data.content.blocks.3.text`
 * (the whole value: ''). The index entries io-ts adds for the members of `t.union` and
 * `t.intersection` are left out, and repeated failures are reported once.
 */
export const formatValidationErrors = (errors: t.Errors): FieldError[] => {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const error of errors) {
    const keys: string[] = [];
    error.context.forEach((entry, i) => {
      if (entry.key === '') return;
      if (i > 0 && isUnionBranch(error.context[i - 1]?.type)) return;
      keys.push(entry.key);
    });
    const path = keys.join('.');
    const last = error.context[error.context.length - 1];
    const message =
      error.message ??
      (error.value === undefined
        ? 'required'
        : `expected ${last?.type.name ?? 'a valid value'}, got ${preview(error.value)}`);
    const id = `${path}\u0000${message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ path, message });
    if (out.length === MAX_REPORTED_ERRORS) break;
  }
  return out;
};

/** The failures on one line, `path: message; ...` (for logs and dead letters). */
export const describeErrors = (errors: t.Errors): string =>
  formatValidationErrors(errors)
    .map((e) => `${e.path}: ${e.message}`)
    .join('; ');

/** The `errors` of a problem answer, with `errorsTruncated` when decoding found more. */
export const fieldErrorsOf = (
  errors: t.Errors,
): { readonly errors: FieldError[]; readonly errorsTruncated?: true } => {
  const listed = formatValidationErrors(errors);
  return errors.length > MAX_REPORTED_ERRORS
    ? { errors: listed, errorsTruncated: true }
    : { errors: listed };
};

/** The problem body for a body or parameter that does not decode: 400 with field paths. */
export const validationProblem = (
  errors: t.Errors,
  options: { readonly instance?: string; readonly status?: number } = {},
): ProblemDetails => ({
  type: problemType('ValidationFailed'),
  title: 'Validation failed',
  status: options.status ?? 400,
  detail: 'The request does not match the expected shape; see errors.',
  ...(options.instance === undefined ? {} : { instance: options.instance }),
  ...fieldErrorsOf(errors),
});

/** The problem body for a domain rejection, status from `rejectionStatus`. */
export const rejectionProblem = (
  rejection: ArticleRejection,
  options: { readonly instance?: string; readonly currentRevision?: number } = {},
): ProblemDetails => ({
  type: problemType(rejection._tag),
  title: titleOf(rejection._tag),
  status: rejectionStatus(rejection._tag),
  detail: describeRejection(rejection),
  ...(options.instance === undefined ? {} : { instance: options.instance }),
  ...(options.currentRevision === undefined ? {} : { currentRevision: options.currentRevision }),
  rejection,
});
