/**
 * The retention policy as written in lifecycle/policy.json, after loadRetentionPolicy has
 * validated it. The shape mirrors the JSON so that every validation error can name the exact
 * field an operator has to edit.
 */

/** A blob access tier as Azure Storage names it (BlobItem.properties.accessTier). */
export type BlobTier = 'Hot' | 'Cool' | 'Cold' | 'Archive';

/** The tiers a lifecycle rule can move a blob down to, as the policy JSON spells them. */
export type CoolerTierName = 'cool' | 'cold' | 'archive';

export interface AfterDays {
  /** Whole days since the blob was last modified; the action is due once the age exceeds it. */
  readonly afterDays: number;
}

export interface TierSchedule {
  readonly cool?: AfterDays;
  readonly cold?: AfterDays;
  readonly archive?: AfterDays;
}

export interface RetentionClass {
  readonly description?: string;
  /** How long events of this class stay queryable in the hot Table (auditevents). */
  readonly hot: { readonly days: number };
  /** When archive segments move down the Blob tiers. Every tier is optional. */
  readonly tiers: TierSchedule;
  /** When archive segments are deleted, unless a legal hold applies. */
  readonly delete: AfterDays;
}

/** First matching rule wins; a rule with neither list matches everything. */
export interface AssignmentRule {
  readonly id: string;
  /** Exact tenant ids; omitted means any tenant. */
  readonly tenants?: readonly string[];
  /** Exact CloudEvents types; omitted means any type. */
  readonly eventTypes?: readonly string[];
  readonly class: string;
}

export interface Assignment {
  readonly rules: readonly AssignmentRule[];
  readonly defaultClass: string;
}

/** One held event: its id and its CloudEvents `time`, which locates its archive segments. */
export interface HeldEvent {
  readonly id: string;
  readonly time: string;
}

/**
 * What a hold covers. Exactly one of three shapes:
 * - `{ tenant }`: everything of one tenant;
 * - `{ tenant?, from, to }`: events whose time falls in [from, to), of one tenant or of all;
 * - `{ tenant, events }`: the segments holding these events.
 */
export interface HoldScope {
  readonly tenant?: string;
  readonly from?: string;
  readonly to?: string;
  readonly events?: readonly HeldEvent[];
}

export interface LegalHold {
  readonly id: string;
  readonly reason: string;
  readonly placedBy: string;
  /** RFC 3339 timestamp. Recorded for the audit trail; a hold is active from the moment it is in the policy. */
  readonly placedAt: string;
  /** Present once the hold is lifted; the entry stays in the file as a record. */
  readonly releasedAt?: string;
  readonly releasedBy?: string;
  readonly scope: HoldScope;
}

export interface CheckpointRetention {
  /** Checkpoints stay online (Cool/Cold at most): verification must read them without rehydration. */
  readonly tiers: { readonly cool?: AfterDays; readonly cold?: AfterDays };
  /** null keeps checkpoints forever. */
  readonly delete: AfterDays | null;
}

export interface HoldMatching {
  /**
   * Segments are named by Event Hubs enqueued hour, which can differ from the event's own time.
   * A time-based hold covers every segment whose hour lies within this many hours of the held time.
   */
  readonly segmentMarginHours: number;
}

export interface RetentionPolicy {
  readonly version: 1;
  readonly description?: string;
  /** Declaration order matters only to break ties between equally long-lived classes. */
  readonly classes: Readonly<Record<string, RetentionClass>>;
  readonly assignment: Assignment;
  readonly legalHolds: readonly LegalHold[];
  readonly checkpoints: CheckpointRetention;
  readonly holdMatching: HoldMatching;
}
