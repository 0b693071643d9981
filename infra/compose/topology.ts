/**
 * The six processes of the system, as `npm run start:cluster` runs them on one machine and a
 * deployment would on several. Ports are the defaults of each main; TRANSPORT=kafka makes a
 * process's processors read article events through their own consumer groups (the relay and
 * the scheduler read the store's log in every wiring: each runs once, behind its lock).
 */
export interface ProcessSpec {
  readonly name: string;
  readonly entry: string;
  readonly port: number;
  readonly env: Readonly<Record<string, string>>;
}

export const TOPOLOGY: readonly ProcessSpec[] = [
  { name: 'drafting', entry: 'services/drafting/src/main.ts', port: 8081, env: {} },
  { name: 'review', entry: 'services/review/src/main.ts', port: 8082, env: { TRANSPORT: 'kafka' } },
  { name: 'publishing', entry: 'services/publishing/src/main.ts', port: 8083, env: {} },
  {
    name: 'syndication',
    entry: 'services/syndication/src/main.ts',
    port: 8084,
    env: { TRANSPORT: 'kafka' },
  },
  // Its tree heads go to the public topic beside the articles (PUBLIC_TOPIC, as syndication).
  { name: 'audit', entry: 'services/audit/src/main.ts', port: 8085, env: { PUBLIC_TOPIC: 'true' } },
  { name: 'relay', entry: 'services/relay/src/main.ts', port: 8086, env: {} },
];

export const specOf = (name: string): ProcessSpec => {
  const spec = TOPOLOGY.find((s) => s.name === name);
  if (spec === undefined) throw new Error(`no process named ${name}`);
  return spec;
};
