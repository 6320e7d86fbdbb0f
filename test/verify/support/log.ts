import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalKeyProvider } from '../../../src/keys/local';
import type { JsonWebKeySet } from '../../../src/keys/types';
import { sealPartitions, type IntegrityServices, type SealOutcome } from '../../../src/seal';
import { ingestHarness, type Harness } from '../../support/ingest-harness';
import { testBody } from '../../support/events';

/**
 * A real log built through the real ingest path on Azurite, the shape every tamper vector starts
 * from. Partition 0: three sealed batches of 90 events (checkpoints 90, 180, 270), then 20 events
 * not yet sealed (log size 290). Partition 1: two sealed batches of 40 (checkpoints 40, 80).
 * Tenants alternate by sequence number (even: globex, odd: acme), so each batch's frames interleave.
 */
export interface BuiltLog {
  harness: Harness;
  integrity: IntegrityServices;
  keys: LocalKeyProvider;
  publicKeys: JsonWebKeySet;
  seals: SealOutcome[][];
}

export interface LogShape {
  /** Rotate the signing key after this many seal runs (1-based). */
  rotateAfterSeal?: number;
}

export const SEAL_TIMES = [
  new Date('2026-11-26T10:31:00.000Z'),
  new Date('2026-11-26T10:32:00.000Z'),
  new Date('2026-11-26T10:33:00.000Z'),
];

export function tenantOf(sequenceNumber: number): string {
  return sequenceNumber % 2 === 0 ? 'globex' : 'acme';
}

export function eventIdOf(partition: string, sequenceNumber: number): string {
  return `evt-${String(Number(partition) * 1000 + sequenceNumber).padStart(6, '0')}`;
}

function batch(partition: string, from: number, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    return {
      sequenceNumber: n,
      body: testBody(Number(partition) * 1000 + n, { tenant: tenantOf(n) }),
    };
  });
}

export async function buildLog(shape: LogShape = {}): Promise<BuiltLog> {
  const keys = new LocalKeyProvider(mkdtempSync(path.join(tmpdir(), 'mcp-audit-tamper-keys-')));
  const harness = await ingestHarness(undefined, undefined, { integrity: true, keys });
  const seals: SealOutcome[][] = [];
  const seal = async (): Promise<void> => {
    seals.push(await sealPartitions(harness.integrity, SEAL_TIMES[seals.length] as Date));
    if (seals.length === shape.rotateAfterSeal) await keys.rotate();
  };
  await harness.deliver('0', batch('0', 0, 90));
  await harness.deliver('1', batch('1', 0, 40));
  await seal();
  await harness.deliver('0', batch('0', 90, 90));
  await harness.deliver('1', batch('1', 40, 40));
  await seal();
  await harness.deliver('0', batch('0', 180, 90));
  await seal();
  await harness.deliver('0', batch('0', 270, 20));
  return {
    harness,
    integrity: harness.integrity,
    keys,
    publicKeys: await keys.publicJwks(),
    seals,
  };
}
