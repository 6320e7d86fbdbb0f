import { ApiClient } from '../api-client';
import { resolveConnection, type ConnectionOptions } from '../connection';
import { CliError, EXIT } from '../errors';
import type { CliIo } from '../io';

export interface HealthOptions extends ConnectionOptions {
  json?: boolean;
}

interface Health {
  status: string;
  storage: string;
  partitions?: number;
  lastIngestAt?: string | null;
  eventsInFlight?: number;
  message?: string;
}

/** `mcp-audit health`: whether the audit log answers and reaches its storage; exits 1 when it does not. */
export async function healthCommand(options: HealthOptions, io: CliIo): Promise<number> {
  const client = new ApiClient(await resolveConnection(options, io));
  const result = await client.get('health');
  const health = result.body as Health | undefined;
  if (options.json && health !== undefined && typeof health === 'object')
    io.stdout.write(`${JSON.stringify(health)}\n`);
  if (result.status !== 200 || health?.status !== 'ok') {
    if (result.status === 503 && health?.storage === 'unreachable') {
      throw new CliError(
        `${client.connection.url} answers, but its storage is unreachable: ${health.message ?? ''}`.trim(),
      );
    }
    throw client.failure(result, 'the health check');
  }
  if (!options.json) {
    io.stdout.write(
      `ok: ${client.connection.url} answers, storage reachable, ${health.partitions ?? 0} partition logs, ` +
        `last ingest ${health.lastIngestAt ?? 'never'}, ${health.eventsInFlight ?? 0} events in flight\n`,
    );
  }
  return EXIT.ok;
}
