/** A progress bar on stderr for long work: done of total, rate, time left. Redrawn in place on
 *  a terminal; elsewhere (a log, CI) a line every few seconds. */
export interface Progress {
  readonly update: (done: number, total: number) => void;
  readonly finish: () => void;
}

const clock = (seconds: number) =>
  !Number.isFinite(seconds)
    ? '--:--'
    : `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;

export const progressBar = (
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): Progress => {
  const started = Date.now();
  let last = 0;
  let line = '';
  const draw = (done: number, total: number) => {
    const elapsed = Math.max(0.001, (Date.now() - started) / 1000);
    const rate = done / elapsed;
    const share = total === 0 ? 1 : Math.min(1, done / total);
    const width = 30;
    const bar = '#'.repeat(Math.round(share * width)).padEnd(width, '.');
    line = `${label} [${bar}] ${done.toLocaleString('en')}/${total.toLocaleString('en')} events, ${Math.round(rate).toLocaleString('en')}/s, ${clock(rate > 0 ? (total - done) / rate : Infinity)} left`;
  };
  return {
    update: (done, total) => {
      draw(done, total);
      if (stream.isTTY) stream.write(`\r${line}`);
      else if (Date.now() - last >= 2_000) {
        last = Date.now();
        stream.write(`${line}\n`);
      }
    },
    finish: () => {
      stream.write(stream.isTTY ? `\r${line}\n` : `${line}\n`);
    },
  };
};
