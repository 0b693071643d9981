/** Helpers for this package's codec tests (not exported from the package). */
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { formatValidationErrors } from './problem.js';

/** The decoded value; a failure throws with its field paths. */
export const decoded = <A>(codec: t.Decoder<unknown, A>, u: unknown): A => {
  const r = codec.decode(u);
  if (E.isLeft(r)) throw new Error(JSON.stringify(formatValidationErrors(r.left)));
  return r.right;
};

const failures = (codec: t.Decoder<unknown, unknown>, u: unknown) => {
  const r = codec.decode(u);
  return E.isLeft(r) ? formatValidationErrors(r.left) : [];
};

/** The failing field paths (none when the value decodes). */
export const paths = (codec: t.Decoder<unknown, unknown>, u: unknown): string[] =>
  failures(codec, u).map((e) => e.path);

/** The failure messages (none when the value decodes). */
export const messages = (codec: t.Decoder<unknown, unknown>, u: unknown): string[] =>
  failures(codec, u).map((e) => e.message);
