/**
 * Signs a tree head: the tree caught up with the log, its size and root in a C2SP checkpoint
 * with a `time` extension, signed by the log's Ed25519 key, numbered after the previous head.
 * The time is strictly after the previous head's (a clock that stepped back cannot make two
 * heads disagree on their order), and a tree that does not extend the previous head (the
 * stored tree was changed) is refused, never signed.
 */
import type { KeyObject } from 'node:crypto';
import type { PostgresEventStore, SqlDriver } from '@newsroom/event-store';
import { checkpointText, keyId, signNote, verifyConsistency } from '@newsroom/event-store';
import { TreeDamaged } from './damaged.js';
import { growTree } from './grow.js';
import { storedConsistency } from './proofs.js';
import { insertHead, latestHead } from './sql/heads.js';
import type { TreeHeadRow } from './sql/heads.js';
import { lockTree } from './sql/tree.js';

export interface LogSigner {
  /** The checkpoint origin, also the key's name. */
  readonly origin: string;
  readonly privateKey: KeyObject;
  /** The C2SP key id, hex. */
  readonly keyId: string;
}

export const logSigner = (origin: string, privateKey: KeyObject): LogSigner => ({
  origin,
  privateKey,
  keyId: keyId(origin, privateKey).toString('hex'),
});

/** Why a seal was refused (answered 409: the request was sound, the record forbids it). */
export abstract class SealRefused extends Error {
  abstract readonly _tag: 'TreeDoesNotExtend' | 'NotTheLogKey';
}

/** The stored tree was changed under a signed head: sealing refuses to sign it. */
export class TreeDoesNotExtend extends SealRefused {
  readonly _tag = 'TreeDoesNotExtend';
}

/**
 * This process's key is not the one the log's heads are signed with (an instance started
 * with its own development key, or another key file): one log has one key, so it signs nothing.
 */
export class NotTheLogKey extends SealRefused {
  readonly _tag = 'NotTheLogKey';
}

/** A stored tree that lacks a node is not signed: refused as one that does not extend. */
const refuseDamaged = async <A>(work: () => Promise<A>, what: string): Promise<A> => {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TreeDamaged)
      throw new TreeDoesNotExtend(`${what} is damaged (${error.message}): not signed`);
    throw error;
  }
};

/** Events one growth step takes in; a seal grows the tree until a step comes back short. */
const STEP = 5_000;

export const catchUpTree = async (
  sql: SqlDriver,
  schema: string,
  store: Pick<PostgresEventStore, 'readAllStored'>,
): Promise<number> => {
  let added = 0;
  for (;;) {
    const step = await growTree(sql, schema, store, STEP);
    added += step;
    if (step < STEP) return added;
  }
};

export interface SealOptions {
  /** Sign even when the tree did not grow since the previous head (on demand). */
  readonly force: boolean;
  readonly now: () => number;
}

export const sealTreeHead = async (
  sql: SqlDriver,
  schema: string,
  store: Pick<PostgresEventStore, 'readAllStored'>,
  signer: LogSigner,
  options: SealOptions,
): Promise<TreeHeadRow | undefined> => {
  await refuseDamaged(() => catchUpTree(sql, schema, store), 'the stored tree');
  return sql.transaction(async (tx) => {
    const tree = await lockTree(tx, schema);
    const previous = await latestHead(tx, schema);
    if (!options.force && (previous?.treeSize ?? 0) === tree.size) return undefined;
    if (previous !== undefined && previous.keyId !== signer.keyId) {
      throw new NotTheLogKey(
        `tree head ${previous.number} is signed with key ${previous.keyId}, this process has key ${signer.keyId}: not signed (give every audit instance the same AUDIT_SIGNING_KEY_FILE)`,
      );
    }
    const refused = (why: string) =>
      new TreeDoesNotExtend(
        `the stored tree of ${tree.size} does not extend tree head ${previous?.number} (${previous?.treeSize} leaves): ${why}; not signed`,
      );
    if (previous !== undefined && tree.size < previous.treeSize) throw refused('it is smaller');
    const { fromRoot, toRoot, proof } = await refuseDamaged(
      () => storedConsistency(tx, schema, previous?.treeSize ?? 0, tree.size),
      `the stored tree of ${tree.size}`,
    );
    if (previous !== undefined) {
      const kept = Buffer.from(previous.rootHash, 'hex');
      if (!fromRoot.equals(kept)) throw refused('its root at that size differs');
      if (!verifyConsistency(previous.treeSize, tree.size, proof, kept, toRoot))
        throw refused('its consistency proof fails');
    }
    const at = Math.max(options.now(), previous === undefined ? 0 : Date.parse(previous.time) + 1);
    const time = new Date(at).toISOString();
    const text = checkpointText({
      origin: signer.origin,
      size: tree.size,
      root: toRoot,
      extensions: [`time ${time}`],
    });
    const head: TreeHeadRow = {
      number: (previous?.number ?? 0) + 1,
      treeSize: tree.size,
      rootHash: toRoot.toString('hex'),
      time,
      keyId: signer.keyId,
      note: signNote(text, signer.origin, signer.privateKey),
    };
    await insertHead(tx, schema, head);
    return head;
  });
};
