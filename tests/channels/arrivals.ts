/** Waiting on what a test's consumer has received: wake on each arrival, resolve when it holds. */
export const arrivals = <T>(items: readonly T[], what: string) => {
  const waiters = new Set<() => void>();
  return {
    /** Call after each arrival. */
    notify: () => {
      for (const wake of [...waiters]) wake();
    },
    /** Resolves once `predicate` holds for the items (rejects after `timeoutMs`). */
    until: (predicate: (items: readonly T[]) => boolean, timeoutMs = 15_000): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!predicate(items)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`${what}: condition not met in ${timeoutMs} ms (${items.length} received)`),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
};
