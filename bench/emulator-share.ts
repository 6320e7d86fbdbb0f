import { randomBytes } from 'node:crypto';
import {
  createDefaultHttpClient,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { startAzurite } from '../src/devstorage/azurite';
import { createRedactor, redactionPolicyFromSettings } from '../src/redact';
import { retentionFromPolicy } from '../src/retention';
import { shippedRetentionPolicy } from '../lifecycle';
import { ingestPartitionBatch } from '../src/pipeline/ingest';
import { ingestDependencies } from './storage';
import { deliveries, STORAGE_EVENTS } from './deliveries';
import { processCpuMs } from './process-cpu';

/**
 * Where the emulator's CPU goes when the storage benchmark's events are ingested: requests are sent one
 * at a time and the emulator's CPU time is read around each, then summed by kind of request. Sending one
 * at a time makes the run slower than the benchmark, but each request's cost is its own. /proc counts in
 * ticks of 10 ms, more than one request costs, so single readings are coarse; summed over thousands of
 * requests they are not. Linux only.
 */
export class EmulatorShareMeter implements HttpClient {
  private readonly inner = createDefaultHttpClient();
  private queue: Promise<unknown> = Promise.resolve();
  readonly byKind = new Map<string, { requests: number; emulatorMs: number }>();

  constructor(private readonly emulatorPid: number) {}

  sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    const sent = this.queue.then(() => this.measure(request));
    this.queue = sent.catch(() => undefined);
    return sent;
  }

  private async measure(request: PipelineRequest): Promise<PipelineResponse> {
    const before = this.emulatorCpu();
    const response = await this.inner.sendRequest(request);
    // The emulator logs and cleans up after answering: let that land on this request too.
    await new Promise((resolve) => setTimeout(resolve, 2));
    const kind = requestKind(request);
    const entry = this.byKind.get(kind) ?? { requests: 0, emulatorMs: 0 };
    entry.requests++;
    entry.emulatorMs += this.emulatorCpu() - before;
    this.byKind.set(kind, entry);
    return response;
  }

  private emulatorCpu(): number {
    const ms = processCpuMs(this.emulatorPid);
    if (ms === undefined) throw new Error('the emulator CPU time cannot be read (no /proc?)');
    return ms;
  }
}

/** "table transaction auditids (insert)", "PUT audit-archive ?blockid&comp", …: what a request does. */
export function requestKind(request: PipelineRequest): string {
  const url = new URL(request.url);
  const resource = decodeURIComponent(url.pathname.split('/')[2] ?? '').replace(/\(.*$/, '');
  const query = [...url.searchParams.keys()].sort().join('&');
  if (resource === '$batch') {
    const body = typeof request.body === 'string' ? request.body : '';
    const table = /\r\n(?:POST|PUT|PATCH|DELETE) \S+\/([A-Za-z0-9]+)[(\s]/.exec(body)?.[1] ?? '?';
    const verb = /\r\n(POST|PUT|PATCH|DELETE) /.exec(body)?.[1] ?? '?';
    const operation =
      { POST: 'insert', PUT: 'upsert', PATCH: 'merge', DELETE: 'delete' }[verb] ?? '?';
    return `table transaction ${table} (${operation})`;
  }
  // The table or container the request addresses; blob names and entity keys are left out.
  return `${request.method} ${resource}${query ? ` ?${query}` : ''}`;
}

async function main(): Promise<void> {
  const azurite = await startAzurite();
  try {
    if (azurite.pid === undefined) throw new Error('the emulator has no process id');
    const meter = new EmulatorShareMeter(azurite.pid);
    const deps = await ingestDependencies(
      azurite.connectionString,
      meter,
      createRedactor(redactionPolicyFromSettings({}), randomBytes(32)),
      retentionFromPolicy(shippedRetentionPolicy()),
    );
    meter.byKind.clear();
    let events = 0;
    for (const [partitionId, batches] of deliveries(STORAGE_EVENTS)) {
      for (const batch of batches) {
        await ingestPartitionBatch(deps, partitionId, batch);
        events += batch.length;
      }
    }
    const rows = [...meter.byKind].sort((a, b) => b[1].emulatorMs - a[1].emulatorMs);
    const total = rows.reduce((sum, [, entry]) => sum + entry.emulatorMs, 0);
    console.log(`emulator CPU by request, ingesting ${events} events one request at a time`);
    console.log(`${'request'.padEnd(44)} ${'count'.padStart(6)} ${'µs/event'.padStart(9)} share`);
    for (const [kind, entry] of rows) {
      console.log(
        `${kind.padEnd(44)} ${String(entry.requests).padStart(6)} ${String(Math.round((entry.emulatorMs * 1000) / events)).padStart(9)} ${((entry.emulatorMs / total) * 100).toFixed(0).padStart(4)}%`,
      );
    }
    console.log(
      `${'total'.padEnd(44)} ${''.padStart(6)} ${String(Math.round((total * 1000) / events)).padStart(9)}`,
    );
  } finally {
    await azurite.stop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error('emulator share failed:', error);
    process.exitCode = 1;
  });
}
