/**
 * Signed tree heads as C2SP checkpoints in C2SP signed notes, signed with Ed25519
 * (https://c2sp.org/tlog-checkpoint, https://c2sp.org/signed-note). A checkpoint's text is the
 * log's origin, the tree size in decimal and the root hash in base64, one per line, then any
 * extension lines (here `time <RFC 3339>`, so that tree heads can be told to go forward in
 * time). A signed note is that text, a blank line, and signature lines `— <key name>
 * <base64(key id || signature)>`, the key id being the first four bytes of
 * SHA-256(key name || 0x0A || 0x01 || public key) and the signature covering the text with its
 * final newline. Pure, on node:crypto.
 */
import { createHash, createPublicKey, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Buffer;
  /** Extension lines, in order (no newlines in them). */
  readonly extensions: readonly string[];
}

const EM_DASH = '\u2014';

/** The checkpoint's text, ending in a newline. */
export const checkpointText = (c: Checkpoint): string => {
  for (const line of [c.origin, ...c.extensions]) {
    // A note holds no control character but its newlines.
    if (line === '' || [...line].some((ch) => ch.charCodeAt(0) < 0x20)) {
      throw new Error(`not a checkpoint line: ${JSON.stringify(line)}`);
    }
  }
  return [c.origin, String(c.size), c.root.toString('base64'), ...c.extensions]
    .map((l) => `${l}\n`)
    .join('');
};

/** The checkpoint in a text, or undefined when it is not one. */
export const parseCheckpoint = (text: string): Checkpoint | undefined => {
  if (!text.endsWith('\n')) return undefined;
  const [origin, size, root, ...extensions] = text.slice(0, -1).split('\n');
  if (origin === undefined || origin === '' || size === undefined || root === undefined)
    return undefined;
  if (!/^(0|[1-9]\d{0,15})$/.test(size)) return undefined;
  const hash = Buffer.from(root, 'base64');
  if (hash.length !== 32 || hash.toString('base64') !== root) return undefined;
  if (extensions.some((e) => e === '')) return undefined;
  return { origin, size: Number(size), root: hash, extensions };
};

/** The raw 32 bytes of an Ed25519 public key. */
export const rawPublicKey = (key: KeyObject): Buffer =>
  Buffer.from(
    (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' }).x ?? '',
    'base64url',
  );

export const keyId = (name: string, publicKey: KeyObject): Buffer =>
  createHash('sha256')
    .update(
      Buffer.concat([
        Buffer.from(`${name}\n`, 'utf8'),
        Buffer.from([0x01]),
        rawPublicKey(publicKey),
      ]),
    )
    .digest()
    .subarray(0, 4);

/** A C2SP key name: non-empty, no spaces, no plus signs. */
const validName = (name: string) => name !== '' && !/[\s+]/u.test(name);

/** `text` (ending in a newline) signed by `name` with its Ed25519 private key. */
export const signNote = (text: string, name: string, privateKey: KeyObject): string => {
  if (!text.endsWith('\n') || text.includes('\n\n'))
    throw new Error('a note text ends in one newline and has no blank line');
  if (!validName(name)) throw new Error(`not a key name: ${name}`);
  const signature = sign(null, Buffer.from(text, 'utf8'), privateKey);
  return `${text}\n${EM_DASH} ${name} ${Buffer.concat([keyId(name, privateKey), signature]).toString('base64')}\n`;
};

export type NoteCheck =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

/** Whether `note` is signed by `name`'s key; its text when it is. */
export const verifyNote = (note: string, name: string, publicKey: KeyObject): NoteCheck => {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return { ok: false, reason: 'not a signed note' };
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  const id = keyId(name, publicKey);
  for (const line of lines) {
    const match = new RegExp(`^${EM_DASH} (\\S+) ([A-Za-z0-9+/]+={0,2})$`).exec(line);
    if (match === null)
      return { ok: false, reason: `a malformed signature line: ${line.slice(0, 80)}` };
    if (match[1] !== name) continue;
    const bytes = Buffer.from(match[2]!, 'base64');
    if (bytes.length !== 68 || !bytes.subarray(0, 4).equals(id)) continue;
    return verify(null, Buffer.from(text, 'utf8'), publicKey, bytes.subarray(4))
      ? { ok: true, text }
      : { ok: false, reason: `the signature of ${name} does not verify` };
  }
  return { ok: false, reason: `no signature of ${name} with this key` };
};

/** A C2SP verifier key for an Ed25519 key: `<name>+<hex key id>+<base64(0x01 || key)>`. */
export const verifierKey = (name: string, key: KeyObject): string =>
  `${name}+${keyId(name, key).toString('hex')}+${Buffer.concat([Buffer.from([0x01]), rawPublicKey(key)]).toString('base64')}`;

/** The name and Ed25519 public key of a verifier key, or undefined when it is not one. */
export const parseVerifierKey = (
  text: string,
): { readonly name: string; readonly publicKey: KeyObject } | undefined => {
  const match = /^([^\s+]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+={0,2})$/.exec(text.trim());
  if (match === null) return undefined;
  const bytes = Buffer.from(match[3]!, 'base64');
  if (bytes.length !== 33 || bytes[0] !== 0x01) return undefined;
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: bytes.subarray(1).toString('base64url') },
      format: 'jwk',
    });
  } catch {
    return undefined;
  }
  if (keyId(match[1]!, publicKey).toString('hex') !== match[2]) return undefined;
  return { name: match[1]!, publicKey };
};
