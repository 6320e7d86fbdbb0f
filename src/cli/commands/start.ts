import path from 'node:path';
import { DEFAULT_DATA_DIR, DEFAULT_PORT, startLocalHost } from '../../host/server';
import { DEFAULT_AMQP_PORT } from '../defaults';
import { CliError, EXIT, usageError } from '../errors';
import type { CliIo } from '../io';

export interface StartOptions {
  port?: string;
  data?: string;
  amqpPort?: string;
  /** false with --no-amqp. */
  amqp?: boolean;
}

/**
 * `mcp-audit start`: runs the local host until SIGINT or SIGTERM, then stops it gracefully (requests in
 * flight answered, batches durable, Azurite stopped) and resolves with exit code 0. A second signal
 * during the stop gives up waiting and exits 1.
 */
export async function startCommand(options: StartOptions, io: CliIo): Promise<number> {
  const port = portNumber('--port', options.port, DEFAULT_PORT);
  const amqpPort =
    options.amqp === false
      ? undefined
      : portNumber('--amqp-port', options.amqpPort, DEFAULT_AMQP_PORT);
  const dataDir = path.resolve(io.cwd, options.data ?? DEFAULT_DATA_DIR);
  // Listening from the start: a signal that arrives while the host starts stops it once it is up, rather
  // than killing the process and leaving the storage emulator running.
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const host = await startLocalHost({
    port,
    dataDir,
    env: io.env,
    cwd: io.cwd,
    ...(amqpPort === undefined ? {} : { amqpPort }),
    log: (line) => io.stdout.write(`${line}\n`),
  });
  const signal = await stopRequested;
  io.stdout.write(
    `${signal}: stopping; waiting for requests in flight and the hub's batches (send it again to stop at once)\n`,
  );
  const forced = new Promise<never>((_resolve, reject) => {
    const force = (): void =>
      reject(new CliError('stopped before in-flight work finished', EXIT.failure));
    process.once('SIGINT', force);
    process.once('SIGTERM', force);
  });
  await Promise.race([host.close(), forced]);
  io.stdout.write('stopped\n');
  return EXIT.ok;
}

function portNumber(option: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value > 65535) {
    throw usageError(option, raw, 'expected a port number from 0 to 65535 (0 picks a free one)');
  }
  return value;
}
