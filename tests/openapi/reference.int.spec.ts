/**
 * The API reference against what the processes really mount: the one-process system's
 * document is a valid OpenAPI 3.1 document, and it names every route each process answers
 * and nothing else, for the one-process system and each service process alike.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allServices } from '@newsroom/platform';
import {
  createApp,
  openEventStore,
  processReference,
  processRoutes,
  serviceDeps,
} from '@newsroom/service-kit';
import type { OpenedStore, ServiceDefinition } from '@newsroom/service-kit';
import { operationsOf, routesOf } from './routes-of.js';

let opened: OpenedStore;
let services: readonly ServiceDefinition[];

beforeAll(async () => {
  opened = await openEventStore({ databaseUrl: undefined, dataDir: 'memory://' });
  const deps = serviceDeps(
    { schemaPrefix: undefined, auth: { kind: 'hs256', secret: 'x'.repeat(64) } },
    opened,
    new Registry(),
  );
  services = allServices(deps);
});

afterAll(async () => {
  for (const s of services) await s.stop?.();
  await opened.close();
});

const referenceOf = (running: readonly ServiceDefinition[]) =>
  processReference(running) as unknown as { paths: Record<string, Record<string, unknown>> };

describe('the API reference', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(referenceOf(services)));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('names every route of the one-process system, and nothing it does not answer', () => {
    const { app } = createApp({ routes: processRoutes(services) });
    const mounted = routesOf(app);
    expect(mounted.length).toBeGreaterThan(50);
    expect(operationsOf(referenceOf(services))).toEqual(mounted);
  });

  it.each(['drafting', 'review', 'publishing', 'syndication', 'audit'])(
    'names every route of the %s process alone',
    (name) => {
      const alone = services.filter((s) => s.name === name);
      const { app } = createApp({ routes: processRoutes(alone) });
      expect(operationsOf(referenceOf(alone))).toEqual(routesOf(app));
    },
  );
});
