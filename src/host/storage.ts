import { connect } from 'node:net';
import path from 'node:path';
import { startAzurite } from '../devstorage/azurite';
import { settingValue } from './local-settings';

/** Azurite's default ports, which `UseDevelopmentStorage=true` points at. */
export const DEVELOPMENT_STORAGE_PORTS = { blob: 10000, queue: 10001, table: 10002 } as const;

export interface ProvidedStorage {
  /** The settings with AUDIT_STORAGE pointing at the emulator when this host started one. */
  settings: NodeJS.ProcessEnv;
  /** One line for the start banner. */
  description: string;
  stop(): Promise<void>;
}

export class StorageUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageUnavailableError';
  }
}

/**
 * Where the audit data lives locally:
 * - AUDIT_STORAGE or AzureWebJobsStorage set to an account (or their `__blobServiceUri` forms): used as is;
 * - set to `UseDevelopmentStorage=true`: an Azurite already listening on the default ports, or else one
 *   this host starts there, keeping its data under `<dataDir>/azurite`;
 * - neither set: an Azurite this host starts on free loopback ports, data under `<dataDir>/azurite`.
 */
export async function provideStorage(
  settings: NodeJS.ProcessEnv,
  dataDir: string,
): Promise<ProvidedStorage> {
  const location = path.join(dataDir, 'azurite');
  const named = ['AUDIT_STORAGE', 'AzureWebJobsStorage'].find(
    (name) =>
      settingValue(settings, name) !== undefined ||
      settingValue(settings, `${name}__blobServiceUri`) !== undefined ||
      settingValue(settings, `${name}__tableServiceUri`) !== undefined,
  );
  if (named !== undefined) {
    const value = settingValue(settings, named) ?? '';
    if (!/^UseDevelopmentStorage=true/i.test(value)) {
      return {
        settings,
        description: `the storage account in ${named}`,
        stop: async () => undefined,
      };
    }
    const [blob, table] = await Promise.all([
      isListening(DEVELOPMENT_STORAGE_PORTS.blob),
      isListening(DEVELOPMENT_STORAGE_PORTS.table),
    ]);
    if (blob && table) {
      return {
        settings,
        description: `the Azurite already listening on 127.0.0.1:${DEVELOPMENT_STORAGE_PORTS.blob} and :${DEVELOPMENT_STORAGE_PORTS.table} (${named}=UseDevelopmentStorage=true)`,
        stop: async () => undefined,
      };
    }
    if (blob || table) {
      throw new StorageUnavailableError(
        `${named}=UseDevelopmentStorage=true, but only port ${blob ? DEVELOPMENT_STORAGE_PORTS.blob : DEVELOPMENT_STORAGE_PORTS.table} ` +
          'of the Azurite default ports answers: stop what holds it, or remove the setting to let the host start its own Azurite',
      );
    }
    const azurite = await startAzurite({
      location,
      blobPort: DEVELOPMENT_STORAGE_PORTS.blob,
      queuePort: DEVELOPMENT_STORAGE_PORTS.queue,
      tablePort: DEVELOPMENT_STORAGE_PORTS.table,
    });
    return {
      settings,
      description: `Azurite on its default ports, data in ${location}`,
      stop: () => azurite.stop(),
    };
  }
  const azurite = await startAzurite({ location });
  return {
    settings: { ...settings, AUDIT_STORAGE: azurite.connectionString },
    description: `Azurite on 127.0.0.1:${azurite.blobPort} (blob) and :${azurite.tablePort} (table), data in ${location}`,
    stop: () => azurite.stop(),
  };
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
