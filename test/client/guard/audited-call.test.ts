/**
 * Fail-closed and fail-open calls, with Event Hubs played by the local AMQP endpoint
 * (src/eventhubs-local, not Azure), an unreachable port, or a socket that never answers.
 */
import { createServer, type Socket } from 'node:net';
import path from 'node:path';
import {
  AuditNotRecordedError,
  AuditProducer,
  auditedCall,
  type AuditGap,
  type AuditPolicy,
  type AuditProducerOptions,
  type CallOutcome,
  type SpoolFile,
} from '../../../client';
import { openSpoolFile } from '../../../client/spool/file';
import {
  actor,
  builderFor,
  Cleanup,
  connectionStringFor,
  FAST_RETRIES,
  startEndpoint,
  unreachablePort,
} from '../support/hub';
import { temporaryDirectory } from '../support/spool-fixture';

jest.setTimeout(30_000);
const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const FAIL_CLOSED: AuditPolicy = { mode: 'fail-closed', timeoutMs: 1000 };
const FAIL_OPEN: AuditPolicy = { mode: 'fail-open', timeoutMs: 1000 };
const builder = builderFor();

function eventOf(outcome: CallOutcome<unknown>) {
  return builder.toolInvoked({
    actor,
    tool: { name: 'write_query' },
    outcome:
      outcome.status === 'returned'
        ? { status: 'success', durationMs: outcome.durationMs }
        : { status: 'failure', errorMessage: String((outcome.error as Error).message) },
  });
}

async function openProducer(connectionString: string, options: Partial<AuditProducerOptions> = {}) {
  return cleanup.add(
    await AuditProducer.open({
      connection: { connectionString },
      retryOptions: FAST_RETRIES,
      ...options,
    }),
  );
}

/** A spool whose data writes fail with EIO, as on a broken disk. */
function unwritableSpool(): AuditProducerOptions['spool'] {
  return {
    path: path.join(temporaryDirectory(), 'audit.spool'),
    openFile: async (file: string): Promise<SpoolFile> => {
      const handle = await openSpoolFile(file);
      return {
        read: (...args) => handle.read(...args),
        write: async (buffer, offset, length, position) => {
          if (position >= 256)
            throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
          return handle.write(buffer, offset, length, position);
        },
        datasync: () => handle.datasync(),
        truncate: (length) => handle.truncate(length),
        stat: () => handle.stat(),
        close: () => handle.close(),
      };
    },
  };
}

/** A TCP server that accepts connections and never says a word: an endpoint that hangs. */
async function silentEndpoint(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}

describe('fail-closed', () => {
  it('returns the result once the event is in Event Hubs', async () => {
    const { hub, recorder } = await startEndpoint();
    cleanup.add(hub);
    const producer = await openProducer(hub.connectionString);
    const value = await auditedCall(
      producer,
      FAIL_CLOSED,
      'tool write_query',
      async () => 'done',
      (outcome) => {
        expect(recorder.events).toEqual([]);
        return eventOf(outcome);
      },
    );
    expect(value).toBe('done');
    expect(recorder.bodies.map((b) => b.type)).toEqual(['com.sqlmcp.tool.invoked']);
  });

  it("passes the call's own error on once its event is recorded", async () => {
    const { hub, recorder } = await startEndpoint();
    cleanup.add(hub);
    const producer = await openProducer(hub.connectionString);
    const calling = auditedCall(
      producer,
      FAIL_CLOSED,
      'tool write_query',
      async () => {
        throw new Error('constraint failed');
      },
      eventOf,
    );
    await expect(calling).rejects.toThrow('constraint failed');
    expect(
      recorder.bodies.map((b) => (b.data['outcome'] as { errorMessage: string }).errorMessage),
    ).toEqual(['constraint failed']);
  });

  it('withholds the result when Event Hubs is unreachable and the spool is full, then refuses to run', async () => {
    const file = path.join(temporaryDirectory(), 'audit.spool');
    const producer = await openProducer(connectionStringFor(await unreachablePort()), {
      spool: { path: file, maxBytes: 700 },
    });
    let runs = 0;
    const call = () =>
      auditedCall(producer, FAIL_CLOSED, 'tool write_query', async () => ++runs, eventOf);

    expect(await call()).toBe(1); // its event fits in the spool

    const started = Date.now();
    const withheld = call();
    await expect(withheld).rejects.toBeInstanceOf(AuditNotRecordedError);
    await expect(withheld).rejects.toThrow(
      new RegExp(
        `^the result of tool write_query is withheld: its audit event [0-9a-f-]{36} was not recorded \\(spool ${file} is full: \\d+ of 700 bytes used, a record of \\d+ bytes does not fit\\)$`,
      ),
    );
    expect(Date.now() - started).toBeLessThan(FAIL_CLOSED.timeoutMs);
    expect(runs).toBe(2);

    const refused = call();
    await expect(refused).rejects.toMatchObject({ ran: false });
    await expect(refused).rejects.toThrow(
      /^tool write_query did not run: its audit event could not be recorded \(Event Hubs is unreachable and the spool cannot take more events \(spool .* is full: .*\)\)$/,
    );
    expect(runs).toBe(2);
    expect(producer.stats().gaps).toBe(1);
  });

  it('fails within the time limit when Event Hubs hangs and the spool is unwritable', async () => {
    const silent = await silentEndpoint();
    cleanup.add(silent);
    const producer = await openProducer(connectionStringFor(silent.port), {
      spool: unwritableSpool(),
      sendTimeoutMs: 3000,
      retryOptions: { ...FAST_RETRIES, timeoutInMs: 3000 },
    });
    const policy: AuditPolicy = { mode: 'fail-closed', timeoutMs: 500 };
    let ran = false;
    const started = Date.now();
    const calling = auditedCall(
      producer,
      policy,
      'tool write_query',
      async () => (ran = true),
      eventOf,
    );
    await expect(calling).rejects.toThrow(
      /^the result of tool write_query is withheld: its audit event [0-9a-f-]{36} was not recorded \(not accepted by Event Hubs or written to the spool within 500 ms\)$/,
    );
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(500);
    expect(elapsed).toBeLessThan(1500);
    expect(ran).toBe(true);
  });

  it('withholds the result when Event Hubs is unreachable and the spool cannot be written', async () => {
    const producer = await openProducer(connectionStringFor(await unreachablePort()), {
      spool: unwritableSpool(),
    });
    const calling = auditedCall(
      producer,
      FAIL_CLOSED,
      'tool write_query',
      async () => 'done',
      eventOf,
    );
    await expect(calling).rejects.toThrow(
      /^the result of tool write_query is withheld: its audit event [0-9a-f-]{36} was not recorded \(spool .*audit\.spool: appending records failed \(EIO: i\/o error, write\)\)$/,
    );
  });

  it('refuses the result when the event cannot be built', async () => {
    const { hub } = await startEndpoint();
    cleanup.add(hub);
    const producer = await openProducer(hub.connectionString);
    const calling = auditedCall(
      producer,
      FAIL_CLOSED,
      'tool write_query',
      async () => 'done',
      () => builder.toolInvoked({ actor, tool: { name: '' }, outcome: { status: 'success' } }),
    );
    await expect(calling).rejects.toThrow(
      /^the result of tool write_query is withheld: its audit event was not recorded \(invalid audit event com\.sqlmcp\.tool\.invoked [0-9a-f-]{36}: \/data\/tool\/name: must not be empty \(schema\)\)$/,
    );
  });
});

describe('fail-open', () => {
  it('returns the result and counts a gap when the event cannot be recorded', async () => {
    const gaps: AuditGap[] = [];
    const producer = await openProducer(connectionStringFor(await unreachablePort()), {
      spool: { path: path.join(temporaryDirectory(), 'audit.spool'), maxBytes: 300 },
      onGap: (gap) => gaps.push(gap),
    });
    expect(
      await auditedCall(producer, FAIL_OPEN, 'tool write_query', async () => 'done', eventOf),
    ).toBe('done');
    await producer.flush();
    await new Promise((resolve) => setImmediate(resolve));
    expect(gaps.map((gap) => [gap.reason, gap.eventType])).toEqual([
      ['spool-full', 'com.sqlmcp.tool.invoked'],
    ]);
    expect(producer.stats().gaps).toBe(1);
  });

  it('runs even when the producer is known unable to record', async () => {
    const producer = await openProducer(connectionStringFor(await unreachablePort()));
    await producer.close();
    expect(
      await auditedCall(producer, FAIL_OPEN, 'tool write_query', async () => 'done', eventOf),
    ).toBe('done');
    await new Promise((resolve) => setImmediate(resolve));
    expect(producer.stats()).toMatchObject({ state: 'closed', gaps: 1 });
  });

  it('counts an event that cannot be built as a gap', async () => {
    const { hub } = await startEndpoint();
    cleanup.add(hub);
    const producer = await openProducer(hub.connectionString);
    await auditedCall(
      producer,
      FAIL_OPEN,
      'tool write_query',
      async () => 'done',
      () => {
        throw new Error('no actor');
      },
    );
    expect(producer.stats().gaps).toBe(1);
  });
});
