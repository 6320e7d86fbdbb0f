import path from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  registrations as appRegistrations,
  type EventHubRegistration,
  type HttpRegistration,
  type Registration,
  type TimerRegistration,
} from '../../functions/registrations';
import { setRuntime } from '../../functions/runtime';
import { parseApiKeys, type ApiKeyring } from '../auth/api-keys';
import { MAX_REQUEST_BYTES } from '../http/ingest-body';
import { keyProviderFromSettings } from '../keys';
import { createAuditRuntime, type AuditRuntime } from '../runtime/audit-runtime';
import type { EventSink } from '../sink/types';
import { listLogStates } from '../store/log-state';
import { loadOrCreateAdminKey } from './admin-key';
import { startAmqpBridge } from './amqp-bridge';
import { resolveBindingExpression } from './binding-expressions';
import { lockDataFolder } from './data-lock';
import { DEFAULT_DATA_DIR, DEFAULT_PORT } from './defaults';
import { readHostJson } from './host-json';
import { createHttpHost } from './http-host';
import { effectiveSettings, settingValue } from './local-settings';
import { HubJournal } from './hub-journal';
import { LocalHub, type BatchInvoker } from './local-hub';
import { provideStorage } from './storage';
import { fileTimerStatusStore, startTimers } from './timer-runner';
import { createBatchInvoker } from './trigger-runner';

export { DEFAULT_DATA_DIR, DEFAULT_PORT } from './defaults';
/** The Event Hubs function the local hub feeds; its per-event outcomes answer POST /api/events. */
export const INGEST_FUNCTION = 'ingest';
/** Partitions of the local hub; Event Hubs Standard starts at 4 too. */
export const LOCAL_PARTITION_COUNT = 4;

export interface LocalHostOptions {
  /** HTTP port on 127.0.0.1; 0 picks a free one. Default 7071. */
  port?: number;
  /** Where Azurite data, keys, the admin key and timer status live. Default ./.data. */
  dataDir?: string;
  /** Settings; `local.settings.json` in `cwd` fills in what these leave unset. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where `local.settings.json` is looked for. Default the working directory. */
  cwd?: string;
  /** Every line the host prints (banner, requests, trigger runs). Default console.log. */
  log?: (line: string) => void;
  /** Port of the local AMQP Event Hubs endpoint; 0 picks a free one; omitted means no endpoint. */
  amqpPort?: number;
  /** The functions to host. Default the app's registration table. */
  registrations?: readonly Registration[];
}

export interface LocalHost {
  /** Base URL, e.g. http://127.0.0.1:7071; functions are under `${url}/api/`. */
  readonly url: string;
  readonly port: number;
  /** The generated admin key, when AUDIT_API_KEYS is not set. */
  readonly adminKey?: string;
  readonly dataDir: string;
  /** The AMQP endpoint, when one was asked for. */
  readonly eventHubs?: { port: number; connectionString: string };
  /**
   * Stops accepting connections, lets requests in flight and the hub's batches finish, stops timers and
   * the storage emulator, and releases the data folder. Safe to call more than once.
   */
  close(): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly what: string,
    readonly option: string,
  ) {
    super(
      `port ${port} (${what}) is already in use: stop what holds it, or pass ${option} <port> (0 picks a free one)`,
    );
    this.name = 'PortInUseError';
  }
}

/**
 * The local stand-in for the Functions host: serves every HTTP function on `http://127.0.0.1:<port>/api/`,
 * runs the Event Hubs function behind an in-process hub (and, when asked, a local AMQP endpoint), and runs
 * timer functions on their schedules, against Azurite with data kept in `dataDir`.
 */
export async function startLocalHost(options: LocalHostOptions = {}): Promise<LocalHost> {
  const log = options.log ?? ((line: string) => console.log(line));
  const stamped = (line: string): void => log(`[${new Date().toISOString()}] ${line}`);
  const dataDir = path.resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const all = options.registrations ?? appRegistrations;
  const httpFunctions = all.filter((r): r is HttpRegistration => r.kind === 'http');
  const timerFunctions = all.filter((r): r is TimerRegistration => r.kind === 'timer');
  const consumers = all.filter((r): r is EventHubRegistration => r.kind === 'eventHub');
  const ingest = consumers.find((r) => r.name === INGEST_FUNCTION);
  if (ingest === undefined) {
    throw new Error(
      `the app registers no Event Hubs function named "${INGEST_FUNCTION}" to ingest events with`,
    );
  }
  const otherConsumers = consumers.filter((r) => r !== ingest);

  const cleanup: (() => Promise<void>)[] = [];
  const unwind = async (): Promise<void> => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  };
  try {
    const lock = await lockDataFolder(dataDir);
    cleanup.push(() => lock.release());
    const settings = effectiveSettings(options.env ?? process.env, options.cwd);

    const keys = await keyringFromSettings(settings, dataDir);
    const keyProvider = keyProviderFromSettings({
      ...settings,
      KEYS_DIRECTORY: settingValue(settings, 'KEYS_DIRECTORY') ?? path.join(dataDir, 'keys'),
    });
    // The emulator starts in its own process while the keys load (a first start generates them).
    const starting = provideStorage(settings, dataDir);
    cleanup.push(async () => (await starting.catch(() => undefined))?.stop());
    const [storage, redactionKey, tokenKey] = await Promise.all([
      starting,
      keyProvider.hmacKey('redaction'),
      keyProvider.hmacKey('continuation'),
    ]);
    const runtimeSettings = storage.settings;

    // The hub needs the runtime's storage to learn where numbering resumes; the runtime needs a sink first.
    const hubRef: { current?: LocalHub } = {};
    const sink: EventSink = {
      publish: (events) =>
        hubRef.current?.publish(events) ?? Promise.reject(new Error('the local hub is not ready')),
    };
    const runtime = await createAuditRuntime(runtimeSettings, {
      keys: keyProvider,
      redactionKey,
      tokenKey,
      keyring: keys.keyring,
      sink,
      inFlight: () => hubRef.current?.inFlight ?? 0,
    });
    setRuntime(runtime);

    let closing = false;
    const eventHubName = resolveBindingExpression(ingest.eventHubName, runtimeSettings);
    const maxBatchSize = readHostJson().maxEventBatchSize;
    const invoke = createBatchInvoker(ingest, {
      eventHubName,
      consumerGroup: resolveBindingExpression(ingest.consumerGroup, runtimeSettings),
      log: stamped,
      stopRetrying: () => closing,
    });
    const journal = await HubJournal.open(path.join(dataDir, 'hub'));
    cleanup.push(() => journal.close());
    const nextSequenceNumbers = await redeliverJournal(
      journal,
      runtime,
      invoke,
      maxBatchSize,
      stamped,
    );
    const localHub = new LocalHub({
      partitionCount: LOCAL_PARTITION_COUNT,
      nextSequenceNumbers,
      maxBatchSize,
      clock: runtime.clock,
      invoke,
      journal,
    });
    hubRef.current = localHub;
    cleanup.push(() => localHub.close());

    const http = createHttpHost({
      registrations: httpFunctions,
      keyring: keys.keyring,
      maxBodyBytes: MAX_REQUEST_BYTES,
      log: stamped,
    });
    const port = await listen(http.server, options.port ?? DEFAULT_PORT);
    cleanup.push(() => http.close());

    let eventHubs: { port: number; connectionString: string; close(): Promise<void> } | undefined;
    if (options.amqpPort !== undefined) {
      const endpoint = await startAmqpBridge({
        port: options.amqpPort,
        eventHubName,
        hub: localHub,
        partitionCount: LOCAL_PARTITION_COUNT,
        nextSequenceNumbers,
      }).catch((error: Error) => {
        throw /EADDRINUSE/.test(error.message)
          ? new PortInUseError(
              options.amqpPort as number,
              'AMQP Event Hubs endpoint',
              '--amqp-port',
            )
          : error;
      });
      eventHubs = {
        port: endpoint.port,
        connectionString: endpoint.connectionString,
        close: () => endpoint.close(),
      };
      cleanup.push(() => endpoint.close());
    }

    const timers = startTimers(timerFunctions, {
      settings: runtimeSettings,
      log: stamped,
      statusStore: fileTimerStatusStore(path.join(dataDir, 'timers')),
    });
    cleanup.push(() => timers.stop());

    const url = `http://127.0.0.1:${port}`;
    printBanner(log, {
      url,
      routes: http.routes,
      eventHubs,
      storage: storage.description,
      dataDir,
      keys,
      timers: timers.schedules.map((t) => `${t.name} "${t.expression}"`),
      notRun: otherConsumers.map((r) => r.name),
    });

    let closed: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closed ??= (async () => {
        closing = true;
        // Front doors first: requests and deliveries already taken are answered once their batches are
        // durable, which needs the hub still running; then the hub drains whatever is left.
        await Promise.all([http.close(), eventHubs?.close(), timers.stop()]);
        await localHub.close();
        await journal.close();
        await storage.stop();
        await lock.release();
      })();
      return closed;
    };
    return {
      url,
      port,
      dataDir,
      ...(keys.adminKey === undefined ? {} : { adminKey: keys.adminKey }),
      ...(eventHubs === undefined
        ? {}
        : { eventHubs: { port: eventHubs.port, connectionString: eventHubs.connectionString } }),
      close,
    };
  } catch (error) {
    await unwind();
    throw error;
  }
}

/**
 * Finishes what the previous run numbered but did not ingest (it crashed, or stopped while storage was
 * failing): each partition's journaled events after its log's last sequence number go through the ingest
 * function again, under their own numbers. Resolves with where each partition's numbering continues: past
 * both the log and the journal, so no number is ever given to a second event.
 */
async function redeliverJournal(
  journal: HubJournal,
  runtime: AuditRuntime,
  invoke: BatchInvoker,
  maxBatchSize: number,
  log: (line: string) => void,
): Promise<Map<string, number>> {
  const lastHandled = new Map<string, number>();
  for (const state of await listLogStates(runtime.clients.tables.state)) {
    lastHandled.set(state.partitionId, state.lastSequenceNumber);
  }
  const next = new Map<string, number>();
  for (let p = 0; p < LOCAL_PARTITION_COUNT; p++) {
    const partitionId = String(p);
    const handled = lastHandled.get(partitionId) ?? -1;
    const pending = await journal.pending(partitionId, handled);
    if (pending.length > 0) {
      const first = pending[0]?.sequenceNumber;
      const last = pending[pending.length - 1]?.sequenceNumber;
      log(
        `partition ${partitionId}: redelivering ${pending.length} events (sequence ${first}..${last}) the last run did not finish`,
      );
      for (let at = 0; at < pending.length; at += maxBatchSize) {
        await invoke(partitionId, pending.slice(at, at + maxBatchSize));
      }
    }
    next.set(partitionId, Math.max(handled, await journal.highest(partitionId)) + 1);
    await journal.clear(partitionId);
  }
  for (const [partitionId, handled] of lastHandled)
    if (!next.has(partitionId)) next.set(partitionId, handled + 1);
  return next;
}

interface Keys {
  keyring: ApiKeyring;
  adminKey?: string;
  /** One line for the banner. */
  description: string;
}

async function keyringFromSettings(settings: NodeJS.ProcessEnv, dataDir: string): Promise<Keys> {
  const configured = settingValue(settings, 'AUDIT_API_KEYS');
  if (configured !== undefined) {
    const keyring = parseApiKeys(configured);
    return { keyring, description: `${keyring.size} key(s) from AUDIT_API_KEYS` };
  }
  const admin = await loadOrCreateAdminKey(dataDir);
  return {
    keyring: parseApiKeys(admin.keyringJson),
    adminKey: admin.key,
    description: `${admin.key}  (every tenant; ${admin.created ? 'generated now and ' : ''}kept in ${admin.file})`,
  };
}

function listen(server: import('node:http').Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, 'HTTP', '--port') : error);
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

interface Banner {
  url: string;
  routes: readonly string[];
  eventHubs: { port: number; connectionString: string } | undefined;
  storage: string;
  dataDir: string;
  keys: Keys;
  timers: string[];
  notRun: string[];
}

function printBanner(log: (line: string) => void, banner: Banner): void {
  log(`mcp-audit local host listening on ${banner.url}/api`);
  for (const route of banner.routes) log(`  ${route}`);
  if (banner.eventHubs) {
    log(`event hubs   amqp on 127.0.0.1:${banner.eventHubs.port}`);
    log(`             EVENTHUB_CONNECTION=${banner.eventHubs.connectionString}`);
  }
  log(`storage      ${banner.storage}`);
  log(`data         ${banner.dataDir}`);
  log(`key          ${banner.keys.description}`);
  log(`             send it as the x-functions-key header (or ?code=); the CLI finds it by itself`);
  if (banner.timers.length > 0) log(`timers       ${banner.timers.join(', ')}`);
  for (const name of banner.notRun) {
    log(`not run      ${name}: the local hub feeds only the ${INGEST_FUNCTION} function`);
  }
  log('stop         Ctrl+C or SIGTERM: in-flight requests and batches finish first');
}
