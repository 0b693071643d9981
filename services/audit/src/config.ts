/**
 * The audit service's own settings, from the environment, decoded by one codec:
 * AUDIT_LOG_ORIGIN (the checkpoint origin and key name, default `newsroom/<store schema>`),
 * AUDIT_SIGNING_KEY_FILE (an Ed25519 private key, PKCS#8 PEM; unset: a development key made
 * once in DATA_DIR, with a warning), AUDIT_SEAL_INTERVAL_MS (how often a tree head is signed
 * when the log grew, default 60000), AUDIT_TREE_POLL_MS (how often the tree takes in new events,
 * default 250), and the public topic as syndication reads it (PUBLIC_TOPIC, SYNDICATION_TOPIC,
 * TRANSPORT): tree heads go there too.
 */
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as t from 'io-ts';
import {
  decodeEnvironment,
  intFromString,
  settingsOrExit,
  textMatching,
  TopicNameFromString,
} from '@newsroom/service-kit';

const Origin = textMatching(
  'LogOrigin',
  /^[A-Za-z0-9._:/-]{1,200}$/,
  'a log origin: letters, digits and . _ : / - (no spaces, no plus)',
);

export const AuditEnvironment = t.partial({
  AUDIT_LOG_ORIGIN: Origin,
  AUDIT_SIGNING_KEY_FILE: t.string,
  AUDIT_SEAL_INTERVAL_MS: intFromString('AuditSealIntervalMs', 100, 86_400_000),
  AUDIT_TREE_POLL_MS: intFromString('AuditTreePollMs', 10, 60_000),
  DATA_DIR: t.string,
  EVENT_STORE_SCHEMA: t.string,
  PUBLIC_TOPIC: t.keyof({ true: null, false: null }),
  SYNDICATION_TOPIC: TopicNameFromString,
  TRANSPORT: t.string,
});

export interface AuditConfig {
  /** The checkpoint origin, also the signing key's name. */
  readonly origin: string;
  readonly signingKey: KeyObject;
  /** Where the key came from: a development key is said so at start-up. */
  readonly keySource: {
    readonly kind: 'file' | 'development' | 'ephemeral';
    readonly path: string;
  };
  readonly sealIntervalMs: number;
  readonly treePollMs: number;
  /** The public topic tree heads are sent to, when the process sends to it. */
  readonly publicTopic: string | undefined;
}

const DEVELOPMENT_KEY = 'audit-signing-key.pem';

/** The development key in `dataDir`, made once: two processes starting together get one key. */
export const developmentKey = (dataDir: string): KeyObject => {
  const path = join(dataDir, DEVELOPMENT_KEY);
  try {
    return createPrivateKey(readFileSync(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' });
  const draft = `${path}.${process.pid}.tmp`;
  writeFileSync(draft, pem, { mode: 0o600 });
  try {
    linkSync(draft, path); // fails when another process made it first: theirs is the key
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(draft, { force: true });
  }
  return createPrivateKey(readFileSync(path, 'utf8'));
};

const ed25519 = (pem: string, path: string): KeyObject => {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(
      `AUDIT_SIGNING_KEY_FILE ${path} is a ${key.asymmetricKeyType} key, not Ed25519`,
    );
  }
  return key;
};

/** Where a key that lives as long as the process comes from. */
export const EPHEMERAL_KEY = { kind: 'ephemeral', path: '' } as const;

/** The settings, or every variable that is wrong, in one error. */
export const auditConfig = (env: Readonly<Record<string, string | undefined>>): AuditConfig => {
  const e = decodeEnvironment(AuditEnvironment, env);
  const dataDir = e.DATA_DIR ?? '.data';
  const keyFile = e.AUDIT_SIGNING_KEY_FILE;
  return {
    origin: e.AUDIT_LOG_ORIGIN ?? `newsroom/${e.EVENT_STORE_SCHEMA ?? 'event_store'}`,
    ...(keyFile === undefined
      ? dataDir === 'memory://'
        ? // No folder to keep a key in: one that lives as long as the process, as the store does.
          { signingKey: generateKeyPairSync('ed25519').privateKey, keySource: EPHEMERAL_KEY }
        : {
            signingKey: developmentKey(dataDir),
            keySource: { kind: 'development', path: join(dataDir, DEVELOPMENT_KEY) },
          }
      : {
          signingKey: ed25519(readFileSync(keyFile, 'utf8'), keyFile),
          keySource: { kind: 'file', path: keyFile },
        }),
    sealIntervalMs: e.AUDIT_SEAL_INTERVAL_MS ?? 60_000,
    treePollMs: e.AUDIT_TREE_POLL_MS ?? 250,
    publicTopic:
      (e.PUBLIC_TOPIC ?? (e.TRANSPORT === 'kafka' ? 'true' : 'false')) === 'true'
        ? (e.SYNDICATION_TOPIC ?? 'newsroom.syndication.v1')
        : undefined,
  };
};

/** The settings of a process's environment (a development key said so); exit 1 when wrong. */
export const auditConfigOrExit = (env: Readonly<Record<string, string | undefined>>): AuditConfig =>
  settingsOrExit(() => {
    const config = auditConfig(env);
    if (config.keySource.kind === 'ephemeral') {
      console.error(
        JSON.stringify({
          level: 'warn',
          msg: 'DATA_DIR is memory:// and AUDIT_SIGNING_KEY_FILE is not set: tree heads are signed with a key that ends with the process',
        }),
      );
    }
    if (config.keySource.kind === 'development') {
      console.error(
        JSON.stringify({
          level: 'warn',
          msg: 'AUDIT_SIGNING_KEY_FILE is not set: tree heads are signed with a development key',
          path: config.keySource.path,
        }),
      );
    }
    return config;
  });
