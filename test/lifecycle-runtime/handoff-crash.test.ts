/**
 * A hand-off interrupted at every request it makes, either before the request reaches storage or after
 * storage applied it (the answer lost): at no point is an event lost or read twice, and running the
 * hand-off again completes it.
 */
import type { Readable } from 'node:stream';
import type { PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { shippedRetentionPolicy } from '../../lifecycle';
import { handOff, type HandOffDependencies } from '../../src/lifecycle-runtime';
import { queryAcrossTiers, tieredSourceOf } from '../../src/query/archive-reader';
import { plainRow } from '../../src/store/hot-entity';
import { eventViewOf } from '../../src/http/event-view';
import { readPartition } from '../support/invariants';
import { ingestHarness, type Harness } from '../support/ingest-harness';
import { TestTransport } from '../support/storage';
import { HOUR_MS, typedBody } from './support';

jest.setTimeout(300_000);

type Mode = 'before-request' | 'after-response';

class CrashingTransport extends TestTransport {
  failAt: { ordinal: number; mode: Mode } | undefined;

  override async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    const response = await super.sendRequest(request);
    if (this.failAt?.mode === 'after-response' && this.attempts === this.failAt.ordinal) {
      // Nobody reads a streamed body of a lost answer: release its connection, as a dropped one would be.
      (response.readableStreamBody as Readable | undefined)?.destroy();
      throw new Error(`injected: the answer to request ${this.attempts} was lost`);
    }
    return response;
  }
}

const NOW = new Date('2027-02-01T00:00:00.000Z');
const TENANTS = ['acme', 'globex'];

async function setUp(): Promise<{
  transport: CrashingTransport;
  harness: Harness;
  deps: HandOffDependencies;
}> {
  const transport = new CrashingTransport();
  const harness = await ingestHarness(transport);
  for (const partition of ['0', '1']) {
    for (const hour of [0, 1]) {
      const batch = Array.from({ length: 3 }, (_, i) => {
        const n = Number(partition) * 100 + hour * 10 + i;
        return {
          sequenceNumber: hour * HOUR_MS + i,
          body: typedBody(n, i === 2 ? 'com.sqlmcp.auth.failed' : 'com.sqlmcp.tool.invoked', {
            tenant: TENANTS[(n + i) % 2] as string,
            time: new Date(Date.parse('2026-11-20T00:00:00Z') + n * 40 * 60_000).toISOString(),
            status: i === 2 ? 'failure' : 'success',
          }),
        };
      });
      await harness.deliver(partition, batch);
    }
  }
  const deps: HandOffDependencies = {
    tables: harness.clients.tables,
    archive: harness.clients.containers.archive,
    policy: shippedRetentionPolicy(),
  };
  return { transport, harness, deps };
}

/** Every event both tiers answer with, as event views in query order. */
async function everyEvent(harness: Harness): Promise<unknown[]> {
  const page = await queryAcrossTiers(
    tieredSourceOf(harness.clients),
    {},
    TENANTS,
    1000,
    undefined,
  );
  expect(page.needsRehydration).toEqual([]);
  return page.rows.map(eventViewOf);
}

async function hotEventIds(harness: Harness): Promise<string[]> {
  const ids: string[] = [];
  for await (const entity of harness.clients.tables.events.listEntities()) {
    ids.push(String(plainRow(entity as Record<string, unknown>).eventId));
  }
  return ids;
}

describe('a hand-off that crashes', () => {
  let expected: unknown[];
  let requests: number;

  beforeAll(async () => {
    const { transport, harness, deps } = await setUp();
    expected = await everyEvent(harness);
    const start = transport.attempts;
    const report = await handOff(deps, NOW, { batchSize: 5 });
    requests = transport.attempts - start;
    expect([report.handedOff, report.kept]).toEqual([12, []]);
  });

  it('is measured over a run that makes enough requests to crash in every step', () => {
    expect(expected).toHaveLength(12);
    expect(requests).toBeGreaterThan(20);
  });

  for (const mode of ['before-request', 'after-response'] as const) {
    it(`loses and duplicates nothing and resumes, failing at each request position (${mode})`, async () => {
      const failures: string[] = [];
      for (let position = 1; position <= requests; position++) {
        const { transport, harness, deps } = await setUp();
        // Each set-up redacts with its own key, so each has its own records to compare with.
        const baseline = await everyEvent(harness);
        const ordinal = transport.attempts + position;
        transport.failAt = { ordinal, mode };
        if (mode === 'before-request') {
          transport.beforeRequest = (attempt) => {
            if (attempt === ordinal) throw new Error(`injected: request ${attempt} failed`);
          };
        }
        let crashed = false;
        try {
          await handOff(deps, NOW, { batchSize: 5 });
        } catch (error) {
          crashed = /^injected/.test((error as Error).message);
          if (!crashed) throw error;
        }
        transport.failAt = undefined;
        transport.beforeRequest = undefined;
        if (!crashed) failures.push(`position ${position}: the injected failure did not surface`);

        // Between the crash and the next run, readers see every event exactly once.
        const midway = await everyEvent(harness);
        if (JSON.stringify(midway) !== JSON.stringify(baseline)) {
          failures.push(`position ${position}: ${midway.length} events read after the crash`);
        }
        const resumed = await handOff(deps, NOW, { batchSize: 5 });
        const after = await everyEvent(harness);
        if (JSON.stringify(after) !== JSON.stringify(baseline)) {
          failures.push(`position ${position}: ${after.length} events read after resuming`);
        }
        const hot = await hotEventIds(harness);
        if (hot.length !== 0 || resumed.kept.length !== 0) {
          failures.push(
            `position ${position}: ${hot.length} hot rows left, ${resumed.kept.length} kept`,
          );
        }
        // The archive itself is never written by the hand-off: every record is still there once.
        for (const partition of ['0', '1']) {
          const contents = await readPartition(harness.clients, partition);
          if (contents.archivedCount !== 6) {
            failures.push(
              `position ${position}: partition ${partition} archives ${contents.archivedCount}`,
            );
          }
        }
      }
      expect(failures).toEqual([]);
    });
  }
});
