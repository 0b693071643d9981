/**
 * `/v1/subscriptions` in the API reference: webhook subscriptions, for publishers and admins
 * (the body of a new one read off its codec), their deliveries' log and redelivery, and the
 * signed request each delivery is (Standard Webhooks), as the creation's callback.
 */
import type { ApiPaths } from '@newsroom/service-kit';
import { bearer, jsonAnswer, pathParameter, problems } from '@newsroom/service-kit';
import type { JsonSchema, SchemaSet } from '@newsroom/contracts';
import { EventType, NewSubscription } from '../webhooks/subscription.js';
import { NULLABLE_STRING, syndicationPayload, UTC_MILLIS, UUID } from './components.js';
import { MANAGERS } from '../webhooks/routes.js';

const TAGS = ['syndication'];
const MANAGED = bearer([...MANAGERS]);
const ID = pathParameter('id', UUID, 'the subscription (a UUID; any other text is 404)');
const DELIVERY_ID = pathParameter('deliveryId', UUID, 'the delivery (a UUID; any other is 404)');

const WEBHOOKS = `Each public change that matches the filters is POSTed to \`url\` as JSON (\`SyndicationPayload\`: \`{ type, timestamp, data }\`, \`data\` the ninjs document), signed as Standard Webhooks (https://www.standardwebhooks.com) sign it:
- \`webhook-id\`: \`msg_<hex>\`, the same on every attempt and redelivery of one delivery (deduplicate on it);
- \`webhook-timestamp\`: the attempt's Unix time in seconds;
- \`webhook-signature\`: \`v1,<base64 HMAC-SHA256>\` keyed by the base64 bytes after \`whsec_\` in the secret, over \`<webhook-id>.<webhook-timestamp>.<body>\`; during a rotation's grace period two such signatures, space-separated (either may match);
- \`traceparent\`, when the command behind the change carried one.
A 2xx answer delivers it; 410 Gone disables the subscription; 429 and 5xx are retried no sooner than their Retry-After; anything else (a redirect, a timeout) is retried on the schedule, and the delivery fails after its last step. Each article's changes reach a subscription in order.`;

const subscriptionProperties = (schemas: SchemaSet): Record<string, JsonSchema> => ({
  id: UUID,
  url: { type: 'string', description: 'the receiver, as the URL parser normalized it' },
  sections: { type: 'array', items: { type: 'string' }, description: 'empty: every section' },
  languages: {
    type: 'array',
    items: { type: 'string' },
    description: 'lower-cased; empty: every language',
  },
  eventTypes: { type: 'array', items: schemas.of(EventType), description: 'empty: every type' },
  status: { enum: ['active', 'disabled'] },
  disabledReason: { ...NULLABLE_STRING, description: 'why it was disabled (its receiver 410)' },
  createdBy: { type: 'string', description: 'the subject of the token that made it' },
  createdAt: UTC_MILLIS,
  previousSecretUntil: {
    anyOf: [UTC_MILLIS, { type: 'null' }],
    description: 'until when the secret before the last rotation still signs too',
  },
});

const subscription = (schemas: SchemaSet, withSecret: boolean): JsonSchema =>
  schemas.once(withSecret ? 'WebhookSubscriptionSecret' : 'WebhookSubscription', () => {
    const properties = subscriptionProperties(schemas);
    const secret = {
      type: 'string',
      pattern: '^whsec_[A-Za-z0-9+/]{32}$',
      description: 'the signing secret, shown this once',
    };
    return {
      type: 'object',
      ...(withSecret ? { description: 'a subscription and its (new) signing secret' } : {}),
      properties: withSecret ? { ...properties, secret } : properties,
      required: [...Object.keys(properties), ...(withSecret ? ['secret'] : [])],
      additionalProperties: false,
    };
  });

const delivery = (schemas: SchemaSet): JsonSchema =>
  schemas.once('WebhookDelivery', () => ({
    type: 'object',
    properties: {
      id: UUID,
      webhookId: { type: 'string', pattern: '^msg_[0-9a-f]{32}$', description: 'its webhook-id' },
      eventType: schemas.of(EventType),
      articleId: UUID,
      status: { enum: ['pending', 'delivered', 'failed'] },
      attempts: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            n: { type: 'integer', minimum: 1 },
            at: UTC_MILLIS,
            status: { type: ['integer', 'null'], description: "the receiver's answer, if any" },
            error: NULLABLE_STRING,
            latencyMs: { type: 'integer', minimum: 0 },
          },
          required: ['n', 'at', 'status', 'error', 'latencyMs'],
          additionalProperties: false,
        },
      },
      nextAttemptAt: { anyOf: [UTC_MILLIS, { type: 'null' }], description: 'while pending' },
      createdAt: UTC_MILLIS,
      finishedAt: { anyOf: [UTC_MILLIS, { type: 'null' }] },
    },
    required: [
      'id',
      'webhookId',
      'eventType',
      'articleId',
      'status',
      'attempts',
      'nextAttemptAt',
      'createdAt',
      'finishedAt',
    ],
    additionalProperties: false,
  }));

const list = (items: JsonSchema): JsonSchema => ({
  type: 'object',
  properties: { items: { type: 'array', items } },
  required: ['items'],
  additionalProperties: false,
});

/** A request header the receiver gets: always sent when it has a `pattern`. */
const header = (name: string, description: string, pattern?: string): JsonSchema => ({
  name,
  in: 'header',
  description,
  ...(pattern === undefined
    ? { schema: { type: 'string' } }
    : { required: true, schema: { type: 'string', pattern } }),
});

/** The request each delivery is, to the subscription's `url`. */
const delivered = (schemas: SchemaSet): JsonSchema => ({
  articleChange: {
    '{$request.body#/url}': {
      post: {
        summary: 'One public change, signed (Standard Webhooks)',
        parameters: [
          header('webhook-id', 'the same on every attempt of one delivery', '^msg_[0-9a-f]{32}$'),
          header('webhook-timestamp', "the attempt's Unix time, seconds", '^[0-9]+$'),
          header('webhook-signature', 'one or two `v1,<base64>`, space-separated', '^v1,'),
          header('traceparent', 'W3C trace context of the command behind the change'),
        ],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: syndicationPayload(schemas) } },
        },
        responses: {
          '2XX': { description: 'delivered' },
          '410': { description: 'the receiver is gone: the subscription is disabled' },
          default: { description: 'retried (429 and 5xx no sooner than Retry-After), then failed' },
        },
      },
    },
  },
});

export const subscriptionsApi = (schemas: SchemaSet): ApiPaths => ({
  '/v1/subscriptions': {
    post: {
      tags: TAGS,
      operationId: 'createSubscription',
      summary: 'Subscribe a receiver URL to the public changes, filtered; its secret shown once',
      description: WEBHOOKS,
      ...MANAGED,
      requestBody: {
        required: true,
        content: { 'application/json': { schema: schemas.of(NewSubscription) } },
      },
      responses: {
        '201': jsonAnswer('subscribed', subscription(schemas, true), {
          Location: { description: '/v1/subscriptions/{id}', schema: { type: 'string' } },
        }),
        ...problems(400, 401, 403, 503),
      },
      callbacks: delivered(schemas),
    },
    get: {
      tags: TAGS,
      operationId: 'subscriptions',
      summary: 'Every subscription not deleted, oldest first',
      ...MANAGED,
      responses: {
        '200': jsonAnswer('the subscriptions', list(subscription(schemas, false))),
        ...problems(401, 403, 503),
      },
    },
  },
  '/v1/subscriptions/{id}': {
    get: {
      tags: TAGS,
      operationId: 'subscription',
      summary: 'One subscription',
      ...MANAGED,
      parameters: [ID],
      responses: {
        '200': jsonAnswer('the subscription', subscription(schemas, false)),
        ...problems(401, 403, 404, 503),
      },
    },
    delete: {
      tags: TAGS,
      operationId: 'deleteSubscription',
      summary: 'Delete a subscription: nothing more is sent, what was pending fails',
      ...MANAGED,
      parameters: [ID],
      responses: {
        '204': { description: 'deleted' },
        ...problems(401, 403, 404, 503),
      },
    },
  },
  '/v1/subscriptions/{id}/rotate': {
    post: {
      tags: TAGS,
      operationId: 'rotateSubscriptionSecret',
      summary: 'A new signing secret; the old one signs beside it for the grace period',
      ...MANAGED,
      parameters: [ID],
      responses: {
        '200': jsonAnswer('the subscription and its new secret', subscription(schemas, true)),
        ...problems(401, 403, 404, 503),
      },
    },
  },
  '/v1/subscriptions/{id}/deliveries': {
    get: {
      tags: TAGS,
      operationId: 'subscriptionDeliveries',
      summary: "The subscription's newest 100 deliveries, newest first, each with its attempts",
      ...MANAGED,
      parameters: [ID],
      responses: {
        '200': jsonAnswer('the deliveries', list(delivery(schemas))),
        ...problems(401, 403, 404, 503),
      },
    },
  },
  '/v1/subscriptions/{id}/deliveries/{deliveryId}/redeliver': {
    post: {
      tags: TAGS,
      operationId: 'redeliver',
      summary: 'One more attempt of a delivery, now (409 if inactive or superseded)',
      ...MANAGED,
      parameters: [ID, DELIVERY_ID],
      responses: {
        '202': jsonAnswer('queued', {
          type: 'object',
          properties: { id: UUID, status: { const: 'pending' } },
          required: ['id', 'status'],
          additionalProperties: false,
        }),
        ...problems(401, 403, 404, 409, 503),
      },
    },
  },
});
