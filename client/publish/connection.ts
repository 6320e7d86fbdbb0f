import { EventHubProducerClient, type EventHubClientOptions } from '@azure/event-hubs';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';

/** Where events go: a connection string, or a namespace reached with a Microsoft Entra credential. */
export type EventHubsConnection =
  | {
      /** `Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=…[;EntityPath=<hub>]` */
      connectionString: string;
      /** Required unless the connection string names the hub with EntityPath. */
      eventHubName?: string;
    }
  | {
      /** e.g. `audit-prod.servicebus.windows.net` */
      fullyQualifiedNamespace: string;
      eventHubName: string;
      credential: TokenCredential;
    };

/** A connection setting that is missing or malformed. */
export class ConnectionSettingError extends Error {
  constructor(
    readonly setting: string,
    problem: string,
  ) {
    super(`${setting} ${problem}`);
    this.name = 'ConnectionSettingError';
  }
}

/**
 * The connection the app settings describe, named as the ingest function's trigger names them:
 * `EVENTHUB_CONNECTION` (a connection string) or `EVENTHUB_CONNECTION__fullyQualifiedNamespace`
 * (identity-based, with DefaultAzureCredential unless `credential` is given), and `EVENTHUB_NAME`
 * (default `audit`).
 */
export function connectionFromSettings(
  env: NodeJS.ProcessEnv,
  credential?: TokenCredential,
): EventHubsConnection {
  const eventHubName = env.EVENTHUB_NAME?.trim() || 'audit';
  const connectionString = env.EVENTHUB_CONNECTION?.trim();
  if (connectionString) {
    return { connectionString, eventHubName };
  }
  const fullyQualifiedNamespace = env.EVENTHUB_CONNECTION__fullyQualifiedNamespace?.trim();
  if (fullyQualifiedNamespace) {
    return {
      fullyQualifiedNamespace,
      eventHubName,
      credential: credential ?? new DefaultAzureCredential(),
    };
  }
  throw new ConnectionSettingError(
    'EVENTHUB_CONNECTION',
    'is not set: set it to an Event Hubs connection string, or set EVENTHUB_CONNECTION__fullyQualifiedNamespace for identity-based access',
  );
}

/** Creates the SDK producer for `connection`, failing fast on settings that cannot work. */
export function createProducerClient(
  connection: EventHubsConnection,
  options: EventHubClientOptions,
): EventHubProducerClient {
  if ('connectionString' in connection) {
    if (!/^\s*Endpoint=sb:\/\//i.test(connection.connectionString)) {
      throw new ConnectionSettingError(
        'connectionString',
        'is not an Event Hubs connection string (expected Endpoint=sb://…)',
      );
    }
    const namesHub = /(^|;)\s*EntityPath=[^;]+/i.test(connection.connectionString);
    if (!namesHub && !connection.eventHubName) {
      throw new ConnectionSettingError(
        'eventHubName',
        'is required: the connection string has no EntityPath',
      );
    }
    return namesHub
      ? new EventHubProducerClient(connection.connectionString, options)
      : new EventHubProducerClient(
          connection.connectionString,
          connection.eventHubName as string,
          options,
        );
  }
  if (!connection.fullyQualifiedNamespace) {
    throw new ConnectionSettingError('fullyQualifiedNamespace', 'must not be empty');
  }
  if (!connection.eventHubName) {
    throw new ConnectionSettingError('eventHubName', 'must not be empty');
  }
  return new EventHubProducerClient(
    connection.fullyQualifiedNamespace,
    connection.eventHubName,
    connection.credential,
    options,
  );
}
