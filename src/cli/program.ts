import { Command, Option } from 'commander';
import { ANOMALY_KINDS } from '../simulate/types';
import { deadLettersCommand } from './commands/deadletters';
import { healthCommand } from './commands/health';
import { ingestCommand } from './commands/ingest';
import { queryCommand, type QueryOptions } from './commands/query';
import { simulateCommand } from './commands/simulate';
import type { StartOptions } from './commands/start';
import { DEFAULT_DATA_DIR, DEFAULT_PORT } from '../host/defaults';
import { DEFAULT_AMQP_PORT } from './defaults';
import type { CliIo } from './io';
import { addRegionOptions } from './region-options';

/**
 * `start` alone needs the Functions host, the storage SDKs and the AMQP endpoint; loading them on demand
 * keeps every other command quick to start. A plain require: in this CommonJS build a dynamic import()
 * would go through the ESM loader, which does not resolve extensionless paths.
 */
function loadStartCommand(): typeof import('./commands/start').startCommand {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./commands/start') as typeof import('./commands/start')).startCommand;
}

/** Options of every command that talks to a running audit log. */
function withConnection(command: Command): Command {
  return command
    .option('--url <url>', 'the audit log (default: AUDIT_URL, then http://localhost:7071)')
    .option(
      '--key <key>',
      "API key (default: AUDIT_API_KEY, then the local host's key in <data>/admin-key.json)",
    )
    .option(
      '--data <dir>',
      "the local host's data folder, where its admin key is",
      DEFAULT_DATA_DIR,
    );
}

/**
 * The `mcp-audit` command line. Each action stores its exit code in `result.exitCode`; errors propagate
 * to the caller (main.ts prints them).
 */
export function buildProgram(io: CliIo, result: { exitCode: number }): Command {
  const program = new Command('mcp-audit')
    .description(
      'Tamper-evident audit log for SQL MCP servers: run it locally, send events, query them.',
    )
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  program
    .command('start')
    .description(
      'run the local host: every HTTP function on http://127.0.0.1:<port>/api, ingest, timers, Azurite',
    )
    .option('--port <port>', 'HTTP port (0 picks a free one)', String(DEFAULT_PORT))
    .option('--data <dir>', 'data folder: Azurite storage, keys, the admin key', DEFAULT_DATA_DIR)
    .option(
      '--amqp-port <port>',
      'port of the local Event Hubs (AMQP) endpoint (0 picks a free one)',
      String(DEFAULT_AMQP_PORT),
    )
    .option('--no-amqp', 'do not start the local Event Hubs endpoint')
    .action(async (options: StartOptions) => {
      result.exitCode = await loadStartCommand()(options, io);
    });

  withConnection(
    program
      .command('ingest')
      .description('send events from an NDJSON file or a JSON array ("-" reads standard input)')
      .argument('<file>', 'NDJSON (one event per line) or a JSON array; "-" for standard input')
      .option('--batch-size <n>', 'events per request (1-1000)', '500')
      .option('--retries <n>', 'retries of a request after a transient failure', '5')
      .option('--json', 'print the summary as JSON'),
  ).action(async (file: string, options) => {
    result.exitCode = await ingestCommand(file, options, io);
  });

  withConnection(
    program
      .command('query')
      .description('list events: a query in the query language (docs/query.md) and/or filters')
      .argument('[query...]', 'e.g. actor:agent-7 AND database:sales AND rows>1000 since:24h')
      .option(
        '--from <time>',
        'events at or after this time: RFC 3339, a date, or a duration back from now (30m, 24h, 7d)',
      )
      .option('--to <time>', 'events before this time')
      .option('--tenant <ids>', 'tenant id(s), comma-separated')
      .option('--actor <id>', 'actor id')
      .option('--database <name>', 'target database')
      .option('--tool <name>', 'MCP tool name')
      .option('--status <status>', 'outcome: success, failure or denied')
      .option('--type <type>', 'event type, e.g. tool.invoked')
      .option('--session <id>', 'session id')
      .option('--limit <n>', 'events per page (1-1000)', '100')
      .option('--all', 'follow continuation tokens and print every page')
      .option('--json', 'one JSON event per line instead of a table'),
  ).action(async (words: string[], options: QueryOptions) => {
    result.exitCode = await queryCommand(words, options, io);
  });

  withConnection(
    program
      .command('simulate')
      .description(
        'generate realistic SQL MCP audit traffic and send it (or write NDJSON with --out)',
      )
      .option('--count <n>', 'number of events', '1000')
      .option('--rate <n>', 'events per simulated second at peak hours', '1')
      .option('--tenants <n>', 'number of tenants (1-100)', '5')
      .option('--seed <n>', 'the same seed gives the same events', '1')
      .option('--start <time>', 'simulated time of the first event (default 2025-06-02T06:00:00Z)')
      .option(
        '--anomalies [kinds]',
        `inject anomalies: all, or a comma list of ${ANOMALY_KINDS.join(', ')}`,
      )
      .option('--out <file>', 'write NDJSON to a file ("-" for standard output) instead of sending')
      .option('--json', 'print the send summary as JSON'),
  ).action(async (options) => {
    result.exitCode = await simulateCommand(options, io);
  });

  withConnection(
    program
      .command('deadletters')
      .description('list rejected events with the reason each was rejected')
      .option('--from <time>', 'enqueued at or after this time')
      .option('--to <time>', 'enqueued before this time')
      .option('--limit <n>', 'at most this many (1-1000)', '100')
      .option('--json', 'one JSON dead letter per line instead of a table'),
  ).action(async (options) => {
    result.exitCode = await deadLettersCommand(options, io);
  });

  withConnection(
    program
      .command('health')
      .description('check that the audit log answers and reaches its storage')
      .addOption(new Option('--json', 'print the health document as JSON')),
  ).action(async (options) => {
    result.exitCode = await healthCommand(options, io);
  });

  addRegionOptions(program);
  return program;
}
