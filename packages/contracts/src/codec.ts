/**
 * Small io-ts combinators used by every boundary codec.
 *
 * - `strict`: an object codec that REJECTS unknown keys (each reported at its own path)
 *   instead of silently stripping them, keeps the input's key order, and lets a required
 *   property supply a default (see `withDefault`).
 * - `taggedUnion`: dispatches on a discriminator key, so a failure is reported against the
 *   one member the value claims to be (no error noise from every other branch).
 * - `withHeader`: a strict header (commandId, articleId, ...) merged with a tagged union body.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { describeAs, describeCodec } from './json-schema.js';

/** No props: the default for `strict`'s optional props. */
export type NoProps = Record<never, never>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

export type StrictTypeOf<R extends t.Props, O extends t.Props> = Simplify<
  { readonly [K in keyof R]: t.TypeOf<R[K]> } & { readonly [K in keyof O]?: t.TypeOf<O[K]> }
>;
export type StrictOutputOf<R extends t.Props, O extends t.Props> = Simplify<
  { readonly [K in keyof R]: t.OutputOf<R[K]> } & { readonly [K in keyof O]?: t.OutputOf<O[K]> }
>;

export type PlainObject = Readonly<Record<string, unknown>>;

export const isPlainObject = (u: unknown): u is PlainObject =>
  typeof u === 'object' &&
  u !== null &&
  !Array.isArray(u) &&
  (Object.getPrototypeOf(u) === Object.prototype || Object.getPrototypeOf(u) === null);

const has = (o: object, key: string): boolean => Object.hasOwn(o, key);

/**
 * Failures a decoder collects at most: one more than are ever reported (`MAX_REPORTED_ERRORS`
 * in problem.ts), so that a report can say there were more. Decoding stops once there are
 * this many: a body with 100,000 bad items costs what one with 101 does.
 */
export const MAX_COLLECTED_ERRORS = 101;

/** Appends `more` to `errors` up to the cap; true when the cap is reached (stop decoding). */
export const collectErrors = (errors: t.ValidationError[], more: t.Errors): boolean => {
  for (const error of more) {
    if (errors.length >= MAX_COLLECTED_ERRORS) break;
    errors.push(error);
  }
  return errors.length >= MAX_COLLECTED_ERRORS;
};

/** A property set on a fresh object as its own data property, whatever its name: assigning
 *  `out['__proto__'] = v` would set the prototype instead and drop the key. */
export const setOwn = (target: Record<string, unknown>, key: string, value: unknown): void => {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
};

/** Marker decoder used as the context type of an unknown key. */
const UnknownProperty = new t.Type<never, never, unknown>(
  'UnknownProperty',
  (_u): _u is never => false,
  (u, c) => t.failure(u, c, 'unknown property'),
  (a) => a,
);

export class StrictCodec<R extends t.Props, O extends t.Props> extends t.Type<
  StrictTypeOf<R, O>,
  StrictOutputOf<R, O>,
  unknown
> {
  readonly _tag = 'StrictCodec' as const;
  constructor(
    name: string,
    readonly required: R,
    readonly optional: O,
  ) {
    super(
      name,
      (u): u is StrictTypeOf<R, O> =>
        isPlainObject(u) &&
        Object.keys(u).every((k) => has(required, k) || has(optional, k)) &&
        Object.keys(required).every((k) => has(u, k) && required[k]!.is(u[k])) &&
        Object.keys(optional).every((k) => !has(u, k) || optional[k]!.is(u[k])),
      (u, c) => {
        if (!isPlainObject(u)) return t.failure(u, c, 'expected an object');
        const errors: t.ValidationError[] = [];
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(u)) {
          const value = u[key];
          const codec = has(required, key)
            ? required[key]
            : has(optional, key)
              ? optional[key]
              : undefined;
          if (codec === undefined) {
            const unknown = {
              value,
              context: t.appendContext(c, key, UnknownProperty, value),
              message: `unknown property "${key}"`,
            };
            if (collectErrors(errors, [unknown])) break;
            continue;
          }
          const result = codec.validate(value, t.appendContext(c, key, codec, value));
          if (E.isLeft(result)) {
            if (collectErrors(errors, result.left)) break;
          } else setOwn(out, key, result.right);
        }
        for (const key of Object.keys(required)) {
          if (has(u, key) || errors.length >= MAX_COLLECTED_ERRORS) continue;
          const codec = required[key]!;
          const context = t.appendContext(c, key, codec, undefined);
          const result = codec.validate(undefined, context);
          if (E.isLeft(result))
            collectErrors(errors, [{ value: undefined, context, message: 'required' }]);
          else setOwn(out, key, result.right);
        }
        return errors.length > 0 ? t.failures(errors) : t.success(out as StrictTypeOf<R, O>);
      },
      (a) => {
        const out: Record<string, unknown> = {};
        const value = a as PlainObject;
        for (const key of Object.keys(value)) {
          const codec = has(required, key)
            ? required[key]
            : has(optional, key)
              ? optional[key]
              : undefined;
          if (codec !== undefined && value[key] !== undefined)
            setOwn(out, key, codec.encode(value[key]));
        }
        return out as StrictOutputOf<R, O>;
      },
    );
  }
}

/**
 * An object codec with required props `required` and optional props `optional`; any other key
 * fails with `unknown property "<key>"` at its own path. A required prop whose codec accepts
 * `undefined` (see `withDefault`) is filled in when absent.
 */
export const strict = <R extends t.Props, O extends t.Props = NoProps>(
  required: R,
  optional?: O,
  name?: string,
): StrictCodec<R, O> =>
  new StrictCodec(
    name ?? `Strict<${[...Object.keys(required), ...Object.keys(optional ?? {})].join(', ')}>`,
    required,
    optional ?? ({} as O),
  );

/** Decodes an absent value (`undefined`) to `fallback`; otherwise defers to `codec`. */
export const withDefault = <C extends t.Mixed>(
  codec: C,
  fallback: t.TypeOf<C>,
): t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown> =>
  describeAs(
    new t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown>(
      codec.name,
      (u): u is t.TypeOf<C> => codec.is(u),
      (u, c) => (u === undefined ? t.success(fallback) : codec.validate(u, c)),
      (a) => codec.encode(a),
    ),
    codec,
    { defaults: true },
  );

type AnyStrict = StrictCodec<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type AnyCodec = t.Type<any, any, unknown>; // eslint-disable-line @typescript-eslint/no-explicit-any

export class TaggedUnionCodec<K extends string, M extends Record<string, AnyCodec>> extends t.Type<
  t.TypeOf<M[keyof M]>,
  t.OutputOf<M[keyof M]>,
  unknown
> {
  readonly _tag = 'TaggedUnionCodec' as const;
  constructor(
    name: string,
    readonly tag: K,
    readonly members: M,
  ) {
    const memberOf = (u: unknown): AnyCodec | undefined => {
      if (!isPlainObject(u)) return undefined;
      const value = u[tag];
      return typeof value === 'string' && has(members, value) ? members[value] : undefined;
    };
    const expected = Object.keys(members)
      .map((k) => JSON.stringify(k))
      .join(' | ');
    super(
      name,
      (u): u is t.TypeOf<M[keyof M]> => memberOf(u)?.is(u) ?? false,
      (u, c) => {
        if (!isPlainObject(u)) return t.failure(u, c, 'expected an object');
        const member = memberOf(u);
        if (member !== undefined) return member.validate(u, c);
        const value = u[tag];
        const context = t.appendContext(c, tag, t.string, value);
        return t.failure(
          value,
          context,
          value === undefined ? `required: one of ${expected}` : `expected one of ${expected}`,
        );
      },
      (a) => {
        const member = memberOf(a);
        if (member === undefined) throw new TypeError(`${name}: no member for ${String(a)}`);
        return member.encode(a);
      },
    );
  }
}

/**
 * A union of object codecs told apart by the string at `tag` (`members` is keyed by that
 * value). A value with an unknown tag fails once, at the path of the tag.
 */
export const taggedUnion = <K extends string, M extends Record<string, AnyCodec>>(
  tag: K,
  members: M,
  name: string,
): TaggedUnionCodec<K, M> => new TaggedUnionCodec(name, tag, members);

export type WithHeaderTypeOf<H extends AnyStrict, B extends t.Mixed> = t.TypeOf<H> & t.TypeOf<B>;

/**
 * A flat object made of a strict header (its own keys) and a body codec that owns every other
 * key (`type` and `data` for commands). Both parts report their errors at their own paths.
 */
export const withHeader = <H extends AnyStrict, B extends t.Mixed>(
  header: H,
  body: B,
  name: string,
): t.Type<t.TypeOf<H> & t.TypeOf<B>, t.OutputOf<H> & t.OutputOf<B>, unknown> => {
  const headerKeys = new Set([...Object.keys(header.required), ...Object.keys(header.optional)]);
  const split = (u: PlainObject): [PlainObject, PlainObject] => {
    const h: Record<string, unknown> = {};
    const b: Record<string, unknown> = {};
    for (const key of Object.keys(u)) setOwn(headerKeys.has(key) ? h : b, key, u[key]);
    return [h, b];
  };
  const codec = new t.Type<t.TypeOf<H> & t.TypeOf<B>, t.OutputOf<H> & t.OutputOf<B>, unknown>(
    name,
    (u): u is t.TypeOf<H> & t.TypeOf<B> => {
      if (!isPlainObject(u)) return false;
      const [h, b] = split(u);
      return header.is(h) && body.is(b);
    },
    (u, c) => {
      if (!isPlainObject(u)) return t.failure(u, c, 'expected an object');
      const [h, b] = split(u);
      const hr = header.validate(h, c);
      const br = body.validate(b, c);
      if (E.isLeft(hr) || E.isLeft(br)) {
        const errors: t.ValidationError[] = [];
        if (E.isLeft(hr)) collectErrors(errors, hr.left);
        if (E.isLeft(br)) collectErrors(errors, br.left);
        return t.failures(errors);
      }
      return t.success({ ...hr.right, ...br.right });
    },
    (a) => {
      const [h, b] = split(a as PlainObject);
      return { ...header.encode(h), ...body.encode(b) };
    },
  );
  // For the API reference: each member of the body with the header's keys beside its own.
  const members: readonly t.Mixed[] =
    body instanceof TaggedUnionCodec ? Object.values(body.members) : [body];
  return describeCodec(codec, (of) => ({
    anyOf: members.map((m) =>
      m instanceof StrictCodec
        ? of(strict({ ...header.required, ...m.required }, { ...header.optional, ...m.optional }))
        : { type: 'object' },
    ),
  }));
};

/** A read-only array whose length is within [min, max]. */
export const boundedArray = <C extends t.Mixed>(
  item: C,
  min: number,
  max: number,
  name: string,
): t.Type<ReadonlyArray<t.TypeOf<C>>, ReadonlyArray<t.OutputOf<C>>, unknown> => {
  const base = t.readonlyArray(item);
  const codec = new t.Type<ReadonlyArray<t.TypeOf<C>>, ReadonlyArray<t.OutputOf<C>>, unknown>(
    name,
    (u): u is ReadonlyArray<t.TypeOf<C>> => base.is(u) && u.length >= min && u.length <= max,
    (u, c) => {
      if (!Array.isArray(u)) return t.failure(u, c, 'expected an array');
      if (u.length < min)
        return t.failure(u, c, `must have at least ${min} item${min === 1 ? '' : 's'}`);
      if (u.length > max) return t.failure(u, c, `must have at most ${max} items`);
      // Item by item, stopping at the error cap (io-ts' array codec would visit every item).
      const errors: t.ValidationError[] = [];
      const out: t.TypeOf<C>[] = [];
      for (let i = 0; i < u.length; i++) {
        const value: unknown = u[i];
        const result = item.validate(value, t.appendContext(c, String(i), item, value));
        if (E.isLeft(result)) {
          if (collectErrors(errors, result.left)) break;
        } else out.push(result.right);
      }
      return errors.length > 0 ? t.failures(errors) : t.success(out);
    },
    (a) => base.encode(a),
  );
  return describeCodec(codec, (of) => ({
    type: 'array',
    items: of(item),
    ...(min > 0 ? { minItems: min } : {}),
    maxItems: max,
  }));
};
