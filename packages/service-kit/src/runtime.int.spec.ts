/** The PGlite data folder lock, on a real folder, and a store reopened from it. */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockDataDir, openEventStore } from './runtime.js';

describe('the PGlite data folder', () => {
  it('refuses a second owner while the first is alive, and takes over a dead one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsroom-lock-'));
    const unlock = lockDataDir(dir);
    expect(readFileSync(join(dir, 'newsroom.lock'), 'utf8')).toBe(String(process.pid));
    expect(() => lockDataDir(dir)).toThrow(/in use by process/);
    unlock();
    expect(existsSync(join(dir, 'newsroom.lock'))).toBe(false);

    writeFileSync(join(dir, 'newsroom.lock'), '999999999'); // no such process
    const again = lockDataDir(dir);
    expect(readFileSync(join(dir, 'newsroom.lock'), 'utf8')).toBe(String(process.pid));
    again();
  });

  it('keeps what was appended across a close and a reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsroom-data-'));
    const first = await openEventStore({ databaseUrl: undefined, dataDir: dir });
    await first.store.appendToStream('article-00000000-0000-4000-8000-000000000001', [
      { id: '00000000-0000-4000-8000-0000000000aa', type: 'Noted.v1', data: { text: 'Hải Phòng' } },
    ]);
    await expect(openEventStore({ databaseUrl: undefined, dataDir: dir })).rejects.toThrow(
      /in use/,
    );
    await first.close();
    const second = await openEventStore({ databaseUrl: undefined, dataDir: dir });
    const events = await second.store.readStream('article-00000000-0000-4000-8000-000000000001');
    expect(events.map((e) => e.data)).toEqual([{ text: 'Hải Phòng' }]);
    await second.close();
  });
});
