/**
 * Property-based fuzzing of every HTTP route (fast-check), on PGlite and on PostgreSQL: every
 * POST command route of services/{drafting,review,publishing}/src/routes.ts (read from those
 * files) and every `GET <prefix>/:articleId` view with `?revision=` and `?at=`.
 *
 * Requests are generated from the contract's shapes (tests/fuzz-arbitraries.ts): valid
 * commands and one-field mutations of them, `__proto__` keys, blank and invisible-only text,
 * 130,000+ invalid list items, random JSON, raw bytes (invalid UTF-8, duplicate keys, malformed
 * JSON, wrong types), wrong content types; If-Match (weak, negative, lists, garbage, stale),
 * Prefer, tokens of every role and broken tokens; path ids (uuid, upper case, percent-encoded,
 * garbage, bad percent-encoding) and query strings. The article a request is sent to is first
 * brought, over HTTP, into a state of the lifecycle.
 *
 * Properties:
 * (1) no request gets a 5xx (or no answer);
 * (2) every 4xx is application/problem+json with type, title and status equal to the HTTP
 *     status, readable by the ProblemDetails codec; every 400 has errors [{path, message}];
 * (3) a refused command changes nothing: the streams it could touch keep their length;
 * (4) an accepted command reads back byte-identical (GET, the answer, the stored event);
 * (5) one problem type, one title, across every answer seen;
 * (6) inputs known to be wrong get the answer they must: 400 at the failing path, 401, 404,
 *     412 with the real revision, 413, 415; and good ones are served (either case of an id is
 *     the same article, `?revision=n` is revision n).
 *
 * FUZZ_RUNS: runs per property and store (default 100: the whole file takes well under a minute
 * on two cores); FUZZ_SEED (default 42); FUZZ_MAX_SHRINKS (default 50). Prints one JSON line per
 * store: {"fuzz":"routes","store":...,"requests":N,"status5xx":M}.
 */
import http from 'node:http';
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { SignJWT, UnsecuredJWT } from 'jose';
import type { JWTPayload } from 'jose';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ProblemDetails } from '@newsroom/contracts';
import { eventIdFor } from '@newsroom/service-kit';
import { STORE_KINDS, textBytes, useTestSystem } from './harness.js';
import type { StoreKind, TestSystem } from './harness.js';
import {
  actorIdArb,
  CALLER_ROLES,
  commandData,
  contentShapes,
  expectDecoded,
  invalidPatternArb,
  invisibleMutantOf,
  isoArb,
  unstorableMutantOf,
  mutatedOf,
  namesPath,
  previewJson,
  printable,
  protoMutantOf,
  requestShape,
  setAt,
  setOwn,
  sitesOf,
  SMALL,
  validOf,
} from '../fuzz-arbitraries.js';
import type { CommandTypeName, GenOptions, Label, Shape } from '../fuzz-arbitraries.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 42);
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 100);
const MAX_SHRINKS = Number(process.env['FUZZ_MAX_SHRINKS'] ?? 50);
/** Per test: long runs (`npm run fuzz`) need more than the e2e tier's 120 s. */
vi.setConfig({ testTimeout: 120_000 + RUNS * 300 });

/** BODY_LIMIT's default, 1 MiB. */
const BODY_LIMIT = 1024 * 1024;
/** The error cap of a 400's `errors` (being introduced now). */
const MAX_ERRORS = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type CallerRole = (typeof CALLER_ROLES)[number];

// ---------------------------------------------------------------------------------------------
// The routes, from the services' route tables
// ---------------------------------------------------------------------------------------------

interface CommandRoute {
  readonly kind: 'command';
  readonly prefix: string;
  /** As in the table: '/' or '/:articleId/revise'. */
  readonly path: string;
  readonly type: CommandTypeName;
  readonly creates: boolean;
}

interface ViewRoute {
  readonly kind: 'view';
  readonly prefix: string;
}

type Route = CommandRoute | ViewRoute;

const SERVICES = new URL('../../services/', import.meta.url);

const COMMAND_ROUTES: readonly CommandRoute[] = readdirSync(SERVICES).flatMap((dir) => {
  const file = new URL(`${dir}/src/routes.ts`, SERVICES);
  if (!existsSync(file)) return [];
  const source = readFileSync(file, 'utf8');
  const prefix = /export const \w+ = '(\/v1\/[^']+)'/.exec(source)?.[1];
  if (prefix === undefined) return [];
  return [
    ...source.matchAll(/\[\s*'(\/[^']*)',\s*'(\w+)'(\s*,\s*\{\s*creates:\s*true\s*\})?\s*,?\s*\]/g),
  ].map((m) => ({
    kind: 'command' as const,
    prefix,
    path: m[1] ?? '',
    type: m[2] as CommandTypeName,
    creates: m[3] !== undefined,
  }));
});

const VIEW_ROUTES: readonly ViewRoute[] = [...new Set(COMMAND_ROUTES.map((r) => r.prefix))].map(
  (prefix) => ({ kind: 'view' as const, prefix }),
);

const WRITERS: readonly CallerRole[] = ['reporter', 'editor', 'admin'];
const EDITORS: readonly CallerRole[] = ['editor', 'admin'];
const PUBLISHERS: readonly CallerRole[] = ['publisher', 'admin'];

/** Who may send what (README). */
const allowedRoles = (type: CommandTypeName): readonly CallerRole[] =>
  (
    ({
      CreateDraft: WRITERS,
      ReviseDraft: WRITERS,
      SubmitForReview: WRITERS,
      WithdrawSubmission: WRITERS,
      DiscardDraft: WRITERS,
      CorrectArticle: WRITERS,
      AssignReviewer: EDITORS,
      RequestChanges: EDITORS,
      ApproveArticle: EDITORS,
      RejectArticle: EDITORS,
    }) as Partial<Record<CommandTypeName, readonly CallerRole[]>>
  )[type] ?? PUBLISHERS;

// ---------------------------------------------------------------------------------------------
// Cases: one request, described so that it prints readably
// ---------------------------------------------------------------------------------------------

type Target =
  | 'none'
  | 'Draft'
  | 'InReview'
  | 'ChangesRequested'
  | 'Approved'
  | 'Scheduled'
  | 'Published'
  | 'CorrectionDrafted'
  | 'CorrectionApproved'
  | 'Unpublished'
  | 'Retracted'
  | 'Discarded';

type BadAuth =
  | 'missing'
  | 'empty'
  | 'basic'
  | 'no scheme'
  | 'garbage'
  | 'two tokens'
  | 'wrong key'
  | 'expired'
  | 'alg none'
  | 'HS512'
  | 'tampered'
  | 'no sub'
  | 'bad sub'
  | 'sub not a string'
  | 'system role'
  | 'unknown role'
  | 'no role'
  | 'role list';

type Auth =
  | {
      readonly k: 'valid';
      readonly role: CallerRole;
      readonly sub: string;
      readonly scheme: string;
      readonly pad: string;
    }
  | { readonly k: 'bad'; readonly why: BadAuth; readonly detail: string };

type IfMatch =
  | { readonly k: 'none' }
  | { readonly k: 'current' }
  | { readonly k: 'stale'; readonly delta: number }
  | { readonly k: 'weak current' }
  | { readonly k: 'raw'; readonly text: string };

type IdVariant =
  | { readonly k: 'lower' }
  | { readonly k: 'upper' }
  | { readonly k: 'mixed' }
  | { readonly k: 'percent-encoded'; readonly mask: number }
  | { readonly k: 'garbage'; readonly decoded: string }
  | { readonly k: 'empty' }
  | { readonly k: 'bad percent'; readonly raw: string };

interface Query {
  readonly raw: string;
  /** The parameters that are wrong (400, named in errors). */
  readonly faults: readonly ('revision' | 'at')[];
  readonly revision?: number;
  readonly at?: 'past' | 'future' | 'any';
  /** The semantics are not pinned down (both parameters, unknown ones). */
  readonly unsure?: boolean;
}

interface ContentType {
  readonly text: string | undefined;
  readonly label: 'json' | 'refused' | 'unsure';
}

type BodyLabel =
  | Label
  | { readonly kind: 'malformed' }
  | { readonly kind: 'bad utf-8' }
  | { readonly kind: 'duplicate'; readonly path: string }
  | { readonly kind: 'too large' }
  /** JSON, but not an object: refused (400) by the parser or by the codec. */
  | { readonly kind: 'not an object' };

type Body =
  | { readonly k: 'none' }
  | { readonly k: 'json'; readonly value: unknown; readonly label: BodyLabel; readonly how: string }
  | { readonly k: 'raw'; readonly bytes: Buffer; readonly label: BodyLabel; readonly how: string };

interface Case {
  readonly family: string;
  /** The known defect classes this request exercises (see `coverage`). */
  readonly tags: readonly string[];
  readonly route: Route;
  readonly method: string;
  readonly target: Target;
  /** The content the target article is created with. */
  readonly seed: Record<string, unknown>;
  /** The article id used when the target is 'none'. */
  readonly freshId: string;
  readonly id: IdVariant;
  readonly trailingSlash: boolean;
  readonly query: Query | undefined;
  readonly auth: Auth;
  readonly ifMatch: IfMatch;
  readonly prefer: string | undefined;
  readonly contentType: ContentType;
  readonly body: Body;
  readonly chunked: boolean;
  readonly extraHeaders: readonly (readonly [string, string])[];
  /** CreateDraft: the body's articleId is the (existing) target's. */
  readonly bodyNamesTarget: boolean;
}

const bodyText = (b: Body): string =>
  b.k === 'none'
    ? '(none)'
    : b.k === 'json'
      ? `${b.how} ${JSON.stringify(b.label)}: ${previewJson(b.value)}`
      : `${b.how} ${JSON.stringify(b.label)}: ${JSON.stringify(b.bytes.toString('latin1').slice(0, 300))} (${b.bytes.length} bytes, latin1 view)`;

const describeCase = (c: Case): string =>
  [
    `${c.family} [${c.tags.join(', ')}]`,
    `${c.method} ${c.route.kind === 'command' ? `${c.route.prefix}${c.route.path} (${c.route.type})` : `${c.route.prefix}/:articleId`}` +
      ` target=${c.target} id=${JSON.stringify(c.id)}${c.trailingSlash ? ' +/' : ''}` +
      (c.query === undefined ? '' : ` query=${JSON.stringify(c.query)}`),
    `auth=${JSON.stringify(c.auth).slice(0, 300)} if-match=${JSON.stringify(c.ifMatch)} prefer=${JSON.stringify(c.prefer)}`,
    `content-type=${JSON.stringify(c.contentType)} chunked=${c.chunked} headers=${JSON.stringify(c.extraHeaders.map(([k, v]) => [k, v.slice(0, 60)]))}${c.bodyNamesTarget ? ' body names the target' : ''}`,
    `body=${bodyText(c.body)}`,
  ].join('\n  ');

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

const HTTP: GenOptions = SMALL;
const PLAIN: GenOptions = { size: 'small', boundary: 0 };
const VALID: Label = { kind: 'valid' };
const content = contentShapes('visible');

const TARGETS: readonly Target[] = [
  'none',
  'Draft',
  'Draft',
  'InReview',
  'InReview',
  'ChangesRequested',
  'Approved',
  'Approved',
  'Scheduled',
  'Published',
  'Published',
  'CorrectionDrafted',
  'CorrectionApproved',
  'Unpublished',
  'Retracted',
  'Discarded',
];
const anyTarget = fc.constantFrom(...TARGETS);

/** Where each command is usually accepted. */
const GOOD_TARGETS: Readonly<Record<CommandTypeName, readonly Target[]>> = {
  CreateDraft: ['none'],
  ReviseDraft: ['Draft', 'ChangesRequested'],
  SubmitForReview: ['Draft', 'ChangesRequested'],
  WithdrawSubmission: ['InReview'],
  DiscardDraft: ['Draft'],
  AssignReviewer: ['InReview'],
  RequestChanges: ['InReview'],
  ApproveArticle: ['InReview', 'CorrectionDrafted'],
  RejectArticle: ['InReview'],
  PublishArticle: ['Approved', 'Unpublished'],
  ReleaseScheduledPublication: ['Scheduled'],
  CancelSchedule: ['Scheduled'],
  CorrectArticle: ['Published'],
  PublishCorrection: ['CorrectionApproved'],
  UnpublishArticle: ['Published'],
  RetractArticle: ['Published', 'Unpublished'],
};

const targetFor = (route: Route): fc.Arbitrary<Target> =>
  route.kind === 'command'
    ? fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...GOOD_TARGETS[route.type]) },
        { weight: 1, arbitrary: anyTarget },
      )
    : anyTarget;

const shapeOf = (route: CommandRoute): Shape => requestShape(route.type, route.creates);

const json = (value: unknown, label: BodyLabel, how: string): Body => ({
  k: 'json',
  value,
  label,
  how,
});
const raw = (bytes: Buffer, label: BodyLabel, how: string): Body => ({
  k: 'raw',
  bytes,
  label,
  how,
});

const validBody = (route: CommandRoute): fc.Arbitrary<Body> =>
  validOf(shapeOf(route), HTTP).map((v) => json(v, VALID, 'valid'));

const mutatedBody = (route: CommandRoute): fc.Arbitrary<Body> =>
  mutatedOf(shapeOf(route), HTTP).map((m) => json(m.value, m.label, m.how));

const protoBody = (route: CommandRoute): fc.Arbitrary<Body> =>
  validOf(shapeOf(route), HTTP).chain(
    (v) =>
      protoMutantOf(shapeOf(route), v)?.map((m) => json(m.value, m.label, m.how)) ??
      mutatedBody(route),
  );

const invisibleBody = (route: CommandRoute): fc.Arbitrary<Body> =>
  validOf(shapeOf(route), HTTP).chain(
    (v) =>
      invisibleMutantOf(shapeOf(route), v)?.map((m) => json(m.value, m.label, m.how)) ??
      mutatedOf(shapeOf(route), HTTP).map((m) => json(m.value, m.label, m.how)),
  );

const hasContent = (route: CommandRoute): boolean =>
  route.type === 'CreateDraft' || route.type === 'ReviseDraft' || route.type === 'CorrectArticle';

/** Up to 400 list blocks of 500 invalid items (200,000 failures): 400, at most 100 errors. */
const bigListBody = (route: CommandRoute): fc.Arbitrary<Body> =>
  fc
    .tuple(
      validOf(shapeOf(route), PLAIN),
      fc.oneof(fc.integer({ min: 1, max: 400 }), fc.constantFrom(260, 300, 400)),
      fc.constantFrom<unknown>(0, '', null, ' ', '\u200b', {}, []),
      fc.boolean(),
    )
    .map(([v, blocks, bad, ordered]) => {
      const block = { kind: 'list', ordered, items: new Array(500).fill(bad) };
      const value = setAt(v, ['data', 'content', 'blocks'], new Array(blocks).fill(block));
      return json(
        value,
        { kind: 'invalid', path: 'data.content.blocks' },
        `${blocks} list blocks of 500 items ${JSON.stringify(bad)}`,
      );
    });

const junkJson = fc.oneof(
  fc.json().map((text) => {
    const parsed = JSON.parse(text) as unknown;
    const isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
    return raw(
      Buffer.from(text),
      isObject ? { kind: 'unknown' } : { kind: 'not an object' },
      'random JSON',
    );
  }),
  fc
    .dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }))
    .map((v) => json(v, { kind: 'unknown' }, 'random object')),
);

// Raw bodies --------------------------------------------------------------------------------

const MARKER = 'FUZZ\u0002MARK';

/** A valid body's JSON with the string at `path` written as `inner` (bytes between quotes). */
const withRawString = (value: unknown, path: readonly string[], inner: Buffer): Buffer => {
  const text = JSON.stringify(setAt(value, path, MARKER));
  const quoted = JSON.stringify(MARKER);
  const at = text.indexOf(quoted);
  return Buffer.concat([
    Buffer.from(text.slice(0, at)),
    Buffer.from('"'),
    inner,
    Buffer.from('"'),
    Buffer.from(text.slice(at + quoted.length)),
  ]);
};

/** The escaped JSON text of `s`, split into whole escapes and code points. */
const jsonTokens = (s: string): string[] =>
  JSON.stringify(s)
    .slice(1, -1)
    .match(/\\u[0-9a-fA-F]{4}|\\.|[\s\S]/gu) ?? [];

const BAD_UTF8: readonly (readonly [string, readonly number[]])[] = [
  ['0xFF', [0xff]],
  ['0xFE', [0xfe]],
  ['stray continuation byte', [0x80]],
  ['truncated 2-byte sequence', [0xc3]],
  ['truncated 3-byte sequence', [0xe1, 0xba]],
  ['overlong "/"', [0xc0, 0xaf]],
  ['overlong 3-byte', [0xe0, 0x80, 0xaf]],
  ['UTF-16 surrogate (CESU-8)', [0xed, 0xa0, 0x80]],
  ['past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ['5-byte form', [0xf8, 0x88, 0x80, 0x80, 0x80]],
];

const textSites = (shape: Shape, value: unknown) =>
  sitesOf(shape, value).filter(
    (s) => (s.shape.k === 'text' || s.shape.k === 'pattern') && typeof s.value === 'string',
  );

/** One string of a valid body written as raw bytes: escaped (valid), invalid UTF-8 inside it,
 *  or an escaped lone surrogate or NUL (valid JSON the codecs refuse). */
const rawStringBody = (route: CommandRoute, textOnly = false): fc.Arbitrary<Body> =>
  validOf(shapeOf(route), HTTP).chain((v) => {
    const sites = textSites(shapeOf(route), v).filter(
      (site) => !textOnly || site.shape.k === 'text',
    );
    if (sites.length === 0) {
      return fc
        .constantFrom(...BAD_UTF8)
        .map(([why, bytes]) =>
          raw(
            Buffer.concat([Buffer.from('{"x":"'), Buffer.from(bytes), Buffer.from('"}')]),
            { kind: 'bad utf-8' },
            `invalid UTF-8 (${why})`,
          ),
        );
    }
    return fc
      .tuple(fc.constantFrom(...sites), fc.nat(), fc.constantFrom(...BAD_UTF8))
      .chain(([site, at, [why, bad]]) => {
        const s = site.value as string;
        const tokens = jsonTokens(s);
        const cut = at % (tokens.length + 1);
        const path = site.path.join('.');
        const escaped = tokens
          .join('')
          .replace(
            /[\u0080-\uffff]/g,
            (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
          );
        return fc.constantFrom<Body>(
          raw(
            withRawString(v, site.path, Buffer.from(escaped)),
            VALID,
            `${path} written with \\u escapes only`,
          ),
          raw(
            withRawString(
              v,
              site.path,
              Buffer.concat([
                Buffer.from(tokens.slice(0, cut).join('')),
                Buffer.from(bad),
                Buffer.from(tokens.slice(cut).join('')),
              ]),
            ),
            { kind: 'bad utf-8' },
            `${path} holds invalid UTF-8 (${why}) at token ${cut}`,
          ),
          raw(
            withRawString(v, site.path, Buffer.from(`${tokens.join('')}\\ud800`)),
            { kind: 'invalid', path },
            `${path} ends with an escaped lone surrogate`,
          ),
          raw(
            withRawString(v, site.path, Buffer.from(`\\u0000${tokens.join('')}`)),
            { kind: 'invalid', path },
            `${path} starts with an escaped NUL`,
          ),
        );
      });
  });

const DUP_MARK = 'FUZZ\u0002DUP';

/** A valid body with one key written twice; the last one holds the valid value (JSON.parse
 *  alone would silently accept it). */
const duplicateKeyBody = (route: CommandRoute): fc.Arbitrary<Body> =>
  validOf(shapeOf(route), HTTP).chain((v) => {
    const objects = sitesOf(shapeOf(route), v).filter(
      (s) =>
        (s.shape.k === 'object' || s.shape.k === 'publisher') &&
        typeof s.value === 'object' &&
        s.value !== null &&
        Object.keys(s.value).length > 0,
    );
    if (objects.length === 0) {
      return fc.constant(
        raw(
          Buffer.from('{"data":{},"data":{}}'),
          { kind: 'duplicate', path: 'data' },
          'key data written twice',
        ),
      );
    }
    return fc
      .tuple(fc.constantFrom(...objects), fc.nat(), fc.jsonValue({ maxDepth: 1 }))
      .map(([site, at, first]) => {
        const input = site.value as Record<string, unknown>;
        const keys = Object.keys(input);
        const key = keys[at % keys.length] as string;
        const copy: Record<string, unknown> = {};
        setOwn(copy, DUP_MARK, 0);
        for (const k of keys) setOwn(copy, k, input[k]);
        const text = JSON.stringify(setAt(v, site.path, copy)).replace(
          `${JSON.stringify(DUP_MARK)}:0`,
          `${JSON.stringify(key)}:${JSON.stringify(first)}`,
        );
        const path = [...site.path, key].join('.');
        return raw(Buffer.from(text), { kind: 'duplicate', path }, `key ${path} written twice`);
      });
  });

const MALFORMED = [
  '{',
  '{"data":',
  "{'data': {}}",
  '{data: {}}',
  '{"data": {},}',
  '{"data": NaN}',
  '{"data": Infinity}',
  '{"data": undefined}',
  '/* comment */ {}',
  '{"a":1}{"b":2}',
  '{"data": "\u0001"}',
  '{"data": 01}',
  '{"data": .5}',
  '{"data": +1}',
  '{"a": "\\x"}',
  '{"a": "\\u12"}',
  '{} x',
  '{}\u0000',
  ' ',
];
const NOT_OBJECTS = ['"x"', '42', 'null', 'true', '[]', '[{}]', '""', '-0', '1e999'];

const labelOfText = (bytes: Buffer): BodyLabel => {
  if (!isUtf8(bytes)) return { kind: 'bad utf-8' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { kind: 'malformed' };
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? { kind: 'unknown' }
    : { kind: 'not an object' };
};

const malformedBody = (route: CommandRoute): fc.Arbitrary<Body> =>
  fc.oneof(
    fc
      .constantFrom(...MALFORMED)
      .map((t) => raw(Buffer.from(t), labelOfText(Buffer.from(t)), 'malformed JSON')),
    fc
      .constantFrom(...NOT_OBJECTS)
      .map((t) => raw(Buffer.from(t), { kind: 'not an object' }, 'JSON that is not an object')),
    fc.tuple(validOf(shapeOf(route), PLAIN), fc.nat()).map(([v, at]) => {
      const text = JSON.stringify(v);
      const cut = 1 + (at % Math.max(1, text.length - 1));
      const bytes = Buffer.from(text.slice(0, cut));
      return raw(bytes, labelOfText(bytes), `valid body cut at ${cut}`);
    }),
    fc
      .uint8Array({ minLength: 1, maxLength: 64 })
      .map((a) => raw(Buffer.from(a), labelOfText(Buffer.from(a)), 'random bytes')),
    validOf(shapeOf(route), PLAIN).map((v) =>
      raw(Buffer.from(`\ufeff${JSON.stringify(v)}`), { kind: 'unknown' }, 'a BOM before the JSON'),
    ),
    fc.integer({ min: 1, max: 3000 }).map((depth) => {
      const text = `{"data":${'['.repeat(depth)}${']'.repeat(depth)}}`;
      return raw(
        Buffer.from(text),
        { kind: 'invalid', path: 'data' },
        `data: arrays nested ${depth} deep`,
      );
    }),
  );

const tooLargeBody = (route: CommandRoute): fc.Arbitrary<Body> =>
  validOf(shapeOf(route), PLAIN).map((v) =>
    raw(
      Buffer.from(`${JSON.stringify(v)}${' '.repeat(BODY_LIMIT)}`),
      { kind: 'too large' },
      'over 1 MiB',
    ),
  );

const rawBody = (route: CommandRoute): fc.Arbitrary<Body> =>
  fc.oneof(
    { weight: 4, arbitrary: rawStringBody(route) },
    { weight: 3, arbitrary: duplicateKeyBody(route) },
    { weight: 3, arbitrary: malformedBody(route) },
    { weight: 1, arbitrary: tooLargeBody(route) },
  );

// Headers -----------------------------------------------------------------------------------

const printableAscii = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 24,
});

const jsonContentType: fc.Arbitrary<ContentType> = fc.constantFrom<ContentType>(
  { text: 'application/json', label: 'json' },
  { text: 'application/json', label: 'json' },
  { text: 'application/json; charset=utf-8', label: 'json' },
  { text: 'Application/JSON;charset=UTF-8', label: 'json' },
  { text: 'application/merge-patch+json', label: 'json' },
);

const anyContentType: fc.Arbitrary<ContentType> = fc.oneof(
  { weight: 2, arbitrary: jsonContentType },
  {
    weight: 3,
    arbitrary: fc.constantFrom<ContentType>(
      { text: undefined, label: 'refused' },
      { text: 'text/plain', label: 'refused' },
      { text: 'text/plain; charset=utf-8', label: 'refused' },
      { text: 'application/x-www-form-urlencoded', label: 'refused' },
      { text: 'multipart/form-data; boundary=x', label: 'refused' },
      { text: 'application/xml', label: 'refused' },
      { text: 'application/jsonx', label: 'refused' },
      { text: 'text/json', label: 'refused' },
      { text: 'application/json; charset=latin1', label: 'refused' },
      { text: 'application/json; charset=utf-16', label: 'unsure' },
      { text: 'application/json, text/plain', label: 'unsure' },
      { text: '', label: 'unsure' },
      { text: 'json', label: 'unsure' },
    ),
  },
);

/** If-Match as the service must read it: `"n"` a revision, `*` any, anything else 400; forms
 *  that a lenient reading may take as a revision are `unsure`. */
type IfMatchClass =
  | { readonly k: 'absent' }
  | { readonly k: 'star' }
  | { readonly k: 'strong'; readonly n: number }
  | { readonly k: 'bad' }
  | { readonly k: 'unsure' };

const classifyIfMatch = (text: string): IfMatchClass => {
  const t = text.trim();
  if (t === '*') return { k: 'star' };
  const strong = /^"(0|[1-9]\d{0,14})"$/.exec(t);
  if (strong !== null) return { k: 'strong', n: Number(strong[1]) };
  if (/^W\//i.test(t)) return { k: 'bad' };
  if (/^"?\d+"?$/.test(t)) return { k: 'unsure' };
  return { k: 'bad' };
};

const IF_MATCH_TEXTS = [
  '*',
  ' * ',
  'W/"0"',
  'W/"1"',
  'w/"0"',
  'W/ "0"',
  '"-1"',
  '-1',
  '0',
  '1',
  '"0',
  '0"',
  '"0", "1"',
  '"0","0"',
  '*, "0"',
  '"abc"',
  'yesterday',
  '',
  '""',
  '"1e3"',
  '"0x1"',
  '" 1"',
  '"01"',
  '"99999999999999999999"',
  '"0";q=1',
];

const ifMatchArb: fc.Arbitrary<IfMatch> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<IfMatch>({ k: 'current' }) },
  {
    weight: 2,
    arbitrary: fc
      .integer({ min: -3, max: 5 })
      .filter((d) => d !== 0)
      .map((delta): IfMatch => ({ k: 'stale', delta })),
  },
  { weight: 2, arbitrary: fc.constant<IfMatch>({ k: 'weak current' }) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(...IF_MATCH_TEXTS).map((text): IfMatch => ({ k: 'raw', text })),
  },
  { weight: 1, arbitrary: printableAscii.map((text): IfMatch => ({ k: 'raw', text })) },
  { weight: 1, arbitrary: fc.nat(12).map((n): IfMatch => ({ k: 'raw', text: `"${n}"` })) },
);

const preferArb = fc.option(
  fc.oneof(
    fc.constantFrom(
      'return=representation',
      'return=minimal',
      'RETURN=REPRESENTATION',
      'respond-async, return=representation',
      'return=representation; x=1',
      'return="representation"',
      'return=',
      'handling=strict',
      'wait=10',
    ),
    printableAscii,
  ),
  { nil: undefined },
);

const extraHeadersArb = fc.array(
  fc.constantFrom<readonly [string, string]>(
    ['x-correlation-id', '0190c0de-0000-7000-8000-0000000000c1'],
    ['x-correlation-id', 'a'.repeat(300)],
    ['x-correlation-id', 'has spaces'],
    ['x-correlation-id', 'Ä\u00ff'],
    ['accept', 'text/html'],
    ['accept', 'application/xml'],
    ['accept-language', 'vi-VN'],
    ['accept-encoding', 'gzip, br'],
    ['origin', 'https://evil.example'],
    ['cookie', 'session=x'],
    ['x-http-method-override', 'DELETE'],
    ['forwarded', 'for=1.2.3.4'],
  ),
  { maxLength: 3 },
);

const HUGE_HEADER: readonly [string, string] = ['x-pad', 'a'.repeat(20_000)];

const validAuthFor = (roles: readonly CallerRole[]): fc.Arbitrary<Auth> =>
  fc.record({
    k: fc.constant('valid' as const),
    role: fc.constantFrom(...roles),
    sub: actorIdArb,
    scheme: fc.constantFrom('Bearer', 'Bearer', 'Bearer', 'bearer', 'BEARER'),
    pad: fc.constantFrom('', '', '', '  ', '\t'),
  });

const authFor = (route: Route): fc.Arbitrary<Auth> =>
  route.kind === 'command'
    ? fc.oneof(
        { weight: 3, arbitrary: validAuthFor(allowedRoles(route.type)) },
        { weight: 1, arbitrary: validAuthFor(CALLER_ROLES) },
      )
    : validAuthFor(CALLER_ROLES);

const badAuth: fc.Arbitrary<Auth> = fc.oneof(
  fc
    .constantFrom<BadAuth>(
      'missing',
      'empty',
      'basic',
      'no scheme',
      'two tokens',
      'wrong key',
      'expired',
      'alg none',
      'HS512',
      'tampered',
      'no sub',
      'sub not a string',
      'system role',
      'system role',
      'unknown role',
      'no role',
      'role list',
    )
    .map((why): Auth => ({ k: 'bad', why, detail: '' })),
  printableAscii.map((detail): Auth => ({ k: 'bad', why: 'garbage', detail })),
  invalidPatternArb('actorId')
    .filter((s) => s !== '')
    .map((detail): Auth => ({ k: 'bad', why: 'bad sub', detail })),
  fc
    .constantFrom('a b', 'a\tb', 'x'.repeat(201), 'ả'.repeat(201), '\u200b', ' editor.b')
    .map((detail): Auth => ({ k: 'bad', why: 'bad sub', detail })),
);

// Ids and queries -----------------------------------------------------------------------------

const garbageId = fc
  .oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
    fc.uuid().map((u) => `${u}x`),
    fc.uuid().map((u) => u.replace(/-/g, '')),
    fc.uuid().map((u) => `{${u}}`),
    fc.uuid().map((u) => u.slice(0, 35)),
    fc.uuid().map((u) => ` ${u}`),
    fc.uuid().map((u) => `${u}/x`),
    fc.uuid().map((u) => u.replace(/-/g, '_')),
    fc.constantFrom(
      '..',
      '.',
      'null',
      'undefined',
      '0',
      '-1',
      '__proto__',
      'constructor',
      'not-a-uuid',
      'a'.repeat(4000),
    ),
  )
  .filter((s) => !UUID.test(s));

const BAD_PERCENT = [
  '%E0%A4%A',
  '%',
  '%zz',
  '%C0%AF',
  '%ED%A0%80',
  '%FF',
  '%E0%A4%A0%E0%A4%A',
  'a%2',
];

const idArb: fc.Arbitrary<IdVariant> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<IdVariant>({ k: 'lower' }) },
  { weight: 2, arbitrary: fc.constant<IdVariant>({ k: 'upper' }) },
  { weight: 1, arbitrary: fc.constant<IdVariant>({ k: 'mixed' }) },
  { weight: 1, arbitrary: fc.nat().map((mask): IdVariant => ({ k: 'percent-encoded', mask })) },
  { weight: 4, arbitrary: garbageId.map((decoded): IdVariant => ({ k: 'garbage', decoded })) },
  { weight: 1, arbitrary: fc.constant<IdVariant>({ k: 'empty' }) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(...BAD_PERCENT), fc.uuid(), fc.nat(2))
      .map(([bad, u, where]): IdVariant => ({
        k: 'bad percent',
        raw: where === 0 ? bad : where === 1 ? `${u}${bad}` : `${bad}${u}`,
      })),
  },
);

const INVALID_AT = [
  'yesterday',
  '2019-02-30T00:00:00Z',
  '2019-04-08T20:59:00',
  '2019-04-08 20:59:00Z',
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00+07:00',
  '9999-12-31T23:59:59-01:00',
  '+275760-09-13T00:00:00Z',
  '1',
  '',
];

const queryArb: fc.Arbitrary<Query> = fc.oneof(
  fc.nat(6).map((n): Query => ({ raw: `revision=${n}`, faults: [], revision: n })),
  fc
    .constantFrom('revision=%30', 'revision=00')
    .map((raw): Query => ({ raw, faults: [], revision: 0 })),
  fc
    .constantFrom(
      '-1',
      '1e3',
      '1.0',
      '',
      'abc',
      '%201',
      '9999999999999999',
      '0x1',
      '%EF%BC%91',
      '1%00',
      '%E0%A4%A',
      '%',
    )
    .map((v): Query => ({ raw: `revision=${v}`, faults: ['revision'] })),
  fc.constant<Query>({ raw: 'revision=1&revision=2', faults: ['revision'] }),
  fc.constant<Query>({ raw: 'revision', faults: ['revision'] }),
  isoArb({ min: 1000, max: 1999 }).map((s): Query => ({
    raw: `at=${encodeURIComponent(s)}`,
    faults: [],
    at: 'past',
  })),
  isoArb({ min: 2200, max: 9998 }).map((s): Query => ({
    raw: `at=${encodeURIComponent(s)}`,
    faults: [],
    at: 'future',
  })),
  isoArb({ min: 2, max: 9998 }).map((s): Query => ({
    raw: `at=${encodeURIComponent(s)}`,
    faults: [],
    at: 'any',
  })),
  fc
    .constantFrom(...INVALID_AT)
    .map((s): Query => ({ raw: `at=${encodeURIComponent(s)}`, faults: ['at'] })),
  fc.constant<Query>({ raw: 'at=2019-04-08T20:59:00+07:00', faults: ['at'] }),
  fc.constant<Query>({ raw: 'at=a&at=b', faults: ['at'] }),
  fc.constant<Query>({ raw: 'at=%E0%A4%A', faults: ['at'] }),
  fc.constant<Query>({ raw: 'revision=-1&at=x', faults: ['revision', 'at'] }),
  fc
    .constantFrom('foo=bar', 'revision[]=1', 'at[]=x', '', '&&', '=')
    .map((raw): Query => ({ raw, faults: [], unsure: true })),
  fc.constant<Query>({ raw: 'revision=0&at=2999-01-01T00:00:00Z', faults: [], unsure: true }),
);

// Cases -------------------------------------------------------------------------------------

interface Parts {
  readonly family: string;
  readonly route: Route;
  readonly method?: string;
  readonly target?: Target;
  readonly id?: IdVariant;
  readonly trailingSlash?: boolean;
  readonly query?: Query;
  readonly auth: Auth;
  readonly ifMatch?: IfMatch;
  readonly prefer?: string | undefined;
  readonly contentType?: ContentType;
  readonly body?: Body;
  readonly chunked?: boolean;
  readonly extraHeaders?: readonly (readonly [string, string])[];
  readonly bodyNamesTarget?: boolean;
}

const tagsOf = (c: Omit<Case, 'tags'>): string[] => {
  const tags: string[] = [];
  const b = c.body;
  if (b.k !== 'none') {
    if (b.label.kind === 'bad utf-8') tags.push('invalid UTF-8 body');
    if (b.label.kind === 'duplicate') tags.push('duplicate key');
    if (b.label.kind === 'malformed') tags.push('malformed JSON');
    if (b.label.kind === 'too large') tags.push('body over the limit');
    if (b.how.includes('"__proto__"')) tags.push('__proto__ key');
    if (/\.src: (a lone surrogate or NUL|invalid url)/.test(b.how))
      tags.push('lone surrogate or NUL in a URL');
    if (b.how.includes('publisher: own key "__proto__"')) tags.push('__proto__ in publisher');
    if (
      b.how.includes('only invisible') &&
      b.label.kind === 'invalid' &&
      b.label.path.endsWith('headline')
    )
      tags.push('invisible-only headline');
    if (/^(\d+) list blocks/.test(b.how) && Number(/^(\d+)/.exec(b.how)?.[1]) * 500 >= 130_000)
      tags.push('130,000+ invalid list items');
  }
  if (c.ifMatch.k === 'weak current' || (c.ifMatch.k === 'raw' && /^\s*W\//.test(c.ifMatch.text)))
    tags.push('weak If-Match');
  if (c.ifMatch.k === 'raw' && classifyIfMatch(c.ifMatch.text).k === 'bad')
    tags.push('bad If-Match');
  const strongIfMatch =
    c.ifMatch.k === 'current' ||
    c.ifMatch.k === 'stale' ||
    (c.ifMatch.k === 'raw' && classifyIfMatch(c.ifMatch.text).k === 'strong');
  if (strongIfMatch && c.target === 'none' && c.route.kind === 'command')
    tags.push('If-Match on a missing article');
  if (c.id.k === 'bad percent') tags.push('bad percent-encoding');
  if ((c.id.k === 'garbage' || c.id.k === 'empty') && b.k !== 'none' && b.label.kind === 'invalid')
    tags.push('bad id with a bad body');
  if (c.auth.k === 'bad' && c.auth.why === 'bad sub') tags.push('token sub unusable');
  if (c.auth.k === 'bad' && c.auth.why === 'system role') tags.push('system role token');
  if (c.target === 'none' && c.route.kind === 'view') tags.push('GET a missing article');
  if (c.target === 'none' && c.route.kind === 'command' && !c.route.creates)
    tags.push('command on a missing article');
  return tags;
};

const makeCase = (p: Parts, freshId: string, seed: unknown): Case => {
  const route = p.route;
  const base: Omit<Case, 'tags'> = {
    family: p.family,
    route,
    method: p.method ?? (route.kind === 'command' ? 'POST' : 'GET'),
    target: p.target ?? 'Draft',
    seed: seed as Record<string, unknown>,
    freshId,
    id: p.id ?? { k: 'lower' },
    trailingSlash: p.trailingSlash ?? false,
    query: p.query,
    auth: p.auth,
    ifMatch: p.ifMatch ?? { k: 'none' },
    prefer: p.prefer,
    contentType: p.contentType ?? { text: 'application/json', label: 'json' },
    body:
      p.body ??
      (route.kind === 'command'
        ? { k: 'json', value: {}, label: { kind: 'unknown' }, how: '{}' }
        : { k: 'none' }),
    chunked: p.chunked ?? false,
    extraHeaders: p.extraHeaders ?? [],
    bodyNamesTarget: p.bodyNamesTarget ?? false,
  };
  return printable({ ...base, tags: tagsOf(base) }, describeCase);
};

const caseOf = (parts: fc.Arbitrary<Parts>): fc.Arbitrary<Case> =>
  fc
    .tuple(parts, fc.noBias(fc.uuid()), validOf(content.Content, PLAIN))
    .map(([p, freshId, seed]) => makeCase(p, freshId, seed));

const commandRoute = fc.constantFrom(...COMMAND_ROUTES);
const anyRoute = fc.constantFrom<Route>(...COMMAND_ROUTES, ...VIEW_ROUTES);
const viewRoute = fc.constantFrom(...VIEW_ROUTES);
const nonCreating = fc.constantFrom(...COMMAND_ROUTES.filter((r) => !r.creates));

/** (6a) bodies that decode or not, JSON-wise well-formed. */
const bodyCases = caseOf(
  commandRoute.chain((route) =>
    fc.record({
      family: fc.constant('json bodies'),
      route: fc.constant(route),
      extraHeaders: extraHeadersArb,
      target: targetFor(route),
      id: fc.oneof(
        { weight: 4, arbitrary: fc.constant<IdVariant>({ k: 'lower' }) },
        { weight: 1, arbitrary: fc.constant<IdVariant>({ k: 'upper' }) },
      ),
      auth: authFor(route),
      prefer: preferArb,
      contentType: jsonContentType,
      body: fc.oneof(
        { weight: 5, arbitrary: mutatedBody(route) },
        { weight: 2, arbitrary: protoBody(route) },
        { weight: 2, arbitrary: invisibleBody(route) },
        {
          weight: hasContent(route) ? 2 : 0,
          arbitrary: hasContent(route) ? bigListBody(route) : validBody(route),
        },
        { weight: 2, arbitrary: validBody(route) },
        { weight: 1, arbitrary: unstorableBody(route) },
        {
          weight: hasContent(route) ? 1 : 0,
          arbitrary: hasContent(route) ? unstorableUrlBody(route) : validBody(route),
        },
        { weight: 1, arbitrary: junkJson },
      ),
      bodyNamesTarget: route.creates ? fc.boolean() : fc.constant(false),
    }),
  ),
);

/** (6b) bytes: invalid UTF-8, duplicate keys, malformed JSON, too large, wrong content types. */
const rawCases = caseOf(
  commandRoute.chain((route) =>
    fc.record({
      family: fc.constant('raw bodies'),
      route: fc.constant(route),
      target: targetFor(route),
      auth: authFor(route),
      contentType: fc.oneof(
        { weight: 4, arbitrary: jsonContentType },
        { weight: 1, arbitrary: anyContentType },
      ),
      body: fc.oneof(
        { weight: 5, arbitrary: rawBody(route) },
        { weight: 1, arbitrary: validBody(route) },
      ),
      chunked: fc.boolean(),
      extraHeaders: fc.oneof(
        { weight: 8, arbitrary: fc.constant<(readonly [string, string])[]>([]) },
        {
          weight: 1,
          arbitrary: fc.constantFrom<(readonly [string, string])[]>(
            [['content-encoding', 'x-custom']],
            [['content-encoding', 'identity']],
            [HUGE_HEADER],
          ),
        },
      ),
    }),
  ),
);

/** Wrong content types with good bodies. */
const contentTypeCases = caseOf(
  commandRoute.chain((route) =>
    fc.record({
      family: fc.constant('content types'),
      route: fc.constant(route),
      target: targetFor(route),
      auth: authFor(route),
      contentType: anyContentType,
      body: validBody(route),
      chunked: fc.boolean(),
    }),
  ),
);

/** (6c) If-Match. */
const ifMatchCases = caseOf(
  commandRoute.chain((route) =>
    fc.record({
      family: fc.constant('If-Match'),
      route: fc.constant(route),
      target: fc.oneof(
        { weight: 4, arbitrary: targetFor(route) },
        { weight: 1, arbitrary: fc.constant<Target>('none') },
      ),
      auth: validAuthFor(allowedRoles(route.type)),
      ifMatch: ifMatchArb,
      prefer: preferArb,
      body: validBody(route),
    }),
  ),
);

/** (6d) tokens. */
const authCases = caseOf(
  anyRoute.chain((route) =>
    fc.record({
      family: fc.constant('tokens'),
      route: fc.constant(route),
      target: route.kind === 'command' ? targetFor(route) : anyTarget,
      auth: fc.oneof({ weight: 3, arbitrary: badAuth }, { weight: 1, arbitrary: authFor(route) }),
      body: route.kind === 'command' ? validBody(route) : fc.constant<Body>({ k: 'none' }),
    }),
  ),
);

/** (6e) path ids (and methods), with good and bad bodies. */
const idCases = caseOf(
  fc.oneof(nonCreating as fc.Arbitrary<Route>, viewRoute as fc.Arbitrary<Route>).chain((route) =>
    fc.record({
      family: fc.constant('path ids'),
      route: fc.constant(route),
      method: fc.oneof(
        { weight: 8, arbitrary: fc.constant(route.kind === 'command' ? 'POST' : 'GET') },
        { weight: 1, arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH') },
      ),
      target: fc.constantFrom<Target>('none', 'Draft', 'InReview', 'Published'),
      id: idArb,
      trailingSlash: fc.boolean(),
      auth: authFor(route),
      body:
        route.kind === 'command'
          ? fc.oneof(validBody(route), mutatedBody(route), junkJson)
          : fc.constant<Body>({ k: 'none' }),
    }),
  ),
);

/** (6f) views with queries. */
const queryCases = caseOf(
  viewRoute.chain((route) =>
    fc.record({
      family: fc.constant('queries'),
      route: fc.constant(route),
      target: anyTarget,
      id: fc.constantFrom<IdVariant>({ k: 'lower' }, { k: 'upper' }),
      query: queryArb,
      auth: validAuthFor(CALLER_ROLES),
    }),
  ),
);

/** (4) commands likely to be accepted, some sent as raw bytes. */
const contentRoute = fc.constantFrom(...COMMAND_ROUTES.filter(hasContent));

const acceptedCases = caseOf(
  fc.oneof(commandRoute, contentRoute).chain((route) =>
    fc.record({
      family: fc.constant('accepted commands'),
      route: fc.constant(route),
      extraHeaders: extraHeadersArb,
      target: fc.constantFrom(...GOOD_TARGETS[route.type]),
      id: fc.constantFrom<IdVariant>(
        { k: 'lower' },
        { k: 'upper' },
        { k: 'percent-encoded', mask: 0x5555 },
      ),
      auth: validAuthFor(allowedRoles(route.type)),
      prefer: preferArb,
      contentType: jsonContentType,
      body: fc.oneof(
        { weight: 4, arbitrary: validBody(route) },
        { weight: 2, arbitrary: mutatedBody(route) },
        { weight: 4, arbitrary: rawStringBody(route, true) },
        { weight: 1, arbitrary: duplicateKeyBody(route) },
        { weight: 2, arbitrary: protoBody(route) },
      ),
    }),
  ),
);

const unstorableBody = (route: CommandRoute): fc.Arbitrary<Body> =>
  validOf(shapeOf(route), HTTP).chain(
    (v) =>
      unstorableMutantOf(shapeOf(route), v)?.map((m) => json(m.value, m.label, m.how)) ??
      mutatedBody(route),
  );

/** An image block whose src holds a lone surrogate or NUL (a URL parser takes both). */
const unstorableUrlBody = (route: CommandRoute): fc.Arbitrary<Body> =>
  fc
    .tuple(
      validOf(shapeOf(route), PLAIN),
      fc.constantFrom('https://example.org/a.jpg', 'http://127.0.0.1/x?y=1'),
      fc.constantFrom('\u0000', '\ud800', '\udc00', '\udbff'),
    )
    .map(([v, url, bad]) => {
      const blocks = (v as { data: { content: { blocks: unknown[] } } }).data.content.blocks;
      const src = `${url}${bad}`;
      const value = setAt(v, ['data', 'content', 'blocks', String(blocks.length)], {
        kind: 'image',
        caption: 'Ảnh',
        src,
      });
      return json(
        value,
        { kind: 'invalid', path: `data.content.blocks.${blocks.length}.src` },
        `data.content.blocks.${blocks.length}.src: a lone surrogate or NUL: ${JSON.stringify(src)}`,
      );
    });

const writerRoute = fc.constantFrom(
  ...COMMAND_ROUTES.filter((r) => allowedRoles(r.type).includes('reporter')),
);

/** Inputs that once made a 5xx: 130,000+ invalid items, a lone surrogate or NUL in any field
 *  (a URL included), a token whose subject the records cannot hold on a command it may send,
 *  deep nesting, huge headers. */
const hostileCases = caseOf(
  fc.oneof(
    contentRoute.chain((route) =>
      fc.record({
        family: fc.constant('hostile: invalid items'),
        route: fc.constant(route),
        target: fc.constantFrom(...GOOD_TARGETS[route.type]),
        auth: validAuthFor(allowedRoles(route.type)),
        body: bigListBody(route),
      }),
    ),
    fc.oneof(commandRoute, contentRoute).chain((route) =>
      fc.record({
        family: fc.constant('hostile: unstorable text'),
        route: fc.constant(route),
        target: fc.constantFrom(...GOOD_TARGETS[route.type]),
        auth: validAuthFor(allowedRoles(route.type)),
        body: unstorableBody(route),
      }),
    ),
    contentRoute.chain((route) =>
      fc.record({
        family: fc.constant('hostile: unstorable URL'),
        route: fc.constant(route),
        target: fc.constantFrom(...GOOD_TARGETS[route.type]),
        auth: validAuthFor(allowedRoles(route.type)),
        body: unstorableUrlBody(route),
      }),
    ),
    writerRoute.chain((route) =>
      fc.record({
        family: fc.constant('hostile: token subject'),
        route: fc.constant(route),
        target: fc.constantFrom(...GOOD_TARGETS[route.type]),
        auth: badAuth.filter((a) => a.k === 'bad' && a.why === 'bad sub'),
        body: validBody(route),
      }),
    ),
    commandRoute.chain((route) =>
      fc.record({
        family: fc.constant('hostile: bytes'),
        route: fc.constant(route),
        target: targetFor(route),
        auth: authFor(route),
        body: fc.oneof(malformedBody(route), mutatedBody(route)),
        extraHeaders: fc.oneof(
          fc.constant<(readonly [string, string])[]>([]),
          fc.constant<(readonly [string, string])[]>([HUGE_HEADER]),
        ),
      }),
    ),
  ),
);

/** Good requests on articles that do not exist: GET and every command. */
const missingCases = caseOf(
  anyRoute.chain((route) =>
    fc.record({
      family: fc.constant('missing articles'),
      route: fc.constant(route),
      target: fc.constant<Target>('none'),
      id: fc.constantFrom<IdVariant>({ k: 'lower' }, { k: 'upper' }),
      auth: route.kind === 'command' ? validAuthFor(allowedRoles(route.type)) : authFor(route),
      body: route.kind === 'command' ? validBody(route) : fc.constant<Body>({ k: 'none' }),
    }),
  ),
);

const allCases = fc.oneof(
  hostileCases,
  missingCases,
  bodyCases,
  rawCases,
  contentTypeCases,
  ifMatchCases,
  authCases,
  idCases,
  queryCases,
  acceptedCases,
);
const commandCases = fc.oneof(
  bodyCases,
  rawCases,
  contentTypeCases,
  ifMatchCases,
  authCases,
  idCases,
  acceptedCases,
);

// ---------------------------------------------------------------------------------------------
// Sending
// ---------------------------------------------------------------------------------------------

interface Answer {
  readonly request: string;
  /** 0: no answer at all. */
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  readonly json: unknown;
  readonly error?: string;
}

interface Stats {
  requests: number;
  status5xx: number;
}

interface Ctx {
  readonly kind: StoreKind;
  readonly sys: TestSystem;
  readonly agent: http.Agent;
  readonly stats: Stats;
}

interface Outgoing {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
  readonly chunked?: boolean;
}

const sendOnce = (ctx: Ctx, out: Outgoing): Promise<Answer & { reused: boolean }> =>
  new Promise((resolve) => {
    const url = new URL(ctx.sys.url);
    const headers: Record<string, string> = { ...out.headers };
    if (out.body !== undefined && !out.chunked) headers['content-length'] = String(out.body.length);
    if (out.body === undefined && out.method !== 'GET') headers['content-length'] = '0';
    const request = `${out.method} ${out.path.slice(0, 200)}`;
    let req: http.ClientRequest;
    try {
      req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: out.method,
          path: out.path,
          headers,
          agent: ctx.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = undefined;
            if (/json/.test(String(res.headers['content-type'] ?? ''))) {
              try {
                parsed = JSON.parse(text);
              } catch {
                parsed = undefined;
              }
            }
            resolve({
              request,
              status: res.statusCode ?? 0,
              headers: res.headers,
              text,
              json: parsed,
              reused: req.reusedSocket,
            });
          });
          res.on('error', (error) =>
            resolve({
              request,
              status: 0,
              headers: {},
              text: '',
              json: undefined,
              error: String(error),
              reused: req.reusedSocket,
            }),
          );
        },
      );
    } catch (error) {
      throw new Error(`the fuzz test could not send ${request}: ${String(error)}`);
    }
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({
        request,
        status: 0,
        headers: {},
        text: '',
        json: undefined,
        error: `${error.code ?? ''} ${String(error)}`,
        reused: req.reusedSocket,
      }),
    );
    if (out.body === undefined) req.end();
    else if (out.chunked) {
      const half = Math.floor(out.body.length / 2);
      req.write(out.body.subarray(0, half));
      req.end(out.body.subarray(half));
    } else req.end(out.body);
  });

const send = async (ctx: Ctx, out: Outgoing, answers: Answer[]): Promise<Answer> => {
  ctx.stats.requests++;
  let answer = await sendOnce(ctx, out);
  // A keep-alive socket the server closed just as it was reused: not the server's answer.
  if (
    answer.status === 0 &&
    answer.reused &&
    /ECONNRESET|socket hang up/.test(answer.error ?? '')
  ) {
    answer = await sendOnce(ctx, out);
  }
  if (answer.status >= 500) ctx.stats.status5xx++;
  answers.push(answer);
  return answer;
};

// Tokens --------------------------------------------------------------------------------------

const tokens = new Map<string, Promise<string>>();
const WRONG_KEY = 'f'.repeat(64);

const signed = (
  secret: string,
  claims: Record<string, unknown>,
  options: {
    readonly exp?: number | string;
    readonly alg?: 'HS256' | 'HS512';
    readonly key?: string;
  } = {},
): Promise<string> => {
  const cacheKey = JSON.stringify([secret, claims, options]);
  let token = tokens.get(cacheKey);
  if (token === undefined) {
    token = new SignJWT(claims as JWTPayload)
      .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '2h')
      .sign(new TextEncoder().encode(options.key ?? secret));
    tokens.set(cacheKey, token);
  }
  return token;
};

const authorization = async (sys: TestSystem, auth: Auth): Promise<string | undefined> => {
  const secret = sys.secret;
  if (auth.k === 'valid') {
    return `${auth.scheme} ${await signed(secret, { role: auth.role, sub: auth.sub })}${auth.pad}`;
  }
  const good = () => signed(secret, { role: 'editor', sub: 'fuzz.editor' });
  switch (auth.why) {
    case 'missing':
      return undefined;
    case 'empty':
      return '';
    case 'basic':
      return `Basic ${Buffer.from('editor:secret').toString('base64')}`;
    case 'no scheme':
      return await good();
    case 'garbage':
      return `Bearer ${auth.detail}`;
    case 'two tokens':
      return `Bearer ${await good()} ${await good()}`;
    case 'wrong key':
      return `Bearer ${await signed(secret, { role: 'editor', sub: 'fuzz.editor' }, { key: WRONG_KEY })}`;
    case 'expired':
      return `Bearer ${await signed(secret, { role: 'editor', sub: 'fuzz.editor' }, { exp: Math.floor(Date.now() / 1000) - 60 })}`;
    case 'alg none':
      return `Bearer ${new UnsecuredJWT({ role: 'admin', sub: 'fuzz.admin' }).setIssuedAt().setExpirationTime('2h').encode()}`;
    case 'HS512':
      return `Bearer ${await signed(secret, { role: 'editor', sub: 'fuzz.editor' }, { alg: 'HS512' })}`;
    case 'tampered': {
      const [h, , s] = (await good()).split('.');
      const payload = Buffer.from(
        JSON.stringify({ role: 'admin', sub: 'fuzz.editor', exp: 4e9 }),
      ).toString('base64url');
      return `Bearer ${h}.${payload}.${s}`;
    }
    case 'no sub':
      return `Bearer ${await signed(secret, { role: 'editor' })}`;
    case 'bad sub':
      return `Bearer ${await signed(secret, { role: 'reporter', sub: auth.detail })}`;
    case 'sub not a string':
      return `Bearer ${await signed(secret, { role: 'editor', sub: 42 })}`;
    case 'system role':
      return `Bearer ${await signed(secret, { role: 'system', sub: 'scheduler' })}`;
    case 'unknown role':
      return `Bearer ${await signed(secret, { role: 'root', sub: 'fuzz.root' })}`;
    case 'no role':
      return `Bearer ${await signed(secret, { sub: 'fuzz.nobody' })}`;
    case 'role list':
      return `Bearer ${await signed(secret, { role: ['admin'], sub: 'fuzz.admin' })}`;
  }
};

// Arranging an article ----------------------------------------------------------------------

const ACTORS = {
  reporter: { role: 'reporter', sub: 'fuzz.reporter' },
  editor: { role: 'editor', sub: 'fuzz.editor' },
  publisher: { role: 'publisher', sub: 'fuzz.publisher' },
} as const;

interface Step {
  readonly name: string;
  readonly path: (id: string) => string;
  readonly as: keyof typeof ACTORS;
  readonly body: (content: Record<string, unknown>, id: string) => unknown;
}

const step = (
  name: string,
  path: (id: string) => string,
  as: keyof typeof ACTORS,
  body: Step['body'] = () => ({}),
): Step => ({ name, path, as, body });
const CREATE = step(
  'create',
  () => '/v1/drafts',
  'reporter',
  (content, id) => ({ articleId: id, data: { content } }),
);
const SUBMIT = step('submit', (id) => `/v1/drafts/${id}/submit`, 'reporter');
const DISCARD = step('discard', (id) => `/v1/drafts/${id}/discard`, 'reporter');
const REQUEST_CHANGES = step(
  'request changes',
  (id) => `/v1/reviews/${id}/request-changes`,
  'editor',
  () => ({ data: { comments: [{ text: 'Sửa đoạn 1', blockIndex: 0 }] } }),
);
const APPROVE = step('approve', (id) => `/v1/reviews/${id}/approve`, 'editor');
const PUBLISH_NOW = step(
  'publish',
  (id) => `/v1/publications/${id}/publish`,
  'publisher',
  () => ({ data: { mode: 'now' } }),
);
const PUBLISH_LATER = step(
  'schedule',
  (id) => `/v1/publications/${id}/publish`,
  'publisher',
  () => ({ data: { mode: 'scheduled', at: '2999-01-01T08:00:00+07:00' } }),
);
const CORRECT = step(
  'correct',
  (id) => `/v1/publications/${id}/corrections`,
  'reporter',
  (content) => ({
    data: { notice: 'Đính chính.', content: { ...content, summary: 'Bản đính chính của bài.' } },
  }),
);
const UNPUBLISH = step(
  'unpublish',
  (id) => `/v1/publications/${id}/unpublish`,
  'publisher',
  () => ({ data: { reason: 'tạm gỡ' } }),
);
const RETRACT = step(
  'retract',
  (id) => `/v1/publications/${id}/retract`,
  'publisher',
  () => ({ data: { reason: 'sai', notice: 'Bài viết bị thu hồi.' } }),
);

const APPROVED = [CREATE, SUBMIT, APPROVE];
const PUBLISHED = [...APPROVED, PUBLISH_NOW];
const STEPS: Readonly<Record<Exclude<Target, 'none'>, readonly Step[]>> = {
  Draft: [CREATE],
  InReview: [CREATE, SUBMIT],
  ChangesRequested: [CREATE, SUBMIT, REQUEST_CHANGES],
  Approved: APPROVED,
  Scheduled: [...APPROVED, PUBLISH_LATER],
  Published: PUBLISHED,
  CorrectionDrafted: [...PUBLISHED, CORRECT],
  CorrectionApproved: [...PUBLISHED, CORRECT, APPROVE],
  Unpublished: [...PUBLISHED, UNPUBLISH],
  Retracted: [...PUBLISHED, RETRACT],
  Discarded: [CREATE, DISCARD],
};

const postJson = async (
  ctx: Ctx,
  path: string,
  as: { role: string; sub: string },
  body: unknown,
  answers: Answer[],
): Promise<Answer> =>
  send(
    ctx,
    {
      method: 'POST',
      path,
      headers: {
        authorization: `Bearer ${await signed(ctx.sys.secret, { role: as.role, sub: as.sub })}`,
        'content-type': 'application/json',
      },
      body: Buffer.from(JSON.stringify(body)),
    },
    answers,
  );

const arrange = async (ctx: Ctx, c: Case, answers: Answer[]): Promise<string> => {
  if (c.target === 'none') return c.freshId;
  const id = randomUUID();
  for (const s of STEPS[c.target]) {
    const answer = await postJson(ctx, s.path(id), ACTORS[s.as], s.body(c.seed, id), answers);
    if (answer.status < 200 || answer.status >= 300) {
      throw new Error(
        `arranging ${c.target}: ${s.name} answered ${answer.status} ${answer.text.slice(0, 500)}`,
      );
    }
  }
  return id;
};

const get = async (ctx: Ctx, path: string, answers: Answer[]): Promise<Answer> =>
  send(
    ctx,
    {
      method: 'GET',
      path,
      headers: { authorization: `Bearer ${await signed(ctx.sys.secret, ACTORS.reporter)}` },
    },
    answers,
  );

// Performing a case -------------------------------------------------------------------------

const encodeSegment = (s: string): string =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

const segmentOf = (id: IdVariant, articleId: string): string => {
  switch (id.k) {
    case 'lower':
      return articleId;
    case 'upper':
      return articleId.toUpperCase();
    case 'mixed':
      return [...articleId].map((ch, i) => (i % 2 === 0 ? ch.toUpperCase() : ch)).join('');
    case 'percent-encoded':
      return [...articleId]
        .map((ch, i) => ((id.mask >> (i % 30)) & 1 ? `%${ch.charCodeAt(0).toString(16)}` : ch))
        .join('');
    case 'garbage':
      return encodeSegment(id.decoded);
    case 'empty':
      return '';
    case 'bad percent':
      return id.raw;
  }
};

/** The id the path names, when it names a uuid (after percent-decoding). */
const pathArticleId = (id: IdVariant, articleId: string): string | undefined =>
  id.k === 'garbage' || id.k === 'empty' || id.k === 'bad percent'
    ? undefined
    : articleId.toLowerCase();

interface Run {
  readonly c: Case;
  readonly answer: Answer;
  /** Every answer of the run: arranging, the request, reading back. */
  readonly answers: Answer[];
  readonly articleId: string;
  readonly exists: boolean;
  /** The target's revision before the request (-1: no stream). */
  readonly current: number;
  /** The If-Match header sent, if any. */
  readonly ifMatchText: string | undefined;
  readonly sent: Buffer | undefined;
  readonly label: BodyLabel | undefined;
  readonly before: ReadonlyMap<string, number>;
  readonly after: ReadonlyMap<string, number>;
}

/** The If-Match header of a case, given the target's revision (-1: none). */
const ifMatchTextOf = (ifMatch: IfMatch, current: number): string | undefined => {
  switch (ifMatch.k) {
    case 'none':
      return undefined;
    case 'current':
      return `"${Math.max(0, current)}"`;
    case 'stale':
      return `"${Math.max(0, current + ifMatch.delta)}"`;
    case 'weak current':
      return `W/"${Math.max(0, current)}"`;
    case 'raw':
      return ifMatch.text;
  }
};

const classOf = (text: string | undefined): IfMatchClass =>
  text === undefined ? { k: 'absent' } : classifyIfMatch(text);

const streamLength = async (ctx: Ctx, id: string): Promise<number> =>
  (await ctx.sys.store.readStream(`article-${id}`)).length;

const parsedBody = (bytes: Buffer | undefined): unknown => {
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
};

/** The streams a command could write to. */
const watchedStreams = (c: Case, articleId: string, sent: Buffer | undefined): string[] => {
  if (c.route.kind !== 'command') return [];
  if (!c.route.creates) {
    const id = pathArticleId(c.id, articleId);
    return id === undefined ? [] : [id];
  }
  const body = parsedBody(sent) as { articleId?: unknown; commandId?: unknown } | undefined;
  const ids: string[] = [];
  if (typeof body?.articleId === 'string' && UUID.test(body.articleId))
    ids.push(body.articleId.toLowerCase());
  else if (typeof body?.commandId === 'string' && UUID.test(body.commandId))
    ids.push(eventIdFor(body.commandId.toLowerCase(), 'stream'));
  return ids;
};

const perform = async (ctx: Ctx, c: Case): Promise<Run> => {
  const answers: Answer[] = [];
  const articleId = await arrange(ctx, c, answers);
  const segment = segmentOf(c.id, articleId);
  const route = c.route;
  let path =
    route.kind === 'command'
      ? route.creates
        ? `${route.prefix}${c.trailingSlash ? '/' : ''}`
        : `${route.prefix}${route.path.replace(':articleId', segment)}${c.trailingSlash ? '/' : ''}`
      : `${route.prefix}/${segment}${c.trailingSlash ? '/' : ''}`;
  if (c.query !== undefined) path += `?${c.query.raw}`;

  let sent: Buffer | undefined;
  let label: BodyLabel | undefined;
  if (c.body.k === 'json') {
    let value = c.body.value;
    if (
      c.bodyNamesTarget &&
      c.target !== 'none' &&
      // A mutation of articleId itself is what this request tests: naming the target would
      // replace it with a valid id.
      !(c.body.label.kind === 'invalid' && c.body.label.path === 'articleId') &&
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value)
    ) {
      value = setAt(value, ['articleId'], articleId);
    }
    sent = Buffer.from(JSON.stringify(value));
    label =
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? c.body.label
        : { kind: 'not an object' };
  } else if (c.body.k === 'raw') {
    sent = c.body.bytes;
    label = c.body.label;
  }
  if (sent !== undefined && sent.length > BODY_LIMIT) label = { kind: 'too large' };

  const watched = watchedStreams(c, articleId, sent);
  const before = new Map<string, number>();
  for (const id of watched) before.set(id, await streamLength(ctx, id));
  // From the stream, not the target: a generated id may name an article made earlier.
  const current = (await streamLength(ctx, articleId)) - 1;

  const headers: Record<string, string> = {};
  const auth = await authorization(ctx.sys, c.auth);
  if (auth !== undefined) headers['authorization'] = auth;
  const ifMatchText = ifMatchTextOf(c.ifMatch, current);
  if (ifMatchText !== undefined) headers['if-match'] = ifMatchText;
  if (c.prefer !== undefined) headers['prefer'] = c.prefer;
  if (sent !== undefined && c.contentType.text !== undefined)
    headers['content-type'] = c.contentType.text;
  for (const [k, v] of c.extraHeaders) headers[k] = v;

  const answer = await send(
    ctx,
    {
      method: c.method,
      path,
      headers,
      ...(sent === undefined ? {} : { body: sent }),
      chunked: c.chunked,
    },
    answers,
  );
  const after = new Map<string, number>();
  for (const id of watched) after.set(id, await streamLength(ctx, id));
  return {
    c,
    answer,
    answers,
    articleId,
    exists: current >= 0,
    current,
    ifMatchText,
    sent,
    label,
    before,
    after,
  };
};

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const show = (a: Answer): string =>
  `${a.request} -> ${a.status} ${JSON.stringify(a.headers['content-type'] ?? '')} ${a.text.slice(0, 600)}`;

/** (1) */
const noServerError = (a: Answer): void => {
  if (a.status === 0) expect.fail(`(1) no answer to ${a.request}: ${a.error}`);
  expect(a.status, `(1) ${show(a)}`).toBeLessThan(500);
};

/** (2) */
const problemShaped = (a: Answer): void => {
  if (a.status < 400 || a.status >= 500) return;
  expect(String(a.headers['content-type'] ?? ''), `(2) content type of ${show(a)}`).toMatch(
    /^application\/problem\+json\b/,
  );
  const body = a.json as Record<string, unknown> | undefined;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    expect.fail(`(2) not a JSON object: ${show(a)}`);
  expect(typeof body['type'] === 'string' && body['type'] !== '', `(2) a type: ${show(a)}`).toBe(
    true,
  );
  expect(typeof body['title'] === 'string' && body['title'] !== '', `(2) a title: ${show(a)}`).toBe(
    true,
  );
  expect(body['status'], `(2) status equal to the HTTP status: ${show(a)}`).toBe(a.status);
  const decoded = ProblemDetails.decode(body);
  if (E.isLeft(decoded)) expect.fail(`(2) not readable by the ProblemDetails codec: ${show(a)}`);
  if (a.status === 400) {
    const errors = body['errors'];
    if (!Array.isArray(errors) || errors.length === 0)
      expect.fail(`(2) a 400 without errors[]: ${show(a)}`);
    for (const e of errors as unknown[]) {
      const fe = e as { path?: unknown; message?: unknown };
      expect(
        typeof fe.path === 'string' && typeof fe.message === 'string' && fe.message !== '',
        `(2) errors are {path, message}: ${show(a)}`,
      ).toBe(true);
    }
    // Intended cap (being added now): at most 100 errors in one answer.
    expect(errors.length, `(2) at most 100 errors: ${a.request}`).toBeLessThanOrEqual(MAX_ERRORS);
  }
};

/** (5) type -> [title, where first seen], across both stores and every property. */
const titles = new Map<string, { title: string; seen: string }>();
const oneTitlePerType = (a: Answer): void => {
  if (a.status < 400) return;
  const body = a.json as { type?: unknown; title?: unknown } | undefined;
  if (typeof body?.type !== 'string' || typeof body.title !== 'string') return;
  const known = titles.get(body.type);
  if (known === undefined) {
    titles.set(body.type, { title: body.title, seen: show(a) });
    return;
  }
  expect(
    body.title,
    `(5) type ${body.type} was titled ${JSON.stringify(known.title)} in ${known.seen}\n now ${show(a)}`,
  ).toBe(known.title);
};

/** Every problem type seen with another title than its first: for (5), whichever property
 *  the answers came from. */
const titleConflicts: string[] = [];

/** Remembers the title of a problem type, for (5). */
const recordTitle = (a: Answer): void => {
  const body = a.json as { type?: unknown; title?: unknown } | undefined;
  if (a.status < 400 || typeof body?.type !== 'string' || typeof body.title !== 'string') return;
  const known = titles.get(body.type);
  if (known === undefined) titles.set(body.type, { title: body.title, seen: show(a) });
  else if (known.title !== body.title && titleConflicts.length < 10) {
    titleConflicts.push(
      `type ${body.type}: ${JSON.stringify(known.title)} in ${known.seen}\n  and ${JSON.stringify(body.title)} in ${show(a)}`,
    );
  }
};

/** GET an article a command was accepted on (a stored event must stay readable). */
const readBackAccepted = async (ctx: Ctx, run: Run): Promise<void> => {
  if (run.c.route.kind !== 'command' || run.answer.status < 200 || run.answer.status >= 300) return;
  const id = (run.answer.json as { articleId?: unknown } | undefined)?.articleId;
  if (typeof id === 'string' && UUID.test(id)) await get(ctx, `/v1/drafts/${id}`, run.answers);
};

/** (3) */
const refusedChangesNothing = (run: Run): void => {
  const { answer } = run;
  if (answer.status >= 200 && answer.status < 300) return;
  for (const [id, length] of run.before) {
    expect(
      run.after.get(id),
      `(3) article-${id} had ${length} events before the refused ${show(answer)}`,
    ).toBe(length);
  }
};

/** (4) */
const acceptedReadsBack = async (ctx: Ctx, run: Run): Promise<void> => {
  const { c, answer } = run;
  if (c.route.kind !== 'command' || answer.status < 200 || answer.status >= 300) return;
  const reply = answer.json as
    | {
        articleId?: unknown;
        revision?: unknown;
        events?: unknown;
        replayed?: unknown;
        article?: unknown;
      }
    | undefined;
  expect(
    typeof reply?.articleId === 'string' && UUID.test(reply.articleId),
    `(4) the answer names the article: ${show(answer)}`,
  ).toBe(true);
  const articleId = reply?.articleId as string;
  if (reply?.replayed === true || !Array.isArray(reply?.events) || reply.events.length === 0)
    return;
  const sent = parsedBody(run.sent);
  if (sent === undefined)
    expect.fail(`(4) accepted a body that is not well-formed UTF-8 JSON: ${show(answer)}`);
  const expected = expectDecoded(shapeOf(c.route), sent) as { data: Record<string, unknown> };
  const read = await get(ctx, `/v1/drafts/${articleId}`, run.answers);
  expect(read.status, `(4) read back: ${show(read)}`).toBe(200);
  const readBody = read.json as { revision?: unknown; article?: Record<string, unknown> };
  expect(readBody.revision, `(4) read back at the answer's revision`).toBe(reply?.revision);
  const views: [string, Record<string, unknown>][] = [['GET', readBody.article ?? {}]];
  if (typeof reply?.article === 'object' && reply.article !== null)
    views.push(['the answer', reply.article as Record<string, unknown>]);
  const events = await ctx.sys.store.readStream(`article-${articleId}`);
  const last = events[events.length - 1]?.data as Record<string, unknown> | undefined;
  const data = expected.data;
  for (const [where, article] of views) {
    switch (c.route.type) {
      case 'CreateDraft':
      case 'ReviseDraft':
        expect(textBytes(article['content']), `(4) content from ${where}`).toEqual(
          textBytes(data['content']),
        );
        break;
      case 'CorrectArticle': {
        const correction = article['correction'] as Record<string, unknown> | null;
        expect(textBytes(correction?.['content']), `(4) correction content from ${where}`).toEqual(
          textBytes(data['content']),
        );
        expect(correction?.['notice'], `(4) correction notice from ${where}`).toBe(data['notice']);
        break;
      }
      case 'AssignReviewer':
        expect(textBytes(article['reviewerId']), `(4) reviewer from ${where}`).toEqual(
          textBytes(data['reviewerId']),
        );
        break;
      case 'RetractArticle': {
        const retraction = article['retraction'] as Record<string, unknown> | null;
        expect(
          textBytes([retraction?.['reason'], retraction?.['notice']]),
          `(4) retraction from ${where}`,
        ).toEqual(textBytes([data['reason'], data['notice']]));
        break;
      }
      default:
        break;
    }
  }
  if (
    c.route.type === 'CreateDraft' ||
    c.route.type === 'ReviseDraft' ||
    c.route.type === 'CorrectArticle'
  ) {
    expect(textBytes(last?.['content']), '(4) content of the stored event').toEqual(
      textBytes(data['content']),
    );
  }
};

interface Expectation {
  readonly status: readonly number[];
  readonly path?: string;
  readonly paths?: readonly string[];
  readonly why: string;
}

const methodOk = (c: Case): boolean => c.method === (c.route.kind === 'command' ? 'POST' : 'GET');

/** What the request must be answered, when the case pins it down. */
const expectationOf = (run: Run): Expectation | undefined => {
  const { c, label } = run;
  if (c.extraHeaders.some(([k]) => k === HUGE_HEADER[0]))
    return { status: [431], why: 'headers over the limit' };
  const command = c.route.kind === 'command';
  const transport: Expectation[] = [];
  if (command && run.sent !== undefined) {
    if (c.contentType.label === 'refused')
      transport.push({ status: [415], why: 'not a JSON content type' });
    if (c.contentType.label === 'unsure') return undefined;
    if (c.extraHeaders.some(([k, v]) => k === 'content-encoding' && v === 'x-custom'))
      transport.push({ status: [415], why: 'unknown content encoding' });
    if (label?.kind === 'malformed') transport.push({ status: [400], why: 'malformed JSON' });
    if (label?.kind === 'bad utf-8') transport.push({ status: [400], why: 'invalid UTF-8' });
    if (label?.kind === 'too large') transport.push({ status: [413], why: 'over the body limit' });
    if (label?.kind === 'duplicate')
      transport.push({ status: [400], path: label.path, why: 'a key written twice' });
    // The parser may refuse it (strict JSON) before routing, or the codec after: either 400.
    if (label?.kind === 'not an object')
      transport.push({ status: [400], why: 'JSON that is not an object' });
  }
  const auth: Expectation | undefined =
    c.auth.k === 'bad'
      ? { status: [401], why: `token: ${c.auth.why} ${JSON.stringify(c.auth.detail)}` }
      : undefined;
  const id: Expectation | undefined =
    c.id.k === 'garbage' || c.id.k === 'empty'
      ? { status: [404], why: 'the path id is not a uuid' }
      : c.id.k === 'bad percent'
        ? { status: [400, 404], why: 'bad percent-encoding in the path' }
        : undefined;
  const ifMatch: Expectation | undefined =
    command && classOf(run.ifMatchText).k === 'bad'
      ? { status: [400], why: `If-Match ${JSON.stringify(run.ifMatchText)}` }
      : undefined;
  const body: Expectation | undefined =
    command && label?.kind === 'invalid'
      ? { status: [400], path: label.path, why: 'the body does not decode' }
      : undefined;
  const query: Expectation | undefined =
    !command && c.query !== undefined && c.query.faults.length > 0
      ? { status: [400], paths: c.query.faults, why: 'bad query' }
      : undefined;
  const method: Expectation | undefined = methodOk(c)
    ? undefined
    : { status: [404, 405], why: `${c.method} is not served there` };

  if (transport.length > 0) {
    const others = [auth, id, ifMatch, method].filter((x) => x !== undefined);
    return transport.length === 1 &&
      others.length === 0 &&
      (body === undefined || transport[0]?.status[0] === 400)
      ? (transport[0] as Expectation)
      : undefined;
  }
  if (auth !== undefined) return auth;
  if (method !== undefined) {
    // A path that cannot be decoded may be refused before the method is looked at.
    return c.id.k === 'bad percent'
      ? { status: [400, 404, 405], why: `${method.why}, with ${id?.why}` }
      : method;
  }
  if (id !== undefined) return ifMatch === undefined ? id : undefined;
  if (ifMatch !== undefined)
    return body === undefined ? ifMatch : { status: [400], why: `${ifMatch.why} and ${body.why}` };
  return body ?? query;
};

/** (6) */
const answeredAsItMust = (run: Run): void => {
  const { c, answer } = run;
  const expected = expectationOf(run);
  if (expected !== undefined) {
    expect(
      expected.status,
      `(6) ${expected.why}: must be ${expected.status.join(' or ')}; ${show(answer)}`,
    ).toContain(answer.status);
    const errors = (
      (answer.json as { errors?: { path?: unknown }[] } | undefined)?.errors ?? []
    ).map((e) => String(e.path));
    if (expected.path !== undefined && answer.status === 400) {
      expect(
        namesPath(errors, expected.path),
        `(6) an error at ${JSON.stringify(expected.path)}: ${show(answer)}`,
      ).toBe(true);
    }
    for (const p of expected.paths ?? []) {
      expect(errors, `(6) an error at ${JSON.stringify(p)}: ${show(answer)}`).toContain(p);
    }
    if (answer.status === 401)
      expect(answer.headers['www-authenticate'], `(6) WWW-Authenticate on ${show(answer)}`).toMatch(
        /^Bearer\b/,
      );
    return;
  }
  // Nothing wrong with the request itself: what the answer must be then.
  if (c.auth.k === 'valid')
    expect(answer.status, `(6) a valid token was refused: ${show(answer)}`).not.toBe(401);
  if (!clean(run)) return;
  const command = c.route.kind === 'command';
  if (command) {
    expect(
      [400, 413, 415],
      `(6) a valid request was refused as malformed: ${show(answer)}`,
    ).not.toContain(answer.status);
    const ifMatch = classOf(run.ifMatchText);
    if (
      !run.exists &&
      c.route.kind === 'command' &&
      !c.route.creates &&
      ifMatch.k !== 'strong' &&
      c.auth.k === 'valid' &&
      allowedRoles(c.route.type).includes(c.auth.role)
    ) {
      expect(
        answer.status,
        `(6) a command on an article that does not exist: ${show(answer)}`,
      ).toBe(404);
    }
    if (ifMatch.k !== 'strong' || (c.route.kind === 'command' && c.route.creates)) return;
    const problem = answer.json as { currentRevision?: unknown } | undefined;
    if (run.exists && ifMatch.n !== run.current) {
      expect(
        answer.status,
        `(6) If-Match "${ifMatch.n}" on revision ${run.current}: ${show(answer)}`,
      ).toBe(412);
    }
    if (ifMatch.n === run.current && run.exists) {
      expect(answer.status, `(6) If-Match of the current revision: ${show(answer)}`).not.toBe(412);
    }
    if (answer.status === 412) {
      if (run.exists) {
        expect(problem?.currentRevision, `(6) 412 names the real revision: ${show(answer)}`).toBe(
          run.current,
        );
        expect(answer.headers['etag'], '(6) the ETag of a 412 is the real revision').toBe(
          `"${run.current}"`,
        );
      } else {
        expect(
          problem?.currentRevision,
          `(6) a 412 on an article that does not exist names no revision: ${show(answer)}`,
        ).toBeUndefined();
        expect(answer.headers['etag'], `(6) no ETag "-1": ${show(answer)}`).not.toBe('"-1"');
      }
    }
    return;
  }
  const view = answer.json as { articleId?: unknown; revision?: unknown } | undefined;
  const q = c.query;
  if (!run.exists) {
    expect(answer.status, `(6) an article that does not exist: ${show(answer)}`).toBe(404);
  } else if (q === undefined || q.at === 'future') {
    expect(answer.status, `(6) GET the article: ${show(answer)}`).toBe(200);
    expect(view?.articleId, `(6) either case of the id is the same article: ${show(answer)}`).toBe(
      run.articleId,
    );
    expect(view?.revision, `(6) at its current revision: ${show(answer)}`).toBe(run.current);
    expect(answer.headers['etag'], '(6) ETag is the revision').toBe(`"${run.current}"`);
  } else if (q.revision !== undefined && q.revision <= run.current) {
    expect(answer.status, `(6) ?revision=${q.revision}: ${show(answer)}`).toBe(200);
    expect(view?.revision, `(6) ?revision=${q.revision} is that revision: ${show(answer)}`).toBe(
      q.revision,
    );
    expect(view?.articleId).toBe(run.articleId);
    expect(answer.headers['etag'], '(6) ETag is that revision').toBe(`"${q.revision}"`);
  } else if (q.at === 'past') {
    expect(answer.status, `(6) before the article existed: ${show(answer)}`).toBe(404);
  }
};

/** Nothing in the request is wrong or unsure: its answer depends only on the article. */
const clean = (run: Run): boolean => {
  const { c } = run;
  if (c.auth.k !== 'valid' || !methodOk(c)) return false;
  if (c.id.k === 'garbage' || c.id.k === 'empty' || c.id.k === 'bad percent') return false;
  if (c.extraHeaders.some(([k]) => k === 'content-encoding' || k === HUGE_HEADER[0])) return false;
  if (c.route.kind === 'view')
    return c.query === undefined || (c.query.faults.length === 0 && !c.query.unsure);
  const ifMatch = classOf(run.ifMatchText).k;
  return (
    c.contentType.label === 'json' &&
    run.label?.kind === 'valid' &&
    (ifMatch === 'absent' || ifMatch === 'star' || ifMatch === 'strong')
  );
};

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

describe('routes fuzz: generators', () => {
  it('finds every route table and has a body shape for every command', () => {
    expect(
      COMMAND_ROUTES.length,
      'routes read from services/*/src/routes.ts',
    ).toBeGreaterThanOrEqual(15);
    expect(new Set(COMMAND_ROUTES.map((r) => r.prefix))).toEqual(
      new Set(['/v1/drafts', '/v1/reviews', '/v1/publications']),
    );
    for (const route of COMMAND_ROUTES) expect(Object.keys(commandData)).toContain(route.type);
  });

  it('make every known-defect input in the properties meant to catch it', () => {
    const wanted: [string, fc.Arbitrary<Case>, string[]][] = [
      [
        'json bodies',
        bodyCases,
        [
          '__proto__ key',
          '__proto__ in publisher',
          'invisible-only headline',
          '130,000+ invalid list items',
        ],
      ],
      [
        'raw bodies',
        rawCases,
        ['invalid UTF-8 body', 'duplicate key', 'malformed JSON', 'body over the limit'],
      ],
      [
        'If-Match',
        ifMatchCases,
        ['weak If-Match', 'bad If-Match', 'If-Match on a missing article'],
      ],
      ['tokens', authCases, ['token sub unusable', 'system role token']],
      ['path ids', idCases, ['bad percent-encoding', 'bad id with a bad body']],
      [
        'hostile',
        hostileCases,
        [
          '130,000+ invalid list items',
          'token sub unusable',
          'lone surrogate or NUL in a URL',
          'malformed JSON',
        ],
      ],
      [
        'accepted',
        acceptedCases,
        ['invalid UTF-8 body', '__proto__ in publisher', 'duplicate key'],
      ],
      [
        'all',
        allCases,
        [
          'GET a missing article',
          'command on a missing article',
          'malformed JSON',
          'bad If-Match',
          'bad percent-encoding',
          'invalid UTF-8 body',
          'weak If-Match',
          'token sub unusable',
          'system role token',
          'invisible-only headline',
          '130,000+ invalid list items',
          '__proto__ in publisher',
          'duplicate key',
          'bad id with a bad body',
          'If-Match on a missing article',
        ],
      ],
    ];
    for (const [name, arb, tags] of wanted) {
      const seen = new Set(
        fc.sample(arb, { seed: SEED, numRuns: name === 'all' ? 1500 : 400 }).flatMap((c) => c.tags),
      );
      expect(
        tags.filter((t) => !seen.has(t)),
        `${name}: tags never generated`,
      ).toEqual([]);
    }
  });
});

describe.each(STORE_KINDS)('HTTP routes fuzz on %s', (kind) => {
  const sys = useTestSystem(kind);
  const ctx: Ctx = {
    kind,
    sys,
    agent: new http.Agent({ keepAlive: true, maxSockets: 4 }),
    stats: { requests: 0, status5xx: 0 },
  };
  afterAll(() => {
    ctx.agent.destroy();
    console.log(
      JSON.stringify({
        fuzz: 'routes',
        store: kind,
        requests: ctx.stats.requests,
        status5xx: ctx.stats.status5xx,
      }),
    );
  });

  const check = (arb: fc.Arbitrary<Case>, property: (run: Run) => void | Promise<void>) =>
    fc.assert(
      fc.asyncProperty(fc.limitShrink(arb, MAX_SHRINKS), async (c) => {
        const run = await perform(ctx, c);
        await property(run);
        for (const a of run.answers) recordTitle(a);
      }),
      { seed: SEED, numRuns: RUNS },
    );

  it('(1) no request gets a 5xx', () =>
    check(fc.oneof(allCases, hostileCases), async (run) => {
      run.answers.forEach(noServerError);
      await readBackAccepted(ctx, run);
      run.answers.forEach(noServerError);
    }));

  it('(2) every 4xx is problem+json with type, title and status; every 400 has errors[{path, message}]', () =>
    check(allCases, (run) => run.answers.forEach(problemShaped)));

  it('(3) a refused command changes nothing', () => check(commandCases, refusedChangesNothing));

  it('(4) an accepted command reads back byte-identical', () =>
    check(acceptedCases, (run) => acceptedReadsBack(ctx, run)));

  it('(6a) an invalid JSON body gets 400 at the failing path; a valid one is not refused as invalid', () =>
    check(bodyCases, answeredAsItMust));

  it('(6b) bytes that are not one well-formed JSON text get 400, 413 or 415', () =>
    check(fc.oneof(rawCases, contentTypeCases), answeredAsItMust));

  it('(6c) If-Match: weak, lists, negative, garbage get 400; a stale revision 412 with the real one', () =>
    check(ifMatchCases, answeredAsItMust));

  it('(6d) a missing, forged, expired, system-role or unusable-subject token gets 401', () =>
    check(authCases, answeredAsItMust));

  it('(6e) a path id that is not a uuid gets 404 whatever the body; an unknown one 404; either case is the same article', () =>
    check(fc.oneof(idCases, missingCases), answeredAsItMust));

  it('(6f) ?revision= and ?at=: bad values get 400 naming them; good ones that moment', () =>
    check(queryCases, answeredAsItMust));
  it('(5) one problem type has one title, across every answer of every property', async () => {
    await check(allCases, (run) => run.answers.forEach(oneTitlePerType));
    expect(
      titleConflicts.length,
      `(5) problem types answered with two titles:\n${titleConflicts.join('\n')}`,
    ).toBe(0);
  });
});
