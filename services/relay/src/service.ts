/** The relay as a service of a process: no routes, one processor. */
import type { Publisher } from '@newsroom/messaging';
import type { ServiceDefinition, ServiceDeps } from '@newsroom/service-kit';
import type { Registry } from 'prom-client';
import { relayProcessor } from './relay.js';

export const relayService = (
  deps: ServiceDeps,
  options: { readonly publisher: Publisher; readonly registry: Registry; readonly topic?: string },
): ServiceDefinition => ({
  name: 'relay',
  routes: [],
  processors: [
    relayProcessor({
      publisher: options.publisher,
      schema: deps.readModelSchema('relay'),
      registry: options.registry,
      ...(options.topic === undefined ? {} : { topic: options.topic }),
    }),
  ],
});
