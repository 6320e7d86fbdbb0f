import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync } from 'node:fs';

/** Azurite's well-known development account (public, documented; not a secret). */
export const DEV_ACCOUNT_NAME = 'devstoreaccount1';
export const DEV_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  /** Folder for persistent data; omitted means in-memory (data dies with the process). */
  location?: string;
  /** Fixed ports, e.g. to restart on the same endpoints; free loopback ports are chosen otherwise. */
  blobPort?: number;
  tablePort?: number;
  queuePort?: number;
  /** How long to wait for both services to listen before giving up. */
  startTimeoutMs?: number;
}

export interface AzuriteInstance {
  readonly blobPort: number;
  readonly tablePort: number;
  readonly queuePort: number;
  readonly connectionString: string;
  readonly location: string | undefined;
  /** Process id of the emulator (the benchmark reads its CPU time). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not determine a free port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

export function azuriteConnectionString(
  blobPort: number,
  tablePort: number,
  queuePort: number,
): string {
  const base = `http://127.0.0.1`;
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${DEV_ACCOUNT_NAME}`,
    `AccountKey=${DEV_ACCOUNT_KEY}`,
    `BlobEndpoint=${base}:${blobPort}/${DEV_ACCOUNT_NAME}`,
    `QueueEndpoint=${base}:${queuePort}/${DEV_ACCOUNT_NAME}`,
    `TableEndpoint=${base}:${tablePort}/${DEV_ACCOUNT_NAME}`,
  ].join(';');
}

/**
 * How long the emulator keeps an idle connection open, in seconds. Its default of 5 s lets a request sent
 * on a pooled connection cross the server's close of that connection when the emulator's event loop is
 * busy (the client gets "socket hang up"); clients that make one try only, as the fault-injection tests'
 * do, then fail for no reason of their own. Idle connections are unreferenced by the client's agent, so
 * keeping them longer holds no process open.
 */
export const IDLE_CONNECTION_SECONDS = 600;

/**
 * Starts Azure Storage's official emulator as a child process on loopback.
 * `--skipApiVersionCheck` because the SDKs may speak a newer API version than Azurite knows;
 * `--disableTelemetry` because otherwise Azurite tries to reach a public endpoint.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<AzuriteInstance> {
  const blobPort = options.blobPort ?? (await freePort());
  const tablePort = options.tablePort ?? (await freePort());
  const queuePort = options.queuePort ?? (await freePort());
  const args = [
    require.resolve('azurite/dist/src/azurite.js'),
    '--blobHost',
    '127.0.0.1',
    '--tableHost',
    '127.0.0.1',
    '--queueHost',
    '127.0.0.1',
    '--blobPort',
    String(blobPort),
    '--tablePort',
    String(tablePort),
    '--queuePort',
    String(queuePort),
    '--skipApiVersionCheck',
    '--disableTelemetry',
    '--loose',
    ...['--blobKeepAliveTimeout', '--tableKeepAliveTimeout', '--queueKeepAliveTimeout'].flatMap(
      (flag) => [flag, String(IDLE_CONNECTION_SECONDS)],
    ),
  ];
  if (options.location === undefined) {
    args.push('--inMemoryPersistence');
  } else {
    mkdirSync(options.location, { recursive: true });
    args.push('--location', options.location);
  }
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a Ctrl+C in the terminal reaches the host, which drains its batches and
    // only then stops the emulator, instead of both stopping at once.
    detached: true,
    cwd: options.location ?? process.cwd(),
  });
  await waitUntilListening(child, options.startTimeoutMs ?? 30_000);
  return {
    blobPort,
    tablePort,
    queuePort,
    location: options.location,
    pid: child.pid,
    connectionString: azuriteConnectionString(blobPort, tablePort, queuePort),
    stop: () => stopChild(child),
  };
}

function waitUntilListening(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const pending = new Set(['Blob', 'Table', 'Queue']);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Azurite did not start within ${timeoutMs} ms. Output:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      for (const service of [...pending]) {
        if (output.includes(`Azurite ${service} service is successfully listening`))
          pending.delete(service);
      }
      if (pending.size === 0) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        // Keep draining so a full pipe never blocks the emulator.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (pending.size > 0) {
        reject(
          new Error(
            `Azurite exited before listening (code ${code}, signal ${signal}). Output:\n${output}`,
          ),
        );
      }
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
