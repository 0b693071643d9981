/**
 * Signed tree heads: a checkpoint signed by the log's key verifies, and a changed size, root,
 * time or origin, another key, another name, a re-signed note or a malformed line does not.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkpointText,
  keyId,
  parseCheckpoint,
  rawPublicKey,
  signNote,
  verifyNote,
} from './checkpoint.js';
import { leafHash, rootOf } from './merkle.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const NAME = 'newsroom.haiphong.gov.vn/log';
const root = rootOf(['a', 'b', 'c'].map((s) => leafHash(Buffer.from(s))));
const head = { origin: NAME, size: 3, root, extensions: ['time 2019-04-08T20:59:00+07:00'] };

describe('signed tree heads (C2SP checkpoints, Ed25519)', () => {
  it('writes the checkpoint text and reads it back', () => {
    const text = checkpointText(head);
    expect(text).toBe(`${NAME}\n3\n${root.toString('base64')}\ntime 2019-04-08T20:59:00+07:00\n`);
    expect(parseCheckpoint(text)).toEqual(head);
    expect(parseCheckpoint(`${NAME}\n03\n${root.toString('base64')}\n`)).toBeUndefined();
    expect(parseCheckpoint(`${NAME}\n3\nnot-base64\n`)).toBeUndefined();
  });

  it('signs as a C2SP note: an em-dash line with the key id and the signature', () => {
    const note = signNote(checkpointText(head), NAME, privateKey);
    const [text, signature] = note.split('\n\n');
    expect(`${text}\n`).toBe(checkpointText(head));
    const match = /^\u2014 (\S+) (\S+)\n$/.exec(signature!);
    expect(match?.[1]).toBe(NAME);
    const bytes = Buffer.from(match![2]!, 'base64');
    expect(bytes).toHaveLength(68);
    expect(bytes.subarray(0, 4)).toEqual(keyId(NAME, publicKey));
    expect(rawPublicKey(publicKey)).toHaveLength(32);
    expect(verifyNote(note, NAME, publicKey)).toEqual({ ok: true, text: checkpointText(head) });
  });

  it('refuses anything changed, another key or name, and a malformed line', () => {
    const note = signNote(checkpointText(head), NAME, privateKey);
    const changed = (from: string, to: string) =>
      verifyNote(note.replace(from, to), NAME, publicKey).ok;
    expect(changed(`\n3\n`, `\n4\n`)).toBe(false); // the size
    expect(changed(root.toString('base64'), rootOf([]).toString('base64'))).toBe(false); // the root
    expect(changed('20:59:00', '21:00:00')).toBe(false); // the time
    expect(verifyNote(note, NAME, other.publicKey).ok).toBe(false); // another key
    expect(verifyNote(note, 'example.org/log', publicKey).ok).toBe(false); // another name
    // Re-signed by someone else under the same name: not the log's key.
    const forged = signNote(checkpointText({ ...head, size: 9 }), NAME, other.privateKey);
    expect(verifyNote(forged, NAME, publicKey)).toMatchObject({ ok: false });
    expect(verifyNote(note.replace('\u2014', '--'), NAME, publicKey).ok).toBe(false);
    expect(verifyNote('no signature here\n', NAME, publicKey).ok).toBe(false);
    expect(() => signNote('two\n\nparagraphs\n', NAME, privateKey)).toThrow();
    expect(() => signNote('text\n', 'a name', privateKey)).toThrow();
  });
});
