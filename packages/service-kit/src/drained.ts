import type { Response } from 'express';

/** Until the client took what was written, or went away (at once if it has already gone). */
export const drained = (res: Response): Promise<void> =>
  new Promise<void>((resolve) => {
    if (res.destroyed || res.writableEnded) return resolve();
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
