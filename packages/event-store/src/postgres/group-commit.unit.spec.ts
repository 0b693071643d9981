/**
 * The queue's decisions alone (what goes together, in what order, what runs again), with a
 * fake batch runner named as such: it records each batch and answers when the test says. What
 * a batch does in the database is the contract's business (group-commit.contract.ts).
 */
import { describe, expect, it } from 'vitest';
import type { BatchAnswer, GroupCommitOptions } from './group-commit.js';
import { groupCommitter } from './group-commit.js';

interface Append {
  readonly streamName: string;
  readonly eventCount: number;
  readonly name: string;
}

const append = (name: string, streamName = name, eventCount = 1): Append => ({
  name,
  streamName,
  eventCount,
});

/** A fake runner: each batch waits until the test answers it. */
function fakeRunner() {
  const batches: {
    names: string[];
    answer: (a: readonly BatchAnswer<string>[] | Error) => void;
  }[] = [];
  const run = (batch: readonly Append[]) =>
    new Promise<readonly BatchAnswer<string>[]>((resolve, reject) => {
      batches.push({
        names: batch.map((a) => a.name),
        answer: (a) => (a instanceof Error ? reject(a) : resolve(a)),
      });
    });
  /** Answers batch `i` with every append ok (its name back), or with the given answers. */
  const answer = async (i: number, answers?: readonly BatchAnswer<string>[] | Error) => {
    const batch = batches[i];
    if (!batch) throw new Error(`no batch ${i}`);
    batch.answer(answers ?? batch.names.map((name) => ({ ok: name })));
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { run, batches, answer, names: () => batches.map((b) => b.names) };
}

const options = (o: Partial<GroupCommitOptions> = {}): GroupCommitOptions => ({
  maxEvents: 100,
  maxInFlight: 1,
  maxAttempts: 3,
  ...o,
});

const settled = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
  );

describe('group commit queue', () => {
  it('an append on an idle store runs at once, alone', async () => {
    const fake = fakeRunner();
    const q = groupCommitter(fake.run, options());
    const a = q.submit(append('a'));
    expect(fake.names()).toEqual([['a']]);
    await fake.answer(0);
    expect(await a).toBe('a');
  });

  it('appends that arrive while batches are in flight wait, then go together in arrival order', async () => {
    const fake = fakeRunner();
    const q = groupCommitter(fake.run, options({ maxInFlight: 2 }));
    const results = ['a', 'b', 'c', 'd', 'e'].map((n) => q.submit(append(n)));
    expect(fake.names()).toEqual([['a'], ['b']]);
    await fake.answer(1);
    expect(fake.names()).toEqual([['a'], ['b'], ['c', 'd', 'e']]);
    await fake.answer(0);
    await fake.answer(2);
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('never runs two batches with the same stream, and never lets an append overtake an earlier one to its stream', async () => {
    const fake = fakeRunner();
    const q = groupCommitter(fake.run, options({ maxInFlight: 2 }));
    const all = [
      q.submit(append('s1', 's')),
      q.submit(append('s2', 's')), // s is in flight: waits
      q.submit(append('t1', 't')), // may go now
      q.submit(append('s3', 's')),
    ];
    expect(fake.names()).toEqual([['s1'], ['t1']]);
    await fake.answer(0);
    expect(fake.names()[2]).toEqual(['s2', 's3']); // chained in order in one batch
    await fake.answer(1);
    await fake.answer(2);
    await Promise.all(all);
  });

  it('caps the events of a batch; an append larger than the cap runs alone', async () => {
    const fake = fakeRunner();
    const q = groupCommitter(fake.run, options({ maxEvents: 3 }));
    const all = [
      q.submit(append('first')),
      q.submit(append('two', 'two', 2)),
      q.submit(append('one')),
      q.submit(append('big', 'big', 5)),
      q.submit(append('last')),
    ];
    await fake.answer(0);
    expect(fake.names()[1]).toEqual(['two', 'one']);
    await fake.answer(1);
    expect(fake.names()[2]).toEqual(['big']);
    await fake.answer(2);
    expect(fake.names()[3]).toEqual(['last']);
    await fake.answer(3);
    await Promise.all(all);
  });

  it('maxEvents 0: every append a batch of its own', async () => {
    const fake = fakeRunner();
    const q = groupCommitter(fake.run, options({ maxEvents: 0, maxInFlight: 8 }));
    const all = ['a', 'b', 'c'].map((n) => q.submit(append(n)));
    expect(fake.names()).toEqual([['a'], ['b'], ['c']]);
    for (const i of [0, 1, 2]) await fake.answer(i);
    await Promise.all(all);
  });

  it('an append told to retry goes first into the next batch, and fails after maxAttempts', async () => {
    const fake = fakeRunner();
    const q = groupCommitter(fake.run, options({ maxAttempts: 2 }));
    const holder = q.submit(append('holder'));
    const r = settled(q.submit(append('r')));
    const x = q.submit(append('x'));
    await fake.answer(0);
    expect(fake.names()[1]).toEqual(['r', 'x']);
    await fake.answer(1, [{ retry: true }, { ok: 'x' }]);
    expect(fake.names()[2]).toEqual(['r']);
    await fake.answer(2, [{ retry: true }]);
    expect(await r).toEqual({ error: expect.stringMatching(/kept racing .*2 attempts/) });
    expect(await x).toBe('x');
    await holder;
  });

  it('a batch that fails as a whole: each of its appends runs again alone', async () => {
    const fake = fakeRunner();
    const q = groupCommitter(fake.run, options());
    const holder = q.submit(append('holder'));
    const [a, b] = [settled(q.submit(append('a'))), settled(q.submit(append('b')))];
    await fake.answer(0);
    await fake.answer(1, new Error('the statement failed'));
    expect(fake.names().slice(2)).toEqual([['a']]); // alone, one after the other
    await fake.answer(2, new Error('a is bad'));
    expect(fake.names()[3]).toEqual(['b']);
    await fake.answer(3);
    expect(await a).toEqual({ error: 'a is bad' });
    expect(await b).toEqual({ value: 'b' });
    await holder;
  });

  it('a caller that gives up while its append waits: dropped, never handed to a batch', async () => {
    const fake = fakeRunner();
    const q = groupCommitter(fake.run, options());
    const holder = q.submit(append('holder'));
    const giveUp = new AbortController();
    const gone = settled(q.submit(append('gone'), giveUp.signal));
    const kept = q.submit(append('kept'));
    giveUp.abort(new Error('hung up'));
    expect(await gone).toEqual({ error: 'hung up' });
    await fake.answer(0);
    expect(fake.names()).toEqual([['holder'], ['kept']]);
    await fake.answer(1);
    expect(await kept).toBe('kept');
    await holder;
    // Already aborted: refused at once.
    expect(await settled(q.submit(append('late'), giveUp.signal))).toEqual({ error: 'hung up' });
    expect(fake.batches).toHaveLength(2);
  });

  it('at most maxMultiEventAppends appends of several events go in one batch', async () => {
    const fake = fakeRunner();
    const q = groupCommitter(fake.run, options({ maxMultiEventAppends: 2 }));
    const all = [
      q.submit(append('holder')),
      ...['m1', 'm2', 'm3'].map((n) => q.submit(append(n, n, 3))),
      q.submit(append('single')),
    ];
    await fake.answer(0);
    expect(fake.names()[1]).toEqual(['m1', 'm2', 'single']);
    await fake.answer(1);
    expect(fake.names()[2]).toEqual(['m3']);
    await fake.answer(2);
    await Promise.all(all);
  });

  it('a rerun alone whose error only echoes the failed batch gets the batch error instead', async () => {
    const fake = fakeRunner();
    const q = groupCommitter(
      fake.run,
      options({
        rerunFailed: (error, batchFailure) =>
          error instanceof Error && error.message === 'aborted' ? batchFailure : error,
      }),
    );
    const holder = q.submit(append('holder'));
    const [a, b] = [settled(q.submit(append('a'))), settled(q.submit(append('b')))];
    await fake.answer(0);
    await fake.answer(1, new Error('poison'));
    await fake.answer(2, new Error('aborted'));
    await fake.answer(3, new Error('something else'));
    expect(await a).toEqual({ error: 'poison' });
    expect(await b).toEqual({ error: 'something else' });
    await holder;
  });

  it('an append whose caller gave up while it was being written is not sent again', async () => {
    const fake = fakeRunner();
    const q = groupCommitter(fake.run, options());
    const holder = q.submit(append('holder'));
    const giveUp = new AbortController();
    const a = q.submit(append('a'));
    const b = settled(q.submit(append('b'), giveUp.signal));
    await fake.answer(0);
    expect(fake.names()[1]).toEqual(['a', 'b']);
    giveUp.abort(new Error('gave up')); // being written: the batch decides
    await fake.answer(1, new Error('the statement failed'));
    expect(await b).toEqual({ error: 'gave up' }); // not rerun
    expect(fake.names()).toEqual([['holder'], ['a', 'b'], ['a']]);
    await fake.answer(2);
    expect(await a).toBe('a');
    await holder;
  });

  it('once closed, takes no more appends and finishes those it has', async () => {
    const fake = fakeRunner();
    const q = groupCommitter(fake.run, options());
    const a = q.submit(append('a'));
    const b = q.submit(append('b'));
    let closed = false;
    const closing = q.close(new Error('closed')).then(() => (closed = true));
    expect(await settled(q.submit(append('c')))).toEqual({ error: 'closed' });
    await fake.answer(0);
    expect(closed).toBe(false);
    await fake.answer(1);
    await closing;
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    expect(fake.names()).toEqual([['a'], ['b']]);
  });

  it('drained waits for every queued and running append', async () => {
    const fake = fakeRunner();
    const q = groupCommitter(fake.run, options());
    void q.submit(append('a'));
    void q.submit(append('b'));
    let drained = false;
    const done = q.drained().then(() => (drained = true));
    await fake.answer(0);
    expect(drained).toBe(false);
    await fake.answer(1);
    await done;
    expect(q.stats()).toEqual({ batches: 2, appends: 2, largestBatch: 1 });
  });
});
