/** Realistic, reproducible SQL MCP audit traffic for demos, load tests and detection tests. */
export {
  simulateTraffic,
  DEFAULT_START,
  DEFAULT_TENANTS,
  DEFAULT_RATE_PER_SECOND,
} from './traffic';
export { toNdjson } from './ndjson';
export { MIN_COUNT_WITH_ANOMALIES } from './anomalies';
export {
  ANOMALY_KINDS,
  type AnomalyKind,
  type SimulationOptions,
  type SimulatedEvent,
  type EventType,
} from './types';
export { uuidv7 } from './uuidv7';
export { Random } from './random';
