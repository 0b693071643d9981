/** `run`, once at a time: a call while a run is under way gets that run's result. */
export interface SharedRun<A> {
  (): Promise<A>;
  /** The run under way, if any (to wait for it at shutdown). */
  readonly current: () => Promise<A> | undefined;
}

export const sharedRun = <A>(run: () => Promise<A>): SharedRun<A> => {
  let running: Promise<A> | undefined;
  const shared = () =>
    (running ??= run().finally(() => {
      running = undefined;
    }));
  return Object.assign(shared, { current: () => running });
};
