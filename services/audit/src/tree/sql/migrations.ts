/**
 * The audit service's own tables, in its schema, made by the tree processor's migrations: the
 * Merkle tree over the store's log (its size and last event, every complete node, each event's
 * leaf index), the signed tree heads, and the log of audit requests. Nodes, leaves, tree heads
 * and requests are records: append-only, refused by a trigger, never emptied by a rebuild.
 */
import { appendOnlyTriggers, rejectChangeFunction } from '@newsroom/event-store';
import type { ProcessorMigration } from '@newsroom/processing';

export const TREE_MIGRATIONS: readonly ProcessorMigration[] = [
  {
    version: 1,
    name: 'the Merkle tree, signed tree heads, audit requests',
    statements: (s) => [
      `CREATE TABLE ${s}.tree (
         one                 boolean PRIMARY KEY DEFAULT true CHECK (one),
         size                bigint  NOT NULL,
         last_transaction_id xid8,
         last_sequence       bigint)`,
      `INSERT INTO ${s}.tree (size) VALUES (0)`,
      // Level 0: the leaves, SHA-256(0x00 || event hash); level k: the complete subtree of
      // 2^k leaves from node_index * 2^k.
      `CREATE TABLE ${s}.tree_nodes (
         level      smallint NOT NULL,
         node_index bigint   NOT NULL,
         hash       bytea    NOT NULL,
         PRIMARY KEY (level, node_index))`,
      `CREATE TABLE ${s}.tree_leaves (
         event_id   uuid   PRIMARY KEY,
         leaf_index bigint NOT NULL UNIQUE)`,
      rejectChangeFunction(s),
      `CREATE TABLE ${s}.tree_heads (
         number    bigint      PRIMARY KEY CHECK (number >= 1),
         tree_size bigint      NOT NULL CHECK (tree_size >= 0),
         root      bytea       NOT NULL,
         time      timestamptz NOT NULL,
         key_id    text        NOT NULL,
         note      text        NOT NULL)`,
      ...appendOnlyTriggers(s, 'tree_heads'),
      `CREATE TABLE ${s}.audit_requests (
         id             bigserial   PRIMARY KEY,
         at             timestamptz NOT NULL,
         actor          text        NOT NULL,
         role           text        NOT NULL,
         method         text        NOT NULL,
         path           text        NOT NULL,
         correlation_id text        NOT NULL)`,
      ...appendOnlyTriggers(s, 'audit_requests'),
    ],
  },
  {
    version: 2,
    name: "the tree's nodes and leaves are append-only too",
    // The tree only ever grows: a node or a leaf index, once written, is never changed.
    statements: (s) => [
      ...appendOnlyTriggers(s, 'tree_nodes'),
      ...appendOnlyTriggers(s, 'tree_leaves'),
    ],
  },
];
