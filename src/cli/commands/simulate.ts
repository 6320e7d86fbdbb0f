import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { simulateTraffic } from '../../simulate/traffic';
import { ANOMALY_KINDS, type AnomalyKind, type SimulationOptions } from '../../simulate/types';
import { ApiClient } from '../api-client';
import { resolveConnection, type ConnectionOptions } from '../connection';
import { CliError, EXIT, usageError } from '../errors';
import type { InputEvent } from '../event-input';
import type { CliIo } from '../io';
import { DEFAULT_CHUNK_EVENTS, DEFAULT_RETRIES } from '../send-events';
import { deliver, wholeNumber } from './ingest';

export interface SimulateOptions extends ConnectionOptions {
  count?: string;
  rate?: string;
  tenants?: string;
  seed?: string;
  start?: string;
  /** true for every kind, or a comma list. */
  anomalies?: string | boolean;
  out?: string;
  json?: boolean;
}

/**
 * `mcp-audit simulate`: realistic, deterministic SQL MCP audit traffic, sent to the running audit log or,
 * with `--out`, written as NDJSON (to a file, or `-` for standard output).
 */
export async function simulateCommand(options: SimulateOptions, io: CliIo): Promise<number> {
  const simulation = simulationOptions(options);
  let generated = 0;
  const events = (async function* (): AsyncGenerator<InputEvent> {
    for (const { body } of simulateTraffic(simulation)) {
      generated++;
      yield { body: Buffer.from(body, 'utf8'), position: generated };
    }
  })();
  if (options.out !== undefined) return writeNdjson(events, options.out, io);
  const client = new ApiClient(await resolveConnection(options, io));
  return deliver(
    events,
    {
      label: `the simulation (seed ${simulation.seed})`,
      totalBytes: simulation.count,
      bytesRead: () => generated,
      unit: () => 'element',
    },
    client,
    { chunkEvents: DEFAULT_CHUNK_EVENTS, retries: DEFAULT_RETRIES, json: options.json === true },
    io,
  );
}

export function simulationOptions(options: SimulateOptions): SimulationOptions {
  const count = wholeNumber('--count', options.count, 1000, 0, 10_000_000);
  const tenants = wholeNumber('--tenants', options.tenants, 5, 1, 100);
  const seed = options.seed === undefined ? 1 : Number(options.seed);
  if (!Number.isSafeInteger(seed))
    throw usageError('--seed', options.seed ?? '', 'expected a whole number');
  const rate = options.rate === undefined ? 1 : Number(options.rate);
  if (!Number.isFinite(rate) || rate <= 0)
    throw usageError(
      '--rate',
      options.rate ?? '',
      'expected a number of events per second above 0',
    );
  const simulation: SimulationOptions = { seed, count, tenants, ratePerSecond: rate };
  if (options.start !== undefined) {
    const start = new Date(options.start);
    if (Number.isNaN(start.getTime()))
      throw usageError('--start', options.start, 'expected a time such as 2025-06-02T06:00:00Z');
    simulation.start = start;
  }
  if (options.anomalies !== undefined && options.anomalies !== false) {
    if (options.anomalies === true) simulation.anomalies = true;
    else {
      const kinds = options.anomalies
        .split(',')
        .map((kind) => kind.trim())
        .filter((kind) => kind !== '');
      for (const kind of kinds) {
        if (!(ANOMALY_KINDS as readonly string[]).includes(kind)) {
          throw usageError('--anomalies', kind, `expected one of ${ANOMALY_KINDS.join(', ')}`);
        }
      }
      simulation.anomalies = kinds as AnomalyKind[];
    }
    if (count < 200)
      throw usageError('--count', String(count), 'anomalies need at least 200 events');
  }
  return simulation;
}

async function writeNdjson(
  events: AsyncIterable<InputEvent>,
  out: string,
  io: CliIo,
): Promise<number> {
  const toStdout = out === '-';
  const file = toStdout ? undefined : path.resolve(io.cwd, out);
  const stream = file === undefined ? undefined : createWriteStream(file);
  if (stream !== undefined) {
    await Promise.race([
      once(stream, 'open'),
      once(stream, 'error').then(([error]) => {
        throw new CliError(
          `cannot write ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
          EXIT.usage,
        );
      }),
    ]);
  }
  let count = 0;
  for await (const event of events) {
    const line = `${event.body.toString('utf8')}\n`;
    count++;
    if (stream === undefined) io.stdout.write(line);
    else if (!stream.write(line)) await once(stream, 'drain');
  }
  if (stream !== undefined) {
    stream.end();
    await once(stream, 'finish');
    io.stderr.write(`wrote ${count} events to ${out}\n`);
  }
  return EXIT.ok;
}
