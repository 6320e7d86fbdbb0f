/**
 * The lifecycle at run time: hot -> archive hand-off, legal holds kept in storage, the lifecycle
 * policy carried out on the emulator, and rehydration of archived segments. The policy itself and
 * every decision about it are the pure functions of lifecycle/; this folder does the storage work.
 */
export {
  archiveIndexPartition,
  archivedHours,
  forgetSegment,
  recordArchived,
  type ArchiveIndexEntry,
} from './archive-index';
export { blobFactsOf, listBlobFacts, type ClassifiedContainers } from './blob-facts';
export { EMULATOR_ACCOUNT, isEmulatorConnectionString, isEmulatorEndpoint } from './emulator';
export {
  DEFAULT_HANDOFF_BATCH,
  handOff,
  type HandOffDependencies,
  type HandOffOptions,
  type HandOffProgress,
  type HandOffReport,
  type KeptReason,
  type KeptRow,
} from './handoff';
export {
  HOLD_CONFIG_KEY_PREFIX,
  HOLD_EVENT_SOURCE,
  HoldEventRejectedError,
  holdChangeEvent,
  recordHoldChanges,
  type HoldChange,
  type RecordedHoldEvent,
} from './hold-events';
export {
  HoldRequestError,
  effectivePolicy,
  listHolds,
  placeHold,
  releaseHold,
  settleHold,
  settlePendingHolds,
  sweepActiveHolds,
  type HoldRequest,
  type HoldsDependencies,
  type ListedHold,
  type SettledHold,
} from './holds';
export { holdRoutes, type HoldRoutes } from './holds-http';
export {
  HoldConflictError,
  listStoredHolds,
  policyWithHolds,
  readStoredHold,
  type StoredHold,
} from './holds-store';
export {
  applyLocalLifecycle,
  type LocalTieringReport,
  type PerformedAction,
} from './local-tiering';
export {
  isReadable,
  rehydrateSegments,
  segmentStates,
  segmentsForEventRange,
  type RehydrateProgress,
} from './rehydrate-segments';
export {
  REHYDRATED_CONTAINER,
  REHYDRATED_COPY_DAYS,
  REHYDRATE_PRIORITIES,
  archiveContainersOf,
  rehydrateSegment,
  rehydratedCopyName,
  removeExpiredCopies,
  segmentState,
  type ArchiveContainers,
  type RehydrateOutcome,
  type RehydratePriority,
  type SegmentState,
} from './rehydration';
export { retagForHolds, type RetagReport } from './retag';
export {
  describeRun,
  runLifecycle,
  usesEmulator,
  type LifecycleClients,
  type LifecycleDependencies,
  type LifecycleRunOptions,
  type LifecycleRunReport,
} from './run';
export { DEFAULT_LIFECYCLE_SCHEDULE, lifecycleSchedule } from './settings';
