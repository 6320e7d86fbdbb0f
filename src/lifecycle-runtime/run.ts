import type { TableClient } from '@azure/data-tables';
import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import type { EarlyDeletionMode, RetentionPolicy } from '../../lifecycle';
import type { EventSink } from '../sink/types';
import { isEmulatorEndpoint } from './emulator';
import { handOff, type HandOffReport, type HandOffProgress } from './handoff';
import { effectivePolicy, settlePendingHolds, sweepActiveHolds, type SettledHold } from './holds';
import type { RetagReport } from './retag';
import { applyLocalLifecycle, type LocalTieringReport } from './local-tiering';
import { archiveContainersOf, removeExpiredCopies } from './rehydration';

/** The storage the lifecycle works on (StorageClients satisfies it). */
export interface LifecycleClients {
  readonly tables: {
    readonly events: TableClient;
    readonly ids: TableClient;
    readonly state: TableClient;
  };
  readonly containers: { readonly archive: ContainerClient; readonly deadletter: ContainerClient };
  readonly blobService: BlobServiceClient;
}

export interface LifecycleDependencies {
  readonly clients: LifecycleClients;
  /** The shipped retention policy; stored legal holds are merged into it for every run. */
  readonly basePolicy: RetentionPolicy;
  /** Records hold changes whose audit event is still owed (the Functions runtime's sink). */
  readonly sink?: EventSink;
}

export interface LifecycleRunOptions {
  /** Hot rows per hand-off batch. */
  batchSize?: number;
  /**
   * Whether to carry out the lifecycle policy here. Default: only when the storage is the emulator,
   * since Azure applies the management policy itself.
   */
  applyPolicy?: boolean;
  /** `charge` (Azure's behaviour, the default) or `defer` early deletion; see evaluateLifecycle. */
  earlyDeletion?: EarlyDeletionMode;
  onHandOffBatch?: (progress: HandOffProgress) => void;
}

export interface LifecycleRunReport {
  at: string;
  /** Whether the lifecycle policy was evaluated and applied here (Azurite) rather than by Azure. */
  appliedPolicy: boolean;
  activeHolds: number;
  /** Holds whose re-tagging or audit event was completed by this run. */
  settledHolds: SettledHold[];
  /** The daily re-application of active holds to the blobs they cover, when this run made it. */
  holdSweep: RetagReport | undefined;
  handOff: HandOffReport;
  tiering: LocalTieringReport | undefined;
  /** Rehydrated copies deleted because they outlived their keep period. */
  expiredCopies: string[];
}

/** Whether these clients talk to the storage emulator, judged from the Blob endpoint. */
export function usesEmulator(clients: Pick<LifecycleClients, 'blobService'>): boolean {
  return isEmulatorEndpoint(clients.blobService.url);
}

/**
 * One lifecycle run (the `lifecycle` timer, `mcp-audit lifecycle run`), in this order:
 * 1. merge the stored legal holds into the policy, finish any hold whose re-tagging or audit
 *    event an interrupted request left owing, and once a day re-apply the active holds to the blobs
 *    they cover (segments written since were tagged without them);
 * 2. hand due hot rows off to the archive;
 * 3. on the emulator, evaluate the generated management policy and carry out its actions;
 * 4. delete rehydrated copies past their keep period.
 * Each step is idempotent; a failed run is completed by the next one.
 */
export async function runLifecycle(
  deps: LifecycleDependencies,
  now: Date,
  options: LifecycleRunOptions = {},
): Promise<LifecycleRunReport> {
  const { clients } = deps;
  const holdsDeps = {
    tables: clients.tables,
    containers: clients.containers,
    basePolicy: deps.basePolicy,
    clock: () => now,
    ...(deps.sink === undefined ? {} : { sink: deps.sink }),
  };
  const { policy, stored } = await effectivePolicy(holdsDeps);
  const settledHolds = await settlePendingHolds(holdsDeps, policy, stored);
  const holdSweep = await sweepActiveHolds(holdsDeps, policy, now);
  const handOffReport = await handOff(
    { tables: clients.tables, archive: clients.containers.archive, policy },
    now,
    {
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      ...(options.onHandOffBatch === undefined ? {} : { onBatch: options.onHandOffBatch }),
    },
  );
  const applyPolicy = options.applyPolicy ?? usesEmulator(clients);
  const tiering = applyPolicy
    ? await applyLocalLifecycle(clients.containers, clients.tables.state, policy, now, {
        earlyDeletion: options.earlyDeletion ?? 'charge',
      })
    : undefined;
  const expiredCopies = await removeExpiredCopies(archiveContainersOf(clients), now);
  return {
    at: now.toISOString(),
    appliedPolicy: applyPolicy,
    activeHolds: policy.legalHolds.filter((hold) => hold.releasedAt === undefined).length,
    settledHolds,
    holdSweep,
    handOff: handOffReport,
    tiering,
    expiredCopies,
  };
}

/** One line per part of the run, for logs and the CLI. */
export function describeRun(report: LifecycleRunReport): string[] {
  const lines = [
    `lifecycle run at ${report.at}: ${report.activeHolds} active legal hold(s)` +
      (report.settledHolds.length > 0 ? `, ${report.settledHolds.length} settled` : ''),
  ];
  if (report.holdSweep !== undefined && report.holdSweep.changed > 0) {
    lines.push(`legal holds re-applied: ${report.holdSweep.changed} blob(s) re-tagged`);
  }
  const { handOff: h } = report;
  lines.push(
    `hand-off: ${h.handedOff} of ${h.examined} hot rows handed off to the archive, ` +
      `${h.notDue} not due yet, ${h.kept.length} kept (${h.segmentsRead} segments read)`,
  );
  for (const kept of h.kept.slice(0, 20)) {
    lines.push(`  kept ${kept.partitionKey} ${kept.rowKey}: ${kept.reason}: ${kept.detail}`);
  }
  if (h.kept.length > 20) lines.push(`  ... and ${h.kept.length - 20} more kept rows`);
  if (report.tiering === undefined) {
    lines.push('tiering: applied by Azure lifecycle management (not evaluated here)');
  } else {
    const counts = new Map<string, number>();
    for (const action of report.tiering.performed) {
      counts.set(action.action, (counts.get(action.action) ?? 0) + 1);
    }
    const done = [...counts].map(([action, count]) => `${count} ${action}`).join(', ');
    lines.push(
      `tiering (evaluated here: the storage is the emulator): ${done === '' ? 'nothing due' : done}` +
        (report.tiering.blocked.length > 0 ? `, ${report.tiering.blocked.length} blocked` : ''),
    );
    for (const blocked of report.tiering.blocked) {
      lines.push(
        `  blocked ${blocked.action} ${blocked.container}/${blocked.name}: ${blocked.reason}`,
      );
    }
    for (const performed of report.tiering.performed) {
      if (performed.earlyDeletionDays !== undefined) {
        lines.push(
          `  ${performed.action} ${performed.container}/${performed.name}: early deletion, ` +
            `${performed.earlyDeletionDays.toFixed(2)} days charged`,
        );
      }
    }
  }
  if (report.expiredCopies.length > 0) {
    lines.push(`rehydrated copies deleted: ${report.expiredCopies.length}`);
  }
  return lines;
}
