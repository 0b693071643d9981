/**
 * The system as separate OS processes for an e2e suite: the topology of infra/compose (each
 * process its own main, port and log), on the real PostgreSQL server in a fresh store schema
 * and read-model prefix, over a real broker on a fresh article-events topic. Several instances
 * of one process are started as a deployment would scale it (one consumer group, one lock).
 */
import { randomUUID } from 'node:crypto';
import { connectAdmin, createTopic, kafkaFromEnv } from '@newsroom/messaging';
import { specOf, TOPOLOGY } from '../../infra/compose/topology.js';
import { dropSystemSchemas, signToken, startServiceProcess } from '../support.js';
import type { ServiceProcess } from '../support.js';

export type ProcessName = (typeof TOPOLOGY)[number]['name'];

export interface TestCluster {
  readonly schema: string;
  readonly topic: string;
  readonly brokers: string;
  readonly databaseUrl: string;
  /** The running instances of one process, in start order. */
  readonly instances: (name: ProcessName) => readonly ServiceProcess[];
  /** The URL of a running instance of `name` (the first). */
  readonly url: (name: ProcessName) => string;
  /** One more instance of `name`. */
  readonly start: (name: ProcessName) => Promise<ServiceProcess>;
  /** SIGKILL of one instance; it leaves `instances`. */
  readonly kill: (instance: ServiceProcess) => Promise<void>;
  /** SIGTERM of one instance (its shutdown runs); it leaves `instances`. */
  readonly terminate: (instance: ServiceProcess) => Promise<void>;
  readonly token: (role: string, sub: string) => Promise<string>;
  /** Stops every process and drops the schemas. */
  readonly stop: () => Promise<void>;
}

export const startTestCluster = async (options: {
  readonly databaseUrl: string;
  readonly brokers: string;
  /** How many instances of each process (default one of each). */
  readonly instances?: Partial<Record<ProcessName, number>>;
  readonly partitions?: number;
  /** More environment for every process. */
  readonly env?: Readonly<Record<string, string>>;
}): Promise<TestCluster> => {
  const schema = `e2e_${randomUUID().replace(/-/g, '')}`;
  const topic = `e2e.cluster.${randomUUID()}`;
  const secret = randomUUID() + randomUUID();
  const kafka = kafkaFromEnv({ clientId: 'cluster-e2e', env: { KAFKA_BROKERS: options.brokers } });
  const admin = await connectAdmin(kafka, { brokers: [options.brokers] });
  await createTopic(admin, topic, options.partitions ?? 3);
  await admin.disconnect();
  const env = {
    DATABASE_URL: options.databaseUrl,
    EVENT_STORE_SCHEMA: schema,
    SCHEMA_PREFIX: schema,
    JWT_SECRET: secret,
    KAFKA_BROKERS: options.brokers,
    ARTICLE_EVENTS_TOPIC: topic,
    STANDBY_POLL_MS: '250',
    // The public topic only where a suite asks for it (with a topic of its own).
    PUBLIC_TOPIC: 'false',
    ...options.env,
  };
  const running = new Map<ProcessName, ServiceProcess[]>();
  const start = async (name: ProcessName) => {
    const spec = specOf(name);
    // The topology sends to the public topic by default; a suite does only when it asks.
    const child = await startServiceProcess(spec.entry, {
      ...env,
      ...spec.env,
      PUBLIC_TOPIC: env.PUBLIC_TOPIC,
    });
    running.set(name, [...(running.get(name) ?? []), child]);
    return child;
  };
  const instances = (name: ProcessName) => running.get(name) ?? [];
  const forget = (instance: ServiceProcess) => {
    for (const [name, list] of running)
      running.set(
        name,
        list.filter((p) => p !== instance),
      );
  };
  const cluster: TestCluster = {
    schema,
    topic,
    brokers: options.brokers,
    databaseUrl: options.databaseUrl,
    instances,
    url: (name) => {
      const first = instances(name)[0];
      if (first === undefined) throw new Error(`no ${name} process runs`);
      return first.url;
    },
    start,
    kill: async (instance) => {
      await instance.kill();
      forget(instance);
    },
    terminate: async (instance) => {
      await instance.stop();
      forget(instance);
    },
    token: (role, sub) => signToken(secret, role, sub),
    stop: async () => {
      await Promise.all([...running.values()].flat().map((p) => p.stop()));
      running.clear();
      await dropSystemSchemas(options.databaseUrl, schema);
    },
  };
  try {
    // The store's schema is made by the first process that opens it: drafting alone first, so
    // that two processes never race to create it.
    await start('drafting');
    const rest = TOPOLOGY.filter((s) => s.name !== 'drafting').flatMap((s) =>
      Array.from({ length: options.instances?.[s.name] ?? 1 }, () => s.name),
    );
    await Promise.all(rest.map((name) => start(name)));
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
};
