/**
 * Commands on one stream from one process, one at a time. Without it, concurrent commands on a
 * hot article race each other to the store and all but one lose and retry; with it they only
 * race commands from other processes. Streams are independent: different ones run in parallel.
 */
export class StreamQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `task` after every task queued before it for `key`; the key is forgotten when idle. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Streams with a task queued or running (for tests and metrics). */
  get size(): number {
    return this.tails.size;
  }
}
