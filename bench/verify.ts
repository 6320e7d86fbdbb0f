import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { LocalKeyProvider } from '../src/keys/local';
import type { KeyProvider, Signer } from '../src/keys/types';
import { ingestPartitionBatch, type IngestDependencies } from '../src/pipeline/ingest';
import type { DeliveredEvent } from '../src/pipeline/delivered';
import type { Retention } from '../src/pipeline/write-set';
import type { Redactor } from '../src/redact';
import { createIntegrityServices, ensureIntegrityStorage, sealPartitions } from '../src/seal';
import { createStorageClients, ensureStorage, type StorageClients } from '../src/store/clients';
import { decodeSegment } from '../src/store/segment-format';
import { exportRange, verifyLog, verifyOffline } from '../src/verify';

export interface VerifyBenchResult {
  events: number;
  partitions: number;
  /** Checkpoints signed while ingesting (one seal run after every round of batches). */
  checkpoints: number;
  sealRuns: number;
  /** Full verification against storage (verifyLog: checkpoints, every archived record, tiles, hot store). */
  verifyEventsPerSec: number;
  verifySeconds: number;
  /** verifyOffline over an export of the whole log: the verifier's own work, without storage requests. */
  offlineVerifyEventsPerSec: number;
  /** One SHA-256 per record over the same record bytes, in the same run: the floor. */
  sha256EventsPerSec: number;
  /** verifyEventsPerSec / sha256EventsPerSec. */
  ratioToSha256: number;
  /** offlineVerifyEventsPerSec / sha256EventsPerSec. */
  offlineRatioToSha256: number;
  recordBytes: number;
  /** Signer lookups plus signatures, over the whole ingest. */
  keyOperations: number;
  keyOperationsPerMillionEvents: number;
  /** Key operations of the seal run after the first round and after the last: equal when signing does not grow with the log. */
  keyOperationsFirstSealRun: number;
  keyOperationsLastSealRun: number;
  /** Signature checks verification made (one per checkpoint). */
  signatureChecks: number;
  verified: boolean;
}

/** Counts the key operations a seal makes. */
class CountingKeys {
  operations = 0;
  constructor(private readonly inner: KeyProvider) {}
  async signer(): Promise<Signer> {
    this.operations++;
    const signer = await this.inner.signer();
    return {
      ...signer,
      sign: async (data) => {
        this.operations++;
        return signer.sign(data);
      },
    };
  }
}

/**
 * The signed log's costs on the real path: ingests the batches with the appendLeaves hook (tiles),
 * seals after every round of batches as the timer would, counts key operations, then times a full
 * verifyLog and, over the same record bytes, one SHA-256 per record. Runs on its own tables and
 * containers of the given Azurite, so it can follow the storage benchmark on the same emulator.
 */
export async function benchVerify(
  connectionString: string,
  batchesByPartition: ReadonlyMap<string, DeliveredEvent[][]>,
  redact: Redactor,
  retention: Retention,
): Promise<VerifyBenchResult> {
  const clients = await isolatedClients(connectionString);
  const keyFolder = mkdtempSync(path.join(tmpdir(), 'mcp-audit-bench-keys-'));
  try {
    const provider = new LocalKeyProvider(keyFolder);
    const integrity = createIntegrityServices(clients, provider, {
      tiles: clients.blobService.getContainerClient(`benchtiles-${randomBytes(4).toString('hex')}`),
    });
    await ensureIntegrityStorage(integrity.stores);
    const keys = new CountingKeys(provider);
    const deps: IngestDependencies = {
      clients,
      redact,
      retention,
      clock: () => new Date(),
      knownTenants: new Set(),
      appendLeaves: integrity.appendLeaves,
    };

    const rounds = Math.max(...[...batchesByPartition.values()].map((batches) => batches.length));
    let events = 0;
    let checkpoints = 0;
    const perSealRun: number[] = [];
    for (let round = 0; round < rounds; round++) {
      await Promise.all(
        [...batchesByPartition].map(async ([partitionId, batches]) => {
          const batch = batches[round];
          if (batch === undefined) return;
          const outcomes = await ingestPartitionBatch(deps, partitionId, batch);
          events += outcomes.filter((o) => o.status === 'accepted').length;
        }),
      );
      const before = keys.operations;
      const sealed = await sealPartitions({ ...integrity, keys }, new Date());
      checkpoints += sealed.filter((o) => o.status === 'sealed').length;
      perSealRun.push(keys.operations - before);
    }

    const publicKeys = await provider.publicJwks();
    const verifyStart = process.hrtime.bigint();
    const report = await verifyLog(integrity, { publicKeys });
    const verifySeconds = Number(process.hrtime.bigint() - verifyStart) / 1e9;

    const exportFolder = path.join(keyFolder, 'export');
    await exportRange(integrity, { from: new Date(0), to: new Date(8.64e15) }, exportFolder, {
      publicKeys,
    });
    const offlineStart = process.hrtime.bigint();
    const offline = await verifyOffline(exportFolder, publicKeys);
    const offlineSeconds = Number(process.hrtime.bigint() - offlineStart) / 1e9;

    const records = await archivedRecords(clients);
    const hashStart = process.hrtime.bigint();
    for (const bytes of records) createHash('sha256').update(bytes).digest();
    const hashSeconds = Number(process.hrtime.bigint() - hashStart) / 1e9;

    const verifyEventsPerSec = Math.round(report.totals.records / verifySeconds);
    const sha256EventsPerSec = Math.round(records.length / hashSeconds);
    const offlineVerifyEventsPerSec = Math.round(offline.totals.records / offlineSeconds);
    return {
      events,
      partitions: batchesByPartition.size,
      checkpoints,
      sealRuns: rounds,
      verifyEventsPerSec,
      verifySeconds: round2(verifySeconds),
      offlineVerifyEventsPerSec,
      sha256EventsPerSec,
      ratioToSha256: ratio(verifyEventsPerSec, sha256EventsPerSec),
      offlineRatioToSha256: ratio(offlineVerifyEventsPerSec, sha256EventsPerSec),
      recordBytes: report.totals.recordBytes,
      keyOperations: keys.operations,
      keyOperationsPerMillionEvents: round2((keys.operations / events) * 1_000_000),
      keyOperationsFirstSealRun: perSealRun[0] ?? 0,
      keyOperationsLastSealRun: perSealRun[perSealRun.length - 1] ?? 0,
      signatureChecks: report.totals.signatureChecks,
      verified: report.ok && offline.ok,
    };
  } finally {
    rmSync(keyFolder, { recursive: true, force: true });
  }
}

/** Tables and containers of their own (random names) on the given account. */
async function isolatedClients(connectionString: string): Promise<StorageClients> {
  const base = createStorageClients({ kind: 'connectionString', connectionString });
  const suffix = randomBytes(4).toString('hex');
  const table = (name: string): TableClient =>
    TableClient.fromConnectionString(connectionString, `bench${name}${suffix}`, {
      allowInsecureConnection: true,
    });
  const clients: StorageClients = {
    ...base,
    tables: { events: table('events'), ids: table('ids'), state: table('state') },
    containers: {
      archive: base.blobService.getContainerClient(`bencharchive-${suffix}`),
      deadletter: base.blobService.getContainerClient(`benchdeadletter-${suffix}`),
      checkpoints: base.blobService.getContainerClient(`benchcheckpoints-${suffix}`),
    },
  };
  await ensureStorage(clients);
  return clients;
}

async function archivedRecords(clients: StorageClients): Promise<Buffer[]> {
  const records: Buffer[] = [];
  for await (const blob of clients.containers.archive.listBlobsFlat()) {
    const segment = await clients.containers.archive
      .getBlockBlobClient(blob.name)
      .downloadToBuffer();
    for (const frame of decodeSegment(segment)) records.push(...frame.records);
  }
  return records;
}

const round2 = (value: number): number => Math.round(value * 100) / 100;
const ratio = (a: number, b: number): number => Math.round((a / b) * 10_000) / 10_000;
