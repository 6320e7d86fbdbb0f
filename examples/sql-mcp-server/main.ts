/**
 * The example SQL MCP server over stdio, audited to Event Hubs:
 *   EVENTHUB_CONNECTION='Endpoint=sb://…' node dist/examples/sql-mcp-server/main.js
 * MCP traffic uses stdout, so everything this process reports goes to stderr.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { AuditEventBuilder, AuditProducer } from '../../client';
import { openDatabase } from './database';
import { createAuditedSqlServer } from './server';
import { readSettings } from './settings';

async function main(): Promise<void> {
  const settings = readSettings(process.env, process.cwd());
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const producer = await AuditProducer.open({
    connection: settings.connection,
    spool: { path: settings.spoolPath },
    onGap: (gap) => log(`audit gap (${gap.reason}): ${gap.error.message}`),
    onStateChange: (state, cause) =>
      log(`audit ${state}${cause instanceof Error ? `: ${cause.message}` : ''}`),
  });
  const recovery = producer.spoolRecovery;
  if (recovery !== undefined && recovery.pending > 0) {
    log(
      `audit spool ${settings.spoolPath}: replaying ${recovery.pending} events from an earlier run`,
    );
  }
  const db = await openDatabase(settings.databaseFile);
  const { server } = createAuditedSqlServer(db, {
    producer,
    events: new AuditEventBuilder({ source: settings.source, tenantId: settings.tenantId }),
    actor: { id: settings.actorId, type: 'user' },
    target: { server: 'sqlite', database: settings.databaseFile ?? 'demo' },
    mode: settings.mode,
    timeoutMs: settings.timeoutMs,
  });

  let stopping: Promise<void> | undefined;
  // Deferred by a turn: closing the server closes the transport, which may call back into stop().
  const stop = (): Promise<void> =>
    (stopping ??= Promise.resolve().then(async () => {
      await server.close();
      await producer.close();
      db.close();
    }));
  const transport = new StdioServerTransport();
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  await server.connect(transport);
  log(`sql-mcp-example on stdio, auditing ${settings.mode} as tenant ${settings.tenantId}`);
  // stdin closing means the client is gone.
  process.stdin.once('end', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(
    `sql-mcp-example: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
