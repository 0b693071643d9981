export * from './port.js';
export { canonicalJson, isCanonicalJson, NotJsonError } from './jcs.js';
export { canonicalEvent, digestStep, eventHash, sealHash, ZERO_HASH } from './hash.js';
export type { BinaryHash } from './sha256.js';
export * from './merkle.js';
export * from './checkpoint.js';
export { CheckpointConflictError } from './subscription.js';
export type { QueryOptions, SqlDriver, SqlQueryable, SqlSession } from './postgres/driver.js';
export { quoteIdent, sqlState } from './postgres/driver.js';
export { pgDriver, pgliteDriver } from './postgres/driver.js';
export type {
  PostgresEventStore,
  PostgresEventStoreOptions,
  SealResult,
  StoredEvent,
} from './postgres/postgres-event-store.js';
export { createPostgresEventStore } from './postgres/postgres-event-store.js';
export type {
  IntegrityReport,
  IntegrityViolation,
  LogObserver,
  VerifyOptions,
} from './postgres/integrity.js';
export { storedBodyProblem, verifyIntegrity } from './postgres/integrity.js';
export type { Migration } from './postgres/migrations.js';
export {
  appendOnlyTriggers,
  assertSchemaName,
  LATEST_VERSION,
  migrate,
  rejectChangeFunction,
} from './postgres/migrations.js';
export type { CopyRow } from './postgres/copy-binary.js';
export { copyTimestampMs, copyUuid } from './postgres/copy-binary.js';
export { LOG_COPY_FIELDS } from './postgres/copy-log.js';
