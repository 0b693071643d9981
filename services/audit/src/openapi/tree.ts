/**
 * The log's Merkle tree in the API reference: inclusion and consistency proofs (RFC 6962 /
 * 9162) for auditors and admins, and the signed tree heads, public like the feeds (their
 * pages, the latest checkpoint as text, the log's key), sealed on demand by auditors.
 */
import type { ApiPaths } from '@newsroom/service-kit';
import { jsonAnswer, mediaAnswer, problems, queryParameters } from '@newsroom/service-kit';
import type { SchemaSet } from '@newsroom/contracts';
import { AUDIT } from '../prefixes.js';
import { ConsistencyQuery, InclusionQuery } from '../proofs/routes.js';
import { HeadsQuery } from '../tree-heads/routes.js';
import { AUDITORS, COUNT, hex, TAGS, treeHead, UUID } from './components.js';

const SIZE = { type: 'integer', minimum: 1 };

export const treeApi = (schemas: SchemaSet): ApiPaths => ({
  [`${AUDIT}/proofs/inclusion`]: {
    get: {
      tags: TAGS,
      operationId: 'auditInclusionProof',
      summary: 'That an event is a leaf of the tree of `treeSize`: its audit path and root',
      description:
        'A size past the tree is a 400 (the tree takes in new events within AUDIT_TREE_POLL_MS); an event not among the first `treeSize` leaves a 404. Hashes are lower-case hex.',
      ...AUDITORS,
      parameters: queryParameters(schemas, InclusionQuery),
      responses: {
        '200': jsonAnswer('the inclusion proof', {
          type: 'object',
          properties: {
            eventId: UUID,
            leafIndex: COUNT,
            treeSize: SIZE,
            leafHash: hex(schemas),
            rootHash: hex(schemas),
            proof: { type: 'array', items: hex(schemas), description: 'the audit path' },
          },
          required: ['eventId', 'leafIndex', 'treeSize', 'leafHash', 'rootHash', 'proof'],
          additionalProperties: false,
        }),
        ...problems(400, 401, 403, 404, 503),
      },
    },
  },
  [`${AUDIT}/proofs/consistency`]: {
    get: {
      tags: TAGS,
      operationId: 'auditConsistencyProof',
      summary: 'That the tree of `from` leaves is a prefix of the tree of `to`: proof, roots',
      ...AUDITORS,
      parameters: queryParameters(schemas, ConsistencyQuery),
      responses: {
        '200': jsonAnswer('the consistency proof', {
          type: 'object',
          properties: {
            from: SIZE,
            to: SIZE,
            fromRoot: hex(schemas),
            toRoot: hex(schemas),
            proof: { type: 'array', items: hex(schemas) },
          },
          required: ['from', 'to', 'fromRoot', 'toRoot', 'proof'],
          additionalProperties: false,
        }),
        ...problems(400, 401, 403, 503),
      },
    },
  },
  [`${AUDIT}/tree-heads`]: {
    get: {
      tags: TAGS,
      operationId: 'auditTreeHeads',
      summary: 'The signed tree heads, newest first, paged by `next`; public',
      parameters: queryParameters(schemas, HeadsQuery),
      responses: {
        '200': jsonAnswer('one page of tree heads', {
          type: 'object',
          properties: {
            origin: { type: 'string', description: "the log's name, its checkpoints' origin" },
            items: { type: 'array', items: treeHead(schemas) },
            next: { type: 'string', description: 'the path and query of the next page' },
          },
          required: ['origin', 'items'],
          additionalProperties: false,
        }),
        ...problems(400, 503),
      },
    },
    post: {
      tags: TAGS,
      operationId: 'auditSeal',
      summary: 'Seal now: sign a tree head of the tree as it is, caught up with the log',
      description:
        '409 when the stored tree does not extend the previous head, or this process does not have the log key.',
      ...AUDITORS,
      responses: {
        '201': jsonAnswer('the new tree head', treeHead(schemas)),
        ...problems(401, 403, 409, 503),
      },
    },
  },
  [`${AUDIT}/tree-heads/latest`]: {
    get: {
      tags: TAGS,
      operationId: 'auditLatestTreeHead',
      summary: 'The newest signed note, a C2SP checkpoint; public',
      responses: {
        '200': mediaAnswer('the signed checkpoint', ['text/plain']),
        ...problems(404, 503),
      },
    },
  },
  [`${AUDIT}/tree-heads/key`]: {
    get: {
      tags: TAGS,
      operationId: 'auditLogKey',
      summary: "The log's origin and public key, also as a C2SP verifier key; public",
      responses: {
        '200': jsonAnswer('the log key', {
          type: 'object',
          properties: {
            origin: { type: 'string' },
            keyId: { type: 'string', pattern: '^[0-9a-f]+$' },
            algorithm: { const: 'Ed25519' },
            publicKey: { type: 'string', description: 'the raw Ed25519 key, base64' },
            verifierKey: {
              type: 'string',
              description: '`<name>+<key id>+<base64(0x01 || key)>`',
            },
          },
          required: ['origin', 'keyId', 'algorithm', 'publicKey', 'verifierKey'],
          additionalProperties: false,
        }),
      },
    },
  },
});
