import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import {
  LogsIngestionClient,
  isAggregateLogsUploadError,
  type LogsIngestionClientOptions,
} from '@azure/monitor-ingestion';
import type { AsimAuditEventRow } from './columns';
import type { SentinelSettings } from './settings';

/** Where exportBatch sends rows; the Logs Ingestion uploader below is the production one. */
export interface RowSink {
  /** Resolves only when every row was accepted; otherwise throws. */
  upload(rows: readonly AsimAuditEventRow[]): Promise<void>;
}

/**
 * The SDK packs rows into requests of at most 1,000,000 bytes of JSON; a row bigger than that alone cannot
 * be sent. toAsimRow's field limits keep rows far below it, so meeting one is a bug, not data to skip.
 */
export const MAX_ROW_BYTES = 1_000_000;

/** Some rows of a batch were not accepted. The whole batch must be retried (a retry may duplicate rows in Sentinel, never lose one). */
export class SentinelUploadError extends Error {
  constructor(
    readonly failedRows: number,
    readonly totalRows: number,
    readonly streamName: string,
    readonly causes: readonly Error[],
  ) {
    super(
      `${failedRows} of ${totalRows} rows were not accepted by stream ${streamName}` +
        (causes[0] === undefined ? '' : `; first cause: ${causes[0].message}`),
    );
    this.name = 'SentinelUploadError';
  }
}

export class RowTooLargeError extends Error {
  constructor(
    readonly position: number,
    readonly bytes: number,
    readonly eventId: string,
  ) {
    super(
      `row ${position} (event ${eventId}) is ${bytes} bytes of JSON; one upload request takes at most ${MAX_ROW_BYTES}`,
    );
    this.name = 'RowTooLargeError';
  }
}

export interface SentinelUploaderOptions {
  /** Defaults to DefaultAzureCredential (the function app's managed identity in Azure). */
  credential?: TokenCredential;
  /**
   * Passed to LogsIngestionClient: `httpClient` (the transport seam), `retryOptions`, `tlsOptions`, `audience`
   * for sovereign clouds. Production leaves it unset.
   */
  clientOptions?: LogsIngestionClientOptions;
  /** Requests in flight at once; the SDK's default is 5. */
  maxConcurrency?: number;
}

/**
 * Sends rows with the Logs Ingestion API. The SDK chunks them into gzip-compressed requests of up to 1 MB and
 * sends the chunks concurrently, in no particular order (rows carry AuditLogIndex, so order is recoverable);
 * it retries throttling (429 with Retry-After) and transient failures itself. A batch either fully uploads or
 * throws SentinelUploadError, so the trigger's retry policy re-runs it.
 */
export class SentinelUploader implements RowSink {
  constructor(
    private readonly client: LogsIngestionClient,
    private readonly settings: SentinelSettings,
    private readonly maxConcurrency?: number,
  ) {}

  async upload(rows: readonly AsimAuditEventRow[]): Promise<void> {
    if (rows.length === 0) return;
    rows.forEach((row, position) => {
      const bytes = Buffer.byteLength(JSON.stringify(row), 'utf8');
      if (bytes >= MAX_ROW_BYTES) throw new RowTooLargeError(position, bytes, row.AuditEventId);
    });
    let failedRows = 0;
    const causes: Error[] = [];
    try {
      await this.client.upload(
        this.settings.ruleId,
        this.settings.streamName,
        rows as unknown as Record<string, unknown>[],
        {
          ...(this.maxConcurrency === undefined ? {} : { maxConcurrency: this.maxConcurrency }),
          onError: (failure) => {
            failedRows += failure.failedLogs.length;
            causes.push(failure.cause);
          },
        },
      );
    } catch (error) {
      // The SDK reports chunk failures through onError and then throws an aggregate of the same failures;
      // anything else (an abort, a bug) did not go through onError and is rethrown as it is.
      if (!isAggregateLogsUploadError(error)) throw error;
      if (failedRows === 0) {
        failedRows = error.errors.reduce((sum, failure) => sum + failure.failedLogs.length, 0);
        causes.push(...error.errors.map((failure) => failure.cause));
      }
    }
    if (failedRows > 0)
      throw new SentinelUploadError(failedRows, rows.length, this.settings.streamName, causes);
  }
}

export function createSentinelUploader(
  settings: SentinelSettings,
  options: SentinelUploaderOptions = {},
): SentinelUploader {
  const client = new LogsIngestionClient(
    settings.endpoint,
    options.credential ?? new DefaultAzureCredential(),
    options.clientOptions,
  );
  return new SentinelUploader(client, settings, options.maxConcurrency);
}
