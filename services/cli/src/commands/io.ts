/** What every subcommand shares: output for people or (`--json`) for scripts, exit codes. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface Output {
  readonly json: boolean;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export const stdio = (json: boolean): Output => ({
  json,
  out: (text) => void process.stdout.write(`${text}\n`),
  err: (text) => void process.stderr.write(`${text}\n`),
});

/** A result as one JSON line (`--json`) or as the lines a person reads. */
export const show = (o: Output, value: unknown, human: () => readonly string[]): void => {
  if (o.json) o.out(JSON.stringify(value));
  else for (const line of human()) o.out(line);
};
