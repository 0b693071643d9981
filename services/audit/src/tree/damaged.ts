/** The stored tree lacks a node it must hold (a superuser removed it): no root or proof from it. */
export class TreeDamaged extends Error {
  readonly _tag = 'TreeDamaged';
}

export const missingNode = (key: string): TreeDamaged =>
  new TreeDamaged(`the stored tree has no node ${key}`);
