import { mkdtempSync, promises as fs, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeRecord, encodeRecord } from '../../src/pipeline/record';
import { sealPartitions } from '../../src/seal';
import { decodeSegment, encodeFrame } from '../../src/store/segment-format';
import {
  exportRange,
  ExportError,
  readManifest,
  verifyOffline,
  type ExportSummary,
} from '../../src/verify';
import type { JsonWebKeySet } from '../../src/keys/types';
import { ingestHarness, type Harness } from '../support/ingest-harness';
import { testBody } from '../support/events';

/**
 * A log over three enqueued hours (the harness enqueues at 10:30 + sequence number ms): 50 events
 * at 10:30 sealed (checkpoint 50); 50 at 11:30 and 50 at 12:30, then sealed (checkpoint 150).
 */

const HOUR_MS = 3_600_000;
let harness: Harness;
let publicKeys: JsonWebKeySet;

const batchAt = (hour: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    sequenceNumber: hour * HOUR_MS + i,
    body: testBody(hour * 100 + i, { tenant: i % 2 === 0 ? 'globex' : 'acme' }),
  }));

beforeAll(async () => {
  harness = await ingestHarness(undefined, undefined, { integrity: true });
  await harness.deliver('0', batchAt(0, 50));
  await sealPartitions(harness.integrity, new Date('2026-11-26T10:40:00.000Z'));
  await harness.deliver('0', batchAt(1, 50));
  await harness.deliver('0', batchAt(2, 50));
  await sealPartitions(harness.integrity, new Date('2026-11-26T12:40:00.000Z'));
  publicKeys = await harness.integrity.keys.publicJwks();
});

function freshFolder(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'mcp-audit-export-')), 'export');
}

async function exportHours(
  from: string,
  to: string,
  folder = freshFolder(),
): Promise<[string, ExportSummary]> {
  return [
    folder,
    await exportRange(harness.integrity, { from: new Date(from), to: new Date(to) }, folder, {
      publicKeys,
    }),
  ];
}

describe('exportRange and verifyOffline', () => {
  it('exports the whole log and verifies it with only the key set', async () => {
    const [folder, summary] = await exportHours('2026-11-26T10:00:00Z', '2026-11-26T13:00:00Z');
    expect(summary.partitions).toEqual([
      { partition: '0', records: 150, first: 0, end: 150, checkpoints: 2 },
    ]);
    const report = await verifyOffline(folder, publicKeys);
    expect([report.ok, report.scope, report.totals.records, report.totals.checkpoints]).toEqual([
      true,
      'export',
      150,
      2,
    ]);
  });

  it('verifies an hour in the middle from the frontier before it and the tree nodes after it', async () => {
    const [folder] = await exportHours('2026-11-26T11:00:00Z', '2026-11-26T12:00:00Z');
    const manifest = await readManifest(folder);
    const [partition] = manifest.partitions;
    expect([
      partition?.start.index,
      partition?.start.frontier.length,
      partition?.end,
      partition?.checkpoints,
      partition?.tail?.size,
      partition?.tail?.nodes.length,
    ]).toEqual([50, 3, 100, [50, 150], 150, 6]);
    const report = await verifyOffline(folder, publicKeys);
    expect([report.ok, report.partitions[0]?.records, report.partitions[0]?.checkpoints]).toEqual([
      true,
      50,
      2,
    ]);
  });

  it('copies the archive segments byte for byte', async () => {
    const [folder] = await exportHours('2026-11-26T10:00:00Z', '2026-11-26T11:00:00Z');
    const segment = 'acme/0/2026/11/26/10.standard.seg';
    const original = await harness.clients.containers.archive
      .getBlockBlobClient(segment)
      .downloadToBuffer();
    expect(
      (await fs.readFile(path.join(folder, 'segments', ...segment.split('/')))).equals(original),
    ).toBe(true);
  });

  it('finds a record changed in the exported folder, at its index', async () => {
    const [folder] = await exportHours('2026-11-26T11:00:00Z', '2026-11-26T12:00:00Z');
    const file = path.join(folder, 'segments', 'acme', '0', '2026', '11', '26', '11.standard.seg');
    const [frame] = decodeSegment(await fs.readFile(file));
    const records = (frame?.records ?? []).map((bytes) => {
      const record = decodeRecord(bytes);
      if (record.log.index === 53) record.event.data.outcome = { status: 'failure' };
      return {
        logIndex: record.log.index,
        bytes: record.log.index === 53 ? encodeRecord(record) : Buffer.from(bytes),
      };
    });
    await fs.writeFile(file, encodeFrame(records));
    const manifestFile = path.join(folder, 'manifest.json');
    const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8'));
    for (const ref of manifest.partitions[0].frames) {
      if (ref.segment === 'acme/0/2026/11/26/11.standard.seg')
        ref.length = (await fs.stat(file)).size;
    }
    await fs.writeFile(manifestFile, JSON.stringify(manifest));
    const report = await verifyOffline(folder, publicKeys);
    expect([
      report.ok,
      report.firstFailure?.kind,
      report.firstFailure?.index,
      report.firstFailure?.eventId,
    ]).toEqual([false, 'record-modified', 53, 'evt-000103']);
  });

  it('finds a checkpoint removed from the exported folder', async () => {
    const [folder] = await exportHours('2026-11-26T10:00:00Z', '2026-11-26T13:00:00Z');
    await fs.rm(path.join(folder, 'checkpoints', '0', '0000000000000050.note'));
    const report = await verifyOffline(folder, publicKeys);
    expect([report.firstFailure?.kind, report.firstFailure?.checkpointSize]).toEqual([
      'checkpoint-chain',
      150,
    ]);
  });

  it('rejects every checkpoint against a key set the log never used', async () => {
    const [folder] = await exportHours('2026-11-26T10:00:00Z', '2026-11-26T11:00:00Z');
    const report = await verifyOffline(folder, { keys: [] });
    expect([report.firstFailure?.kind, report.firstFailure?.checkpointSize]).toEqual([
      'checkpoint-unknown-key',
      50,
    ]);
  });

  it('refuses to export into a folder that is not empty', async () => {
    const folder = freshFolder();
    await fs.mkdir(folder, { recursive: true });
    await fs.writeFile(path.join(folder, 'keep.txt'), 'x');
    await expect(
      exportHours('2026-11-26T10:00:00Z', '2026-11-26T11:00:00Z', folder),
    ).rejects.toThrow(new ExportError(`${folder} exists and is not empty`));
    expect(readdirSync(folder)).toEqual(['keep.txt']);
  });
});
