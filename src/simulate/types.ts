/** Patterns the simulator can inject, each one something an audit reviewer should be alerted to. */
export const ANOMALY_KINDS = [
  'bulk-export-at-night',
  'ddl-from-read-only-agent',
  'sql-injection-shaped',
  'credential-stuffing',
  'new-agent-sensitive-tables',
] as const;

export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export interface SimulationOptions {
  /** Any safe integer; the same seed and options give byte-identical events. */
  seed: number;
  /** How many events to generate. */
  count: number;
  /** Number of tenants, 1..100. Default 5. */
  tenants?: number;
  /** Simulated time of the first arrival. Default 2025-06-02T06:00:00Z (a Monday). */
  start?: Date;
  /**
   * Events per simulated second while every tenant is in working hours; nights and weekends are
   * quieter, so the average over a day is roughly 40% of this. Default 1.
   */
  ratePerSecond?: number;
  /**
   * Inject anomalies: true for every kind, or the kinds wanted. Each kind appears at least once, plus
   * once more per 20,000 events. Needs count >= 200. Default none.
   */
  anomalies?: boolean | readonly AnomalyKind[];
}

export interface SimulatedEvent {
  /** The CloudEvent. */
  event: Record<string, unknown>;
  /** `event` as the JSON text a producer would send. */
  body: string;
  /** Set on every event an injected anomaly produced, and only on those. */
  anomaly?: AnomalyKind;
}

export type EventType =
  | 'com.sqlmcp.tool.invoked'
  | 'com.sqlmcp.session.started'
  | 'com.sqlmcp.session.ended'
  | 'com.sqlmcp.auth.failed'
  | 'com.sqlmcp.policy.denied'
  | 'com.sqlmcp.config.changed';
