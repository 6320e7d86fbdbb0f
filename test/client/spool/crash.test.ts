/**
 * A producer process killed (SIGKILL) while it writes its spool: the spool opens again, holds every
 * event whose publish had resolved, recovers up to the last complete record, and a new producer
 * replays exactly those events, in order, to the local AMQP endpoint (src/eventhubs-local).
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { AuditProducer, Spool } from '../../../client';
import {
  Cleanup,
  connectionStringFor,
  FAST_RETRIES,
  numberOf,
  startEndpoint,
  unreachablePort,
} from '../support/hub';
import { temporaryDirectory } from '../support/spool-fixture';

jest.setTimeout(90_000);

const REGISTER = path.resolve(__dirname, '../../host/support/register-ts.js');
const WRITER = path.resolve(__dirname, '../support/producer-writer.ts');

/**
 * Runs the producer process and kills it: `delayMs` after it starts the group following the fifth
 * durable one, or (torn) as soon as it has written part of the sixth group's records. Resolves with
 * the last event number it reported durable.
 */
function publishAndKill(
  file: string,
  connectionString: string,
  how: { delayMs: number } | 'torn',
): Promise<number> {
  return new Promise((resolve, reject) => {
    const args = [
      '-r',
      REGISTER,
      WRITER,
      file,
      connectionString,
      ...(how === 'torn' ? ['torn'] : []),
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let pending = '';
    let errors = '';
    let lastDurable = -1;
    let killing = false;
    const kill = (delayMs: number): void => {
      killing = true;
      setTimeout(() => child.kill('SIGKILL'), delayMs);
    };
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (/^\d+$/.test(line)) lastDurable = Number(line);
        if (killing) continue;
        if (how === 'torn' && line === 'torn') kill(0);
        if (how !== 'torn' && line.startsWith('writing ') && lastDurable >= 14) kill(how.delayMs);
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(lastDurable);
      else reject(new Error(`the producer exited with ${code} before it was killed: ${errors}`));
    });
  });
}

describe('a producer killed while writing its spool', () => {
  const directories: string[] = [];
  const cleanup = new Cleanup();
  const spoolFile = (): string => {
    const directory = temporaryDirectory();
    directories.push(directory);
    return path.join(directory, 'audit.spool');
  };
  afterEach(() => cleanup.run());
  afterAll(() => directories.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('loses nothing it reported durable, drops the record cut short, and the rest replays in order', async () => {
    const file = spoolFile();
    const port = await unreachablePort();
    expect(await publishAndKill(file, connectionStringFor(port), 'torn')).toBe(14);

    const { hub, recorder } = await startEndpoint(port);
    cleanup.add(hub);
    const producer = cleanup.add(
      await AuditProducer.open({
        connection: { connectionString: hub.connectionString },
        retryOptions: FAST_RETRIES,
        spool: { path: file, maxBytes: 1 << 30 },
      }),
    );
    // Events 0..14 were durable; of the torn group, 15 is complete and 16 was cut short.
    expect(producer.spoolRecovery).toMatchObject({ pending: 16, adopted: 1 });
    expect(producer.spoolRecovery?.discardedBytes).toBeGreaterThan(0);
    await producer.drain(30_000);
    expect(recorder.bodies.map(numberOf)).toEqual(Array.from({ length: 16 }, (_, i) => i));
  });

  it.each([0, 20, 40, 80, 160])(
    'recovers every durable event, in order (killed %i ms into a group)',
    async (delayMs) => {
      const file = spoolFile();
      const lastDurable = await publishAndKill(file, connectionStringFor(await unreachablePort()), {
        delayMs,
      });
      const spool = await Spool.open({ path: file, maxBytes: 1 << 30 });
      const records = await spool.readPending({ maxRecords: 100_000, maxBytes: 1 << 30 });
      await spool.close();
      const numbers = records.map((r) => numberOf(JSON.parse(r.body.toString())));
      expect(numbers).toEqual(numbers.map((_, i) => i));
      expect(numbers.length).toBeGreaterThanOrEqual(lastDurable + 1);
    },
  );
});
