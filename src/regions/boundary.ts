import { verifyCheckpointNote } from '../integrity';
import type { JsonWebKeySet } from '../keys/types';
import {
  storagePartitionSource,
  verifyLog,
  type LogTarget,
  type VerificationReport,
  type VerifyProgress,
} from '../verify';

/**
 * Verification across a failover. A failover does not continue a log in another region: it ends one
 * and starts another. Each region's logs are verified on their own, against that region's public keys
 * only, and the region boundary is reported as the checkpoints on either side of it: the last
 * checkpoints of one region and the first of the next, per Event Hubs partition.
 */

/** One region's log as a verifier reads it: its storage and the key set it trusts for that region. */
export interface RegionLog {
  readonly name: string;
  readonly target: LogTarget;
  readonly publicKeys: JsonWebKeySet;
}

/** A verified checkpoint, as the boundary report names it. */
export interface CheckpointSummary {
  region: string;
  partition: string;
  origin: string;
  /** Records the checkpoint covers (the tree size it signs). */
  size: number;
  /** Seal time written in the signed body. */
  time: string;
  /** Versioned id of the key that signed it (names the region's vault in Azure). */
  keyId: string;
}

export interface RegionLogVerification {
  region: string;
  report: VerificationReport;
  /** Per partition whose log verified and has checkpoints: its first and its last checkpoint. */
  first: CheckpointSummary[];
  last: CheckpointSummary[];
}

/** Where the log of one region (listed earlier) meets that of the next. */
export interface RegionBoundary {
  from: string;
  to: string;
  lastOfFrom: CheckpointSummary[];
  firstOfTo: CheckpointSummary[];
}

export interface RegionsVerification {
  ok: boolean;
  regions: RegionLogVerification[];
  /** Between each pair of regions in the order given (primary first). */
  boundaries: RegionBoundary[];
}

/** The log target holds another region's log than the entry names. */
export class RegionLogMismatchError extends Error {
  override readonly name = 'RegionLogMismatchError';
  constructor(
    readonly region: string,
    readonly logRegion: string,
  ) {
    super(
      `region ${JSON.stringify(region)}: the log to verify is region ${JSON.stringify(logRegion)}'s; ` +
        `a region's log is verified only as that region, with its own keys`,
    );
  }
}

export interface VerifyRegionsOptions {
  /** Per region name: checkpoint notes seen at an earlier audit, each of which must still be there. */
  knownCheckpoints?: Readonly<Record<string, readonly string[]>>;
  onProgress?: (region: string, progress: VerifyProgress) => void;
  clock?: () => Date;
}

/**
 * Verifies every region's log with that region's keys (verifyLog: checkpoints, archive, hot store and
 * log state of every partition) and reports the boundary between consecutive regions.
 * Precondition: region names are unique and each target's log identity is that region.
 */
export async function verifyRegions(
  logs: readonly RegionLog[],
  options: VerifyRegionsOptions = {},
): Promise<RegionsVerification> {
  const seen = new Set<string>();
  for (const log of logs) {
    if (seen.has(log.name))
      throw new RangeError(`verifyRegions: region ${JSON.stringify(log.name)} is listed twice`);
    seen.add(log.name);
    if (log.target.log.region !== log.name)
      throw new RegionLogMismatchError(log.name, log.target.log.region);
  }
  const regions: RegionLogVerification[] = [];
  for (const log of logs) {
    const onProgress = options.onProgress;
    const known = options.knownCheckpoints?.[log.name];
    const report = await verifyLog(log.target, {
      publicKeys: log.publicKeys,
      ...(known ? { knownCheckpoints: known } : {}),
      ...(onProgress ? { onProgress: (progress) => onProgress(log.name, progress) } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    const first: CheckpointSummary[] = [];
    const last: CheckpointSummary[] = [];
    for (const partition of report.partitions) {
      if (!partition.ok) continue;
      const stored = await storagePartitionSource(log.target, partition.partition).checkpoints();
      const firstNote = stored[0];
      const lastNote = stored[stored.length - 1];
      if (firstNote === undefined || lastNote === undefined) continue;
      first.push(summaryOf(log, partition.partition, firstNote.note));
      last.push(summaryOf(log, partition.partition, lastNote.note));
    }
    regions.push({ region: log.name, report, first, last });
  }
  const boundaries: RegionBoundary[] = [];
  for (let i = 1; i < regions.length; i++) {
    const before = regions[i - 1] as RegionLogVerification;
    const after = regions[i] as RegionLogVerification;
    boundaries.push({
      from: before.region,
      to: after.region,
      lastOfFrom: before.last,
      firstOfTo: after.first,
    });
  }
  return { ok: regions.every((region) => region.report.ok), regions, boundaries };
}

/** Re-verified with the region's keys, so a summary never names a checkpoint the verifier did not check. */
function summaryOf(log: RegionLog, partition: string, note: string): CheckpointSummary {
  const checkpoint = verifyCheckpointNote(note, log.publicKeys);
  return {
    region: log.name,
    partition,
    origin: checkpoint.origin,
    size: checkpoint.size,
    time: checkpoint.time.toISOString(),
    keyId: checkpoint.keyId,
  };
}
