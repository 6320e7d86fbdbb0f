/** A deployment's regions read as one: configuration, the federated query, and verification per region. */
export {
  parseRegions,
  regionsFromSettings,
  RegionConfigError,
  REGIONS_SETTING,
  type RegionConfig,
} from './config';
export { connectRegions, federatedTenants, type Region, type RegionTables } from './connect';
export {
  federatedQuery,
  RegionMismatchError,
  RegionReadError,
  type CrossRegionDuplicate,
  type EventCopy,
  type FederatedPage,
  type FederatedRow,
  type FederatedStats,
  type RegionQueryStats,
} from './federated-query';
export { federatedQueryHash, openFederatedCursor, sealFederatedCursor } from './cursor';
export {
  verifyRegions,
  RegionLogMismatchError,
  type CheckpointSummary,
  type RegionBoundary,
  type RegionLog,
  type RegionLogVerification,
  type RegionsVerification,
  type VerifyRegionsOptions,
} from './boundary';
