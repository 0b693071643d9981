/**
 * Commands on one stream from one process, one at a time. Without it, concurrent commands on a
 * hot article race each other to the store and all but one lose and retry; with it they only
 * race commands from other processes. Streams are independent: different ones run in parallel.
 * A stream's queue is bounded: past `maxWaiting` tasks, `run` refuses at once (the caller
 * answers 503) instead of holding ever more request bodies in memory.
 */
export class StreamQueue {
  private readonly queues = new Map<string, { tail: Promise<unknown>; count: number }>();

  constructor(private readonly maxWaiting = 256) {}

  /** Runs `task` after every task queued before it for `key`; `undefined` when the queue is
   *  full (nothing is run). The key is forgotten when idle. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> | undefined {
    const queue = this.queues.get(key) ?? { tail: Promise.resolve(), count: 0 };
    if (queue.count >= this.maxWaiting) return undefined;
    queue.count++;
    const result = queue.tail.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    queue.tail = tail;
    this.queues.set(key, queue);
    void tail.then(() => {
      queue.count--;
      if (queue.count === 0 && this.queues.get(key) === queue) this.queues.delete(key);
    });
    return result;
  }

  /** Streams with a task queued or running (for tests and metrics). */
  get size(): number {
    return this.queues.size;
  }
}
