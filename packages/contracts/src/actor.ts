/**
 * Who did something. The actor of every event comes from the authenticated caller (the token's
 * `sub` and `role`), never from a body.
 *
 * Two codecs for an actor id, one per direction:
 * - `ActorId` is what a caller may be: checked when a token is verified (401 otherwise), so
 *   every actor written from now on has this form.
 * - `RecordedActorId` is what stored records hold. Before `ActorId` existed, a token's `sub`
 *   was written as sent (a space, a tab, 300 characters), so the codec that reads events and
 *   metadata accepts whatever was writable then. It is never tightened: a stored event is a
 *   record, readable forever.
 *
 * People are compared by `actorKey` (four eyes): the same name in NFC and NFD, in another case
 * or in full-width letters is the same person; the original id is kept in the event.
 */
import * as t from 'io-ts';
import { describeCodec } from './json-schema.js';
import { strict } from './codec.js';
import { codePointLength, isWellFormed } from './text.js';

/** Every role an actor may have; `system` is the scheduler (never a person, never a token). */
export const Role = t.keyof(
  { reporter: null, editor: null, publisher: null, auditor: null, admin: null, system: null },
  'Role',
);
export type Role = t.TypeOf<typeof Role>;

export const roles: ReadonlyArray<Role> = Object.keys(Role.keys) as Role[];

/** The roles a bearer token may carry: the five kinds of people who call the API. */
export const CallerRole = t.keyof(
  { reporter: null, editor: null, publisher: null, auditor: null, admin: null },
  'CallerRole',
);
export type CallerRole = t.TypeOf<typeof CallerRole>;

export const callerRoles: ReadonlyArray<CallerRole> = Object.keys(CallerRole.keys) as CallerRole[];

export const MAX_ACTOR_ID = 200;

/** White space, controls, format characters (U+200B, U+200F, U+FEFF...), other invisible or
 *  blank-looking code points (U+2800), private-use, unassigned (their case and compatibility
 *  mappings may change with a later Unicode) and noncharacters: an id made with them cannot be
 *  told apart from another by reading it, or may not compare the same tomorrow. */
const invisible =
  /[\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Co}\p{Cn}\u2800\ufffd]/u;
const leadingMark = /^\p{M}/u;

/** Why `s` is not an acceptable actor id, or undefined. */
export const actorIdProblem = (s: string): string | undefined => {
  if (s.length === 0) return 'must not be empty';
  if (!isWellFormed(s)) return 'must be well-formed Unicode (a lone surrogate was found)';
  const at = invisible.exec(s);
  if (at !== null) {
    const code = at[0].codePointAt(0) ?? 0;
    return `must not contain white space, control or invisible characters (U+${code.toString(16).toUpperCase().padStart(4, '0')} at index ${at.index})`;
  }
  if (leadingMark.test(s)) return 'must not begin with a combining mark';
  const length = codePointLength(s);
  if (length > MAX_ACTOR_ID) return `must be at most ${MAX_ACTOR_ID} characters (got ${length})`;
  return undefined;
};

/** A caller's id: 1..200 code points, well-formed, nothing invisible; kept exactly as sent. */
export const ActorId = new t.Type<string, string, unknown>(
  'ActorId',
  (u): u is string => typeof u === 'string' && actorIdProblem(u) === undefined,
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c, 'expected a string');
    const problem = actorIdProblem(u);
    return problem === undefined ? t.success(u) : t.failure(u, c, problem);
  },
  t.identity,
);
export type ActorId = t.TypeOf<typeof ActorId>;
describeCodec(ActorId, {
  type: 'string',
  minLength: 1,
  maxLength: MAX_ACTOR_ID,
  description: 'kept exactly as sent; no white space, control or invisible characters',
});

const recordable = (u: unknown): u is string =>
  typeof u === 'string' && /\S/u.test(u) && isWellFormed(u) && !u.includes('\u0000');

/** An actor id as stored: any text that a writer could store (not blank, no NUL, no lone
 *  surrogate). Wider than `ActorId` on purpose; see the module comment. */
export const RecordedActorId = new t.Type<string, string, unknown>(
  'RecordedActorId',
  recordable,
  (u, c) =>
    recordable(u) ? t.success(u) : t.failure(u, c, 'expected a non-blank well-formed string'),
  t.identity,
);
describeCodec(RecordedActorId, { type: 'string', minLength: 1 });

/** Who does it now: the authenticated caller (or the scheduler). */
export const Actor = strict({ id: ActorId, role: Role }, {}, 'Actor');
export type Actor = t.TypeOf<typeof Actor>;

/** Who did it, as stored in events and their metadata. */
export const RecordedActor = strict({ id: RecordedActorId, role: Role }, {}, 'RecordedActor');
export type RecordedActor = t.TypeOf<typeof RecordedActor>;

/**
 * The form two actor ids are compared in: NFKC (so NFC and NFD, and full-width and ordinary
 * letters, are one form), then the locale-independent Unicode case mappings lower, upper, lower
 * (so `Editor.B`, `EDITOR.B` and `editor.b` are one person, and `ß`, `ẞ` and `ss` are one
 * spelling), then NFKC again. Over-merging is the safe error here: it can only refuse an
 * approval, never allow one.
 */
export const actorKey = (id: string): string =>
  id.normalize('NFKC').toLowerCase().toUpperCase().toLowerCase().normalize('NFKC');

/** Whether two ids name the same person (by `actorKey`). */
export const sameActor = (a: string, b: string): boolean => a === b || actorKey(a) === actorKey(b);
