/** Where the audit's signing key comes from, for each way a process keeps its data. */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditConfig } from './config.js';

describe('the audit signing key', () => {
  it('is a development key kept in the data folder, the same on a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsroom-audit-key-'));
    const first = auditConfig({ DATA_DIR: dir });
    expect(first.keySource).toEqual({
      kind: 'development',
      path: join(dir, 'audit-signing-key.pem'),
    });
    expect(readFileSync(first.keySource.path, 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
    const again = auditConfig({ DATA_DIR: dir });
    expect(again.signingKey.export({ format: 'pem', type: 'pkcs8' })).toEqual(
      first.signingKey.export({ format: 'pem', type: 'pkcs8' }),
    );
  });

  it('lives as long as the process when the data lives in memory: no folder is made', () => {
    const config = auditConfig({ DATA_DIR: 'memory://' });
    expect(config.keySource.kind).toBe('ephemeral');
    expect(config.signingKey.asymmetricKeyType).toBe('ed25519');
    expect(existsSync('memory:')).toBe(false);
  });
});
