export * from './report';
export * from './proof-document';
export {
  verifyCheckpointChain,
  type StoredCheckpoint,
  type VerifiedCheckpoint,
} from './checkpoints';
export { verifyLog, partitionsOf, type VerifyLogOptions } from './verify-log';
export { verifyTenantEvents, type VerifyTenantOptions } from './tenant';
export {
  exportRange,
  verifyOffline,
  readManifest,
  ExportError,
  EXPORT_FORMAT,
  type ExportManifest,
  type ExportOptions,
  type ExportSummary,
} from './folder';
export { loadJwks, JwksLoadError } from './jwks';
export { storagePartitionSource, type LogTarget } from './storage-source';
export type { PartitionSource, VerifyOptionsBase } from './source';
