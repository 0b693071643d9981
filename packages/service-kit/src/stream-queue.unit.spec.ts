import { describe, expect, it } from 'vitest';
import { StreamQueue } from './stream-queue.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('StreamQueue', () => {
  it('runs the tasks of one key one at a time, in order, and of other keys side by side', async () => {
    const queue = new StreamQueue();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const task = (key: string, i: number) => async () => {
      running++;
      most = Math.max(most, running);
      log.push(`${key}${i}+`);
      await tick();
      log.push(`${key}${i}-`);
      running--;
      return i;
    };
    const results = await Promise.all([
      queue.run('a', task('a', 1)),
      queue.run('a', task('a', 2)),
      queue.run('b', task('b', 1)),
    ]);
    expect(results).toEqual([1, 2, 1]);
    expect(log.filter((l) => l.startsWith('a'))).toEqual(['a1+', 'a1-', 'a2+', 'a2-']);
    expect(most).toBe(2); // a and b overlapped
    expect(queue.size).toBe(0);
  });

  it('a failing task fails alone and the next one still runs', async () => {
    const queue = new StreamQueue();
    const failed = queue.run('a', async () => {
      throw new Error('boom');
    });
    const next = queue.run('a', async () => 'ran');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
  });

  it('refuses at once past its bound per key, and takes tasks again once they drain', async () => {
    const queue = new StreamQueue(2);
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = queue.run('a', () => gate);
    const second = queue.run('a', async () => 'second');
    expect(queue.run('a', async () => 'third')).toBeUndefined();
    expect(queue.run('b', async () => 'other key')).toBeDefined();
    release();
    await first;
    await expect(second).resolves.toBe('second');
    await tick();
    await expect(queue.run('a', async () => 'again')).resolves.toBe('again');
  });
});
