import * as t from 'io-ts';
import { strict } from './codec.js';
import { Identifier } from './text.js';

/** Roles carried by the bearer token; `system` is the scheduler (never a person). */
export const Role = t.keyof(
  { reporter: null, editor: null, publisher: null, auditor: null, admin: null, system: null },
  'Role',
);
export type Role = t.TypeOf<typeof Role>;

export const roles: ReadonlyArray<Role> = Object.keys(Role.keys) as Role[];

/** Who did it: from the authenticated caller, never from a command body. */
export const Actor = strict({ id: Identifier, role: Role }, {}, 'Actor');
export type Actor = t.TypeOf<typeof Actor>;
