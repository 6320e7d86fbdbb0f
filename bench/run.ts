import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startAzurite } from '../src/devstorage/azurite';
import { createRedactor, redactionPolicyFromSettings } from '../src/redact';
import { BATCH_SIZE, CPU_EVENTS, deliveries, STORAGE_EVENTS, TENANTS } from './deliveries';
import { benchCpu } from './cpu';
import { retentionFromPolicy } from '../src/retention';
import { shippedRetentionPolicy } from '../lifecycle';
import { benchStorage, type CpuSplit } from './storage';
import { benchQueries, type QueryCase } from './query';
import { benchVerify } from './verify';

async function main(): Promise<void> {
  // The default redaction policy (HMAC of parameters, arguments and client IP) is part of the measured work.
  const redact = createRedactor(redactionPolicyFromSettings({}), randomBytes(32));
  const retention = retentionFromPolicy(shippedRetentionPolicy());

  process.stderr.write(
    `storage: ingesting ${STORAGE_EVENTS} events, real path, baseline and two-entity ceiling in turn, twice each, each on a fresh Azurite…\n`,
  );
  const azurite = await startAzurite();
  let storage;
  let queries;
  let verify;
  let cpu;
  try {
    // Storage first, while the heap holds only its own 20,000 events: the 100,000 of the CPU and query
    // measurements would otherwise make every garbage collection during it longer.
    storage = await benchStorage(
      startAzurite,
      deliveries(STORAGE_EVENTS),
      redact,
      retention,
      BATCH_SIZE,
    );
    process.stderr.write(`verify: ingesting, sealing and verifying ${STORAGE_EVENTS} events…\n`);
    verify = await benchVerify(
      azurite.connectionString,
      deliveries(STORAGE_EVENTS),
      redact,
      retention,
    );
    process.stderr.write(`cpu: generating ${CPU_EVENTS} events…\n`);
    const cpuBatches = [...deliveries(CPU_EVENTS).values()].flat();
    process.stderr.write('cpu: measuring the pipeline and the JSON.parse + SHA-256 floor…\n');
    cpu = benchCpu(cpuBatches, redact, retention);
    process.stderr.write(`query: loading a hot store of ${CPU_EVENTS} events…\n`);
    queries = await benchQueries(azurite.connectionString, cpuBatches, redact, retention, (line) =>
      process.stderr.write(line + '\n'),
    );
  } finally {
    await azurite.stop();
  }

  const results = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: {
      events: cpu.events,
      meanEventBytes: cpu.meanBodyBytes,
      eventsPerSec: cpu.eventsPerSec,
      floorEventsPerSec: cpu.floorEventsPerSec,
      ratioToFloor: round2(cpu.eventsPerSec / cpu.floorEventsPerSec),
      // The steps no pipeline can skip, by native calls alone (bench/cpu.ts): what the ratio can reach.
      ceilingEventsPerSec: cpu.ceilingEventsPerSec,
      ceilingRatioToFloor: round2(cpu.ceilingEventsPerSec / cpu.floorEventsPerSec),
      target: '>= 0.5 of floor',
    },
    storage: {
      events: storage.events,
      tenants: TENANTS,
      partitions: storage.partitions,
      batchSize: storage.batchSize,
      eventsPerSec: storage.eventsPerSec,
      baselineEventsPerSec: storage.baselineEventsPerSec,
      speedup: round2(storage.eventsPerSec / storage.baselineEventsPerSec),
      // Two key-only entities per event and nothing else (bench/storage.ts): what the speedup can reach.
      bareEntitiesEventsPerSec: storage.bareEntitiesEventsPerSec,
      bareEntitiesSpeedup: round2(storage.bareEntitiesEventsPerSec / storage.baselineEventsPerSec),
      bareEntitiesRequestsPer1000: storage.bareEntitiesRequestsPer1000,
      requestsPer1000: storage.requestsPer1000,
      baselineRequestsPer1000: storage.baselineRequestsPer1000,
      // Where each path's time goes: this process (pipeline and SDKs) and the emulator, per event.
      cpuMicrosPerEvent: storage.cpuPerEvent,
      target: '>= 10x baseline events/s; <= 40 requests per 1000 events',
    },
    query: { hotStoreEvents: queries.events, cases: queries.cases },
    verify,
    archive: {
      bytesPerEvent: round2(storage.archiveBytes / storage.acceptedEvents),
      rawBytesPerEvent: cpu.meanBodyBytes,
      ratio: round2(storage.archiveBytes / storage.acceptedEvents / cpu.meanBodyBytes),
      target: '<= 0.10 of raw JSON',
    },
  };
  const dir = join(__dirname, '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
  printTable(results);
}

function printTable(r: {
  cpu: {
    eventsPerSec: number;
    floorEventsPerSec: number;
    ratioToFloor: number;
    ceilingEventsPerSec: number;
    ceilingRatioToFloor: number;
  };
  storage: {
    eventsPerSec: number;
    baselineEventsPerSec: number;
    speedup: number;
    bareEntitiesEventsPerSec: number;
    bareEntitiesSpeedup: number;
    cpuMicrosPerEvent: { ours: CpuSplit; baseline: CpuSplit; bareEntities: CpuSplit };
    requestsPer1000: number;
    baselineRequestsPer1000: number;
    batchSize: number;
  };
  archive: { bytesPerEvent: number; rawBytesPerEvent: number; ratio: number };
  query: { hotStoreEvents: number; cases: QueryCase[] };
  verify: {
    verifyEventsPerSec: number;
    offlineVerifyEventsPerSec: number;
    sha256EventsPerSec: number;
    keyOperationsPerMillionEvents: number;
  };
}): void {
  const rows: [string, string, string, string][] = [
    ['measure', 'ours', 'baseline / floor', 'ratio'],
    [
      'cpu events/s (1 core)',
      String(r.cpu.eventsPerSec),
      `${r.cpu.floorEventsPerSec} (JSON.parse+SHA-256)`,
      `${r.cpu.ratioToFloor}`,
    ],
    [
      '  ceiling: native steps only',
      String(r.cpu.ceilingEventsPerSec),
      `${r.cpu.floorEventsPerSec} (JSON.parse+SHA-256)`,
      `${r.cpu.ceilingRatioToFloor}`,
    ],
    [
      'storage events/s',
      String(r.storage.eventsPerSec),
      `${r.storage.baselineEventsPerSec} (naive)`,
      `${r.storage.speedup}x`,
    ],
    [
      '  ceiling: 2 key-only entities/event',
      String(r.storage.bareEntitiesEventsPerSec),
      `${r.storage.baselineEventsPerSec} (naive)`,
      `${r.storage.bareEntitiesSpeedup}x`,
    ],
    [
      `requests per 1000 events (batch ${r.storage.batchSize})`,
      String(r.storage.requestsPer1000),
      String(r.storage.baselineRequestsPer1000),
      '',
    ],
    [
      'archive bytes per event',
      String(r.archive.bytesPerEvent),
      `${r.archive.rawBytesPerEvent} (raw JSON)`,
      `${r.archive.ratio}`,
    ],
  ];
  const widths = [0, 1, 2, 3].map((c) =>
    Math.max(...rows.map((row) => row[c as 0 | 1 | 2 | 3].length)),
  );
  for (const row of rows)
    process.stdout.write(row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ') + '\n');
  const split = (c: CpuSplit): string =>
    `${c.clientMicros} µs here + ${c.emulatorMicros === undefined ? '?' : c.emulatorMicros} µs in Azurite`;
  process.stdout.write(
    `\nstorage CPU per event: ours ${split(r.storage.cpuMicrosPerEvent.ours)}; ` +
      `baseline ${split(r.storage.cpuMicrosPerEvent.baseline)}; ` +
      `2 key-only entities ${split(r.storage.cpuMicrosPerEvent.bareEntities)}\n`,
  );
  process.stdout.write(
    `\nverification: ${r.verify.verifyEventsPerSec} events/s against storage, ${r.verify.offlineVerifyEventsPerSec} offline; ` +
      `SHA-256 alone ${r.verify.sha256EventsPerSec} events/s; ${r.verify.keyOperationsPerMillionEvents} key operations per million events\n`,
  );
  process.stdout.write(
    `\nqueries over a hot store of ${r.query.hotStoreEvents} events (p50 / p95 ms, requests, entities scanned)\n`,
  );
  for (const c of r.query.cases) {
    process.stdout.write(
      `  ${c.name.padEnd(24)} ours ${c.p50Ms}/${c.p95Ms} ms, ${c.requests} req, ${c.entitiesScanned} scanned` +
        `   full scan ${c.baselineP50Ms}/${c.baselineP95Ms} ms, ${c.baselineRequests} req, ${c.baselineEntitiesScanned} scanned` +
        `   (${c.matches} matches)\n`,
    );
  }
  process.stdout.write('written: bench/results/latest.json\n');
}

const round2 = (value: number): number => Math.round(value * 100) / 100;

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
