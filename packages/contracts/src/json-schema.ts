/**
 * JSON Schema (2020-12, the dialect of OpenAPI 3.1) read off the io-ts codecs, so that the API
 * reference says what the edges decode and cannot drift from it. io-ts' own combinators and
 * this package's (`strict`, `taggedUnion`) carry their structure; a codec made with
 * `new t.Type` carries none, so it says what it accepts with `describeCodec` where it is made.
 * A codec that is neither fails loudly: the reference never guesses.
 */
import type * as t from 'io-ts';

export type JsonSchema = { readonly [keyword: string]: unknown };

type AnyCodec = t.Type<unknown, unknown, unknown>;

/** The schema of another codec, in the set being built (a `$ref` to its component). */
export type SchemaOf = (codec: t.Any) => JsonSchema;

/** What a codec made with `new t.Type` accepts: a schema, or one made of other codecs'. */
type Description = JsonSchema | ((of: SchemaOf) => JsonSchema);

const descriptions = new WeakMap<object, Description>();
/** Codecs that decode an absent value to a default: their property may be left out. */
const defaulted = new WeakSet<object>();

/** Says what `codec` accepts, for the API reference; returns the codec. */
export const describeCodec = <C extends t.Any>(
  codec: C,
  schema: JsonSchema | ((of: SchemaOf) => JsonSchema),
): C => {
  descriptions.set(codec, schema);
  return codec;
};

/** `codec` is read as `other` in the reference (a stricter wrapper); `defaults`: it fills in
 *  an absent value, so a property of it may be left out. */
export const describeAs = <C extends t.Any>(
  codec: C,
  other: t.Any,
  options: { readonly defaults?: true } = {},
): C => {
  descriptions.set(codec, (of) => of(other));
  if (options.defaults === true) defaulted.add(codec);
  return codec;
};

/** A JavaScript pattern as a JSON Schema one: only the `u` flag is implied there. */
export const patternSchema = (pattern: RegExp): JsonSchema =>
  pattern.flags.replace(/[uv]/g, '') === '' ? { pattern: pattern.source } : {};

/** A name worth a component of its own: `ArticleView`, not `Strict<a, b>` or `X request`. */
const COMPONENT_NAME = /^[A-Z][A-Za-z0-9]*$/;

/**
 * Turns codecs into schemas, each named object or union codec once into `components`, where
 * the others refer to it (`#/components/schemas/<name>`).
 */
export class SchemaSet {
  readonly components: Record<string, JsonSchema> = {};
  private readonly named = new Map<object, string>();

  /** The schema of `codec`: a `$ref` when it has a component of its own. */
  of(codec: t.Any): JsonSchema {
    const c = codec as AnyCodec & { readonly _tag?: string };
    const componentWorthy =
      (c._tag === 'StrictCodec' || c._tag === 'TaggedUnionCodec' || c._tag === 'KeyofType') &&
      COMPONENT_NAME.test(c.name);
    if (!componentWorthy) return this.inline(c);
    const known = this.named.get(c);
    if (known !== undefined) return { $ref: `#/components/schemas/${known}` };
    let name = c.name;
    for (let n = 2; Object.hasOwn(this.components, name); n++) name = `${c.name}${n}`;
    this.named.set(c, name);
    this.components[name] = {}; // taken before recursing: a codec may refer to itself
    this.components[name] = this.inline(c);
    return { $ref: `#/components/schemas/${name}` };
  }

  /** The component `name`, made by `build` the first time a document asks for it. */
  once(name: string, build: () => JsonSchema): JsonSchema {
    return Object.hasOwn(this.components, name)
      ? { $ref: `#/components/schemas/${name}` }
      : this.add(name, build());
  }

  /** Named schemas written by hand (what no codec decodes), referred to like the others. */
  add(name: string, schema: JsonSchema): JsonSchema {
    if (Object.hasOwn(this.components, name)) throw new Error(`schema ${name} is defined twice`);
    this.components[name] = schema;
    return { $ref: `#/components/schemas/${name}` };
  }

  private inline(codec: AnyCodec & { readonly _tag?: string }): JsonSchema {
    const described = descriptions.get(codec);
    if (described !== undefined)
      return typeof described === 'function' ? described((other) => this.of(other)) : described;
    const c = codec as unknown as Record<string, unknown>;
    switch (codec._tag) {
      case 'StrictCodec':
        return this.object(
          c['required'] as t.Props,
          c['optional'] as t.Props,
          false,
          this.description(codec),
        );
      case 'InterfaceType':
        return this.object(c['props'] as t.Props, {}, true);
      case 'PartialType':
        return this.object({}, c['props'] as t.Props, true);
      case 'ExactType':
      case 'ReadonlyType':
        return this.of(c['type'] as t.Any);
      case 'TaggedUnionCodec': {
        const members = Object.values(c['members'] as Record<string, t.Any>);
        return { oneOf: members.map((m) => this.of(m)) };
      }
      case 'UnionType': {
        const types = c['types'] as t.Any[];
        const nullable = types.filter((m) => (m as { _tag?: string })._tag !== 'NullType');
        if (nullable.length === types.length - 1 && nullable.length === 1)
          return { anyOf: [this.of(nullable[0]!), { type: 'null' }] };
        return { anyOf: types.map((m) => this.of(m)) };
      }
      case 'IntersectionType': {
        // Objects merged into one (io-ts' intersections here are of plain object codecs).
        const parts = (c['types'] as t.Any[]).map((m) => this.inline(m as never));
        if (parts.some((p) => p['type'] !== 'object' || p['properties'] === undefined))
          throw new Error(`the intersection ${codec.name} is not of object codecs alone`);
        return {
          type: 'object',
          properties: Object.assign({}, ...parts.map((p) => p['properties'] ?? {})) as JsonSchema,
          required: parts.flatMap((p) => (p['required'] as string[] | undefined) ?? []),
        };
      }
      case 'ArrayType':
      case 'ReadonlyArrayType':
        return { type: 'array', items: this.of(c['type'] as t.Any) };
      case 'RecordType':
        return { type: 'object', additionalProperties: this.of(c['codomain'] as t.Any) };
      case 'LiteralType':
        return { const: c['value'] };
      case 'KeyofType':
        return { type: 'string', enum: Object.keys(c['keys'] as object) };
      case 'StringType':
        return { type: 'string' };
      case 'NumberType':
        return { type: 'number' };
      case 'BooleanType':
        return { type: 'boolean' };
      case 'NullType':
        return { type: 'null' };
      case 'UnknownType':
        return {};
      case 'AnyDictionaryType':
        return { type: 'object' };
      case 'AnyArrayType':
        return { type: 'array' };
      case 'RefinementType':
        return this.of(c['type'] as t.Any);
      default:
        throw new Error(
          `the codec ${codec.name} says nothing of what it accepts: describe it with describeCodec`,
        );
    }
  }

  private description(codec: AnyCodec): JsonSchema {
    return COMPONENT_NAME.test(codec.name) ? {} : { title: codec.name };
  }

  private object(required: t.Props, optional: t.Props, open: boolean, extra: JsonSchema = {}) {
    const properties: Record<string, JsonSchema> = {};
    const mandatory: string[] = [];
    for (const [key, codec] of Object.entries(required)) {
      properties[key] = this.of(codec);
      // A required prop with a default (withDefault) may be left out.
      if (!defaulted.has(codec)) mandatory.push(key);
    }
    for (const [key, codec] of Object.entries(optional)) properties[key] = this.of(codec);
    return {
      ...extra,
      type: 'object',
      properties,
      ...(mandatory.length === 0 ? {} : { required: mandatory }),
      ...(open ? {} : { additionalProperties: false }),
    };
  }
}
