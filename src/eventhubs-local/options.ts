import type { LocalEventHubsOptions, ReceivedEvent } from './types';

/** Development credentials of the local endpoint (loopback only; not a secret, like Azurite's account key). */
export const LOCAL_EVENT_HUBS_KEY_NAME = 'RootManageSharedAccessKey';
export const LOCAL_EVENT_HUBS_KEY = 'bG9jYWwtZXZlbnQtaHVicy1kZXZlbG9wbWVudC1rZXk=';

/** Largest partition count Event Hubs offers (Dedicated/Premium). */
const MAX_PARTITION_COUNT = 1024;

/** Event Hubs entity names: letters, digits, '.', '-', '_', starting and ending with a letter or digit. */
const EVENT_HUB_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,254}[A-Za-z0-9])?$/;

export class LocalEventHubsOptionError extends Error {
  constructor(
    readonly option: string,
    readonly value: unknown,
    problem: string,
  ) {
    super(`local Event Hubs option "${option}" = ${JSON.stringify(value)}: ${problem}`);
    this.name = 'LocalEventHubsOptionError';
  }
}

export interface ResolvedOptions {
  readonly host: string;
  readonly port: number;
  readonly eventHubName: string;
  readonly partitionIds: readonly string[];
  /** Host names (lower case, no port) token audiences may name. */
  readonly audienceHosts: ReadonlySet<string>;
  readonly keyName: string;
  readonly key: string;
  readonly initialSequenceNumbers: ReadonlyMap<string, number>;
  readonly onEvents: (batch: ReceivedEvent[]) => Promise<void>;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

export function resolveOptions(options: LocalEventHubsOptions): ResolvedOptions {
  const host = options.host ?? '127.0.0.1';
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new LocalEventHubsOptionError('port', options.port, 'must be an integer 0..65535');
  }
  if (!EVENT_HUB_NAME.test(options.eventHubName)) {
    throw new LocalEventHubsOptionError(
      'eventHubName',
      options.eventHubName,
      "must be 1-256 letters, digits, '.', '-' or '_', starting and ending with a letter or digit",
    );
  }
  if (
    !Number.isInteger(options.partitionCount) ||
    options.partitionCount < 1 ||
    options.partitionCount > MAX_PARTITION_COUNT
  ) {
    throw new LocalEventHubsOptionError(
      'partitionCount',
      options.partitionCount,
      `must be an integer 1..${MAX_PARTITION_COUNT}`,
    );
  }
  if (typeof options.onEvents !== 'function') {
    throw new LocalEventHubsOptionError('onEvents', typeof options.onEvents, 'must be a function');
  }
  const partitionIds = Array.from({ length: options.partitionCount }, (_, i) => String(i));
  const initialSequenceNumbers = new Map<string, number>();
  for (const [partitionId, next] of Object.entries(options.initialSequenceNumbers ?? {})) {
    if (!partitionIds.includes(partitionId)) {
      throw new LocalEventHubsOptionError(
        'initialSequenceNumbers',
        options.initialSequenceNumbers,
        `names partition "${partitionId}", but the partitions are "0".."${options.partitionCount - 1}"`,
      );
    }
    if (!Number.isSafeInteger(next) || next < 0) {
      throw new LocalEventHubsOptionError(
        'initialSequenceNumbers',
        options.initialSequenceNumbers,
        `partition "${partitionId}" must start at a non-negative integer`,
      );
    }
    initialSequenceNumbers.set(partitionId, next);
  }
  const audienceHosts = new Set([host.toLowerCase()]);
  if (LOOPBACK_NAMES.includes(host.toLowerCase())) {
    LOOPBACK_NAMES.forEach((name) => audienceHosts.add(name));
  }
  if (options.namespace !== undefined) {
    audienceHosts.add(options.namespace.toLowerCase());
  }
  const keyName = options.sharedAccessKeyName ?? LOCAL_EVENT_HUBS_KEY_NAME;
  const key = options.sharedAccessKey ?? LOCAL_EVENT_HUBS_KEY;
  if (keyName === '' || key === '') {
    throw new LocalEventHubsOptionError(
      keyName === '' ? 'sharedAccessKeyName' : 'sharedAccessKey',
      '',
      'must not be empty',
    );
  }
  return {
    host,
    port: options.port,
    eventHubName: options.eventHubName,
    partitionIds,
    audienceHosts,
    keyName,
    key,
    initialSequenceNumbers,
    onEvents: options.onEvents,
  };
}
