import { Command, Option } from 'commander';
import {
  generateAzureManagementPolicy,
  planLifecycle,
  shippedPriceTable,
  shippedRetentionPolicy,
  TIER_ORDER,
  type Plan,
  type RetentionPolicy,
} from '../../lifecycle';
import { SettingsError, storageTargetFromSettings, type StorageTarget } from '../config/settings';
import { DEFAULT_DATA_DIR } from '../host/defaults';
import { effectiveSettings } from '../host/local-settings';
import type { ListedHold, RehydratePriority } from '../lifecycle-runtime';
import { parseTimeValue } from '../query/ql';
import type { StorageClients } from '../store/clients';
import { ApiClient, type ApiResult } from './api-client';
import { resolveConnection, type ConnectionOptions } from './connection';
import { CliError, EXIT, usageError } from './errors';
import type { CliIo } from './io';
import { formatTable } from './table';

/**
 * `mcp-audit lifecycle policy|run|plan`, `mcp-audit rehydrate` and `mcp-audit hold place|release|list`.
 * `lifecycle run`, `lifecycle plan` and `rehydrate` work on the storage account directly (the
 * AUDIT_STORAGE / AzureWebJobsStorage setting, or --storage); `hold` goes through the HTTP API so
 * every hold change is recorded in the audit log by the host's ingest pipeline.
 */

/**
 * The storage SDKs and the lifecycle runtime load on demand, as `start` does (src/cli/program.ts), so
 * every other command stays quick to start. A plain require: in this CommonJS build a dynamic import()
 * would go through the ESM loader, which does not resolve extensionless paths.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const runtime = (): typeof import('../lifecycle-runtime') =>
  require('../lifecycle-runtime') as typeof import('../lifecycle-runtime');
const storage = (): typeof import('../store/clients') =>
  require('../store/clients') as typeof import('../store/clients');
const tenantList = (): typeof import('../store/tenants') =>
  require('../store/tenants') as typeof import('../store/tenants');
/* eslint-enable @typescript-eslint/no-require-imports */

const DIRECT_STORAGE =
  'Works on the storage account directly (--storage, else the AUDIT_STORAGE or AzureWebJobsStorage ' +
  'setting from the environment or local.settings.json), not through the HTTP API.';

interface StorageOptions {
  storage?: string;
}

function withStorage(command: Command): Command {
  return command.option(
    '--storage <connection-string>',
    'storage connection string (default: AUDIT_STORAGE, then AzureWebJobsStorage)',
  );
}

function withConnection(command: Command): Command {
  return command
    .option('--url <url>', 'the audit log (default: AUDIT_URL, then http://localhost:7071)')
    .option(
      '--key <key>',
      "an admin API key (default: AUDIT_API_KEY, then the local host's key in <data>/admin-key.json)",
    )
    .option(
      '--data <dir>',
      "the local host's data folder, where its admin key is",
      DEFAULT_DATA_DIR,
    );
}

async function openStorage(options: StorageOptions, io: CliIo): Promise<StorageClients> {
  let target: StorageTarget;
  if (options.storage !== undefined && options.storage !== '') {
    target = storageTargetFromSettings({ AUDIT_STORAGE: options.storage });
  } else {
    try {
      target = storageTargetFromSettings(effectiveSettings(io.env, io.cwd));
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error;
      throw new CliError(
        `no storage account to work on: ${error.message}`,
        EXIT.usage,
        'pass --storage <connection string>, or set AUDIT_STORAGE (UseDevelopmentStorage=true for the ' +
          "local host's Azurite on its default ports)",
      );
    }
  }
  const { createStorageClients, ensureStorage } = storage();
  const clients = createStorageClients(target);
  await ensureStorage(clients);
  return clients;
}

/** A time option: RFC 3339, a date (midnight UTC), or a duration back from now (30m, 24h, 7d). */
function instant(option: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const parsed = parseTimeValue(value, new Date());
  if (parsed === undefined) {
    throw usageError(
      option,
      value,
      'expected RFC 3339 (2026-01-31T00:00:00Z), a date (2026-01-31) or a duration (7d)',
    );
  }
  return parsed;
}

async function loadPolicy(clients: StorageClients): Promise<RetentionPolicy> {
  return (
    await runtime().effectivePolicy({
      tables: clients.tables,
      basePolicy: shippedRetentionPolicy(),
    })
  ).policy;
}

const money = (amount: number, currency: string): string => `${amount.toFixed(6)} ${currency}`;

export function formatPlan(plan: Plan): string[] {
  const { counts, prices } = plan;
  const lines = [
    `plan at ${plan.at}; prices: ${prices.label}${prices.approximate ? ' (approximate)' : ''}`,
    `actions: ${counts.tierToCool} to Cool, ${counts.tierToCold} to Cold, ${counts.tierToArchive} to Archive, ` +
      `${counts.delete} deleted; blocked: ${counts.blockedByLegalHold} by legal hold, ` +
      `${counts.blockedByEarlyDeletion} by early deletion`,
    '',
  ];
  const rows = TIER_ORDER.map((tier) => [
    tier,
    String(plan.before[tier].blobs),
    String(plan.before[tier].bytes),
    money(plan.before[tier].monthlyCost, prices.currency),
    String(plan.after[tier].blobs),
    String(plan.after[tier].bytes),
    money(plan.after[tier].monthlyCost, prices.currency),
  ]);
  lines.push(
    ...formatTable(
      [
        'TIER',
        'BLOBS NOW',
        'BYTES NOW',
        'MONTHLY NOW',
        'BLOBS AFTER',
        'BYTES AFTER',
        'MONTHLY AFTER',
      ],
      rows,
    ),
    '',
    `monthly storage: ${money(plan.monthlyStorageCost.before, prices.currency)} now, ` +
      `${money(plan.monthlyStorageCost.after, prices.currency)} after ` +
      `(${money(plan.monthlyStorageCost.change, prices.currency)})`,
    `one-off: ${money(plan.oneOffCost.tierChanges, prices.currency)} for tier changes, ` +
      `${money(plan.oneOffCost.earlyDeletion, prices.currency)} early deletion`,
  );
  for (const action of plan.actions) {
    const state = action.blockedBy === undefined ? '' : ` [blocked: ${action.blockedBy}]`;
    lines.push(
      `  ${action.action} ${action.blob.container}/${action.blob.name}${state}: ${action.reason}`,
    );
  }
  if (plan.unmanaged.length > 0) {
    lines.push(`${plan.unmanaged.length} blob(s) no rule selects (kept forever):`);
    for (const name of plan.unmanaged) lines.push(`  ${name}`);
  }
  return lines;
}

function priorityOf(value: string | undefined): RehydratePriority {
  switch ((value ?? 'standard').toLowerCase()) {
    case 'standard':
      return 'Standard';
    case 'high':
      return 'High';
    default:
      throw usageError('--priority', value ?? '', 'standard or high');
  }
}

function wholeNumber(
  option: string,
  value: string | undefined,
  fallback: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > max) {
    throw usageError(option, value, `an integer from 1 to ${max}`);
  }
  return parsed;
}

interface RunOptions extends StorageOptions {
  now?: string;
  batchSize?: string;
  json?: boolean;
}

async function lifecycleRun(options: RunOptions, io: CliIo): Promise<number> {
  const now = instant('--now', options.now) ?? new Date();
  const batchSize = wholeNumber('--batch-size', options.batchSize, 500, 1000);
  const clients = await openStorage(options, io);
  const { runLifecycle, describeRun } = runtime();
  const report = await runLifecycle({ clients, basePolicy: shippedRetentionPolicy() }, now, {
    batchSize,
    onHandOffBatch: (progress) =>
      io.stderr.write(
        `hand-off ${progress.tenant}: ${progress.handedOff} of ${progress.examined} rows handed off\n`,
      ),
  });
  if (options.json) io.stdout.write(`${JSON.stringify(report)}\n`);
  else for (const line of describeRun(report)) io.stdout.write(`${line}\n`);
  const owed = report.settledHolds.filter((settled) => settled.pending.record).length;
  if (owed > 0) {
    io.stderr.write(
      `${owed} hold change(s) still to be recorded in the audit log: the host's lifecycle timer records them\n`,
    );
  }
  return EXIT.ok;
}

interface PlanOptions extends StorageOptions {
  at?: string;
  json?: boolean;
  defer?: boolean;
}

async function lifecyclePlan(options: PlanOptions, io: CliIo): Promise<number> {
  const at = instant('--at', options.at) ?? new Date();
  const clients = await openStorage(options, io);
  const policy = await loadPolicy(clients);
  const plan = planLifecycle(
    policy,
    await runtime().listBlobFacts(clients.containers),
    at,
    shippedPriceTable(),
    { earlyDeletion: options.defer ? 'defer' : 'charge' },
  );
  if (options.json) io.stdout.write(`${JSON.stringify(plan)}\n`);
  else for (const line of formatPlan(plan)) io.stdout.write(`${line}\n`);
  if (!runtime().usesEmulator(clients)) {
    io.stderr.write(
      'Azure applies this through the storage account lifecycle policy, once a day\n',
    );
  }
  return EXIT.ok;
}

interface RehydrateOptions extends StorageOptions {
  from?: string;
  to?: string;
  tenant?: string;
  priority?: string;
  wait?: boolean;
  pollSeconds?: string;
  json?: boolean;
}

async function rehydrate(
  segment: string | undefined,
  options: RehydrateOptions,
  io: CliIo,
): Promise<number> {
  const priority = priorityOf(options.priority);
  const pollSeconds = wholeNumber('--poll-seconds', options.pollSeconds, 60, 3600);
  const from = instant('--from', options.from);
  const to = instant('--to', options.to);
  if ((segment === undefined) === (from === undefined || to === undefined)) {
    throw new CliError(
      'name one segment, or a time range with both --from and --to',
      EXIT.usage,
      'e.g. mcp-audit rehydrate acme/0/2026/01/31/10.standard.seg, or --from 2026-01-01 --to 2026-02-01 --tenant acme',
    );
  }
  const clients = await openStorage(options, io);
  const {
    archiveContainersOf,
    isReadable,
    rehydrateSegments,
    segmentStates,
    segmentsForEventRange,
  } = runtime();
  const containers = archiveContainersOf(clients);
  const segments =
    segment !== undefined
      ? [segment]
      : await segmentsForEventRange(
          clients.tables.state,
          options.tenant === undefined
            ? await tenantList().listTenants(clients.tables.state)
            : options.tenant.split(',').map((tenant) => tenant.trim()),
          from as Date,
          to as Date,
        );
  if (segments.length === 0) {
    io.stderr.write('no archive segment holds handed-off events in that range\n');
    return EXIT.ok;
  }
  const results = await rehydrateSegments(containers, segments, priority, (progress) => {
    io.stderr.write(
      `[${progress.done}/${progress.total}] ${progress.segment}: ${progress.outcome}\n`,
    );
  });
  const missing = results.filter((result) => result.outcome === 'missing');
  if (options.wait) {
    let pending = results
      .filter((result) => result.outcome === 'started' || result.outcome === 'in-progress')
      .map((result) => result.segment);
    while (pending.length > 0) {
      io.stderr.write(
        `${segments.length - missing.length - pending.length} of ${segments.length - missing.length} segments readable; ` +
          `waiting ${pollSeconds}s (Standard takes up to 15 hours, High about 1)\n`,
      );
      await new Promise((resolve) => setTimeout(resolve, pollSeconds * 1000));
      const states = await segmentStates(containers, pending);
      pending = states.filter((entry) => !isReadable(entry.state)).map((entry) => entry.segment);
    }
    io.stderr.write(
      `${segments.length - missing.length} of ${segments.length - missing.length} segments readable\n`,
    );
  }
  if (options.json) io.stdout.write(`${JSON.stringify(results)}\n`);
  else {
    const counts = new Map<string, number>();
    for (const result of results) counts.set(result.outcome, (counts.get(result.outcome) ?? 0) + 1);
    io.stdout.write(
      `${segments.length} segment(s): ${[...counts].map(([outcome, count]) => `${count} ${outcome}`).join(', ')}\n`,
    );
  }
  if (missing.length > 0) {
    throw new CliError(
      `${missing.length} segment(s) do not exist: ${missing.map((result) => result.segment).join(', ')}`,
    );
  }
  return EXIT.ok;
}

interface HoldPlaceOptions extends ConnectionOptions {
  id?: string;
  reason?: string;
  by?: string;
  tenant?: string;
  from?: string;
  to?: string;
  event?: string[];
  json?: boolean;
}

function requireOption(name: string, value: string | undefined): string {
  if (value === undefined || value.trim() === '') {
    throw new CliError(`${name} is required`, EXIT.usage);
  }
  return value;
}

function printHold(result: ApiResult, io: CliIo, json: boolean | undefined): void {
  if (json) {
    io.stdout.write(`${JSON.stringify(result.body)}\n`);
    return;
  }
  const body = result.body as {
    hold: { id: string; releasedAt?: string };
    events: { tenant: string; change: string; status: string }[];
    retagged?: { examined: number; changed: number };
    pending: { record: boolean };
  };
  const state = body.hold.releasedAt === undefined ? 'active' : `released ${body.hold.releasedAt}`;
  io.stdout.write(`hold ${body.hold.id}: ${state}\n`);
  if (body.retagged !== undefined) {
    io.stdout.write(
      `re-tagged ${body.retagged.changed} of ${body.retagged.examined} blobs examined\n`,
    );
  }
  for (const event of body.events) {
    io.stdout.write(`audit event (${event.change}) for tenant ${event.tenant}: ${event.status}\n`);
  }
}

async function holdPlace(options: HoldPlaceOptions, io: CliIo): Promise<number> {
  const client = new ApiClient(await resolveConnection(options, io));
  const request = {
    ...(options.id === undefined ? {} : { id: options.id }),
    reason: requireOption('--reason', options.reason),
    placedBy: requireOption('--by', options.by),
    ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
    ...(options.from === undefined ? {} : { from: instant('--from', options.from)?.toISOString() }),
    ...(options.to === undefined ? {} : { to: instant('--to', options.to)?.toISOString() }),
    ...(options.event === undefined ? {} : { eventIds: options.event }),
  };
  const result = await client.post(
    'holds',
    Buffer.from(JSON.stringify(request), 'utf8'),
    'application/json',
  );
  if (result.status !== 201 && result.status !== 200)
    throw client.failure(result, 'placing the hold');
  printHold(result, io, options.json);
  return EXIT.ok;
}

async function holdRelease(
  id: string,
  options: ConnectionOptions & { by?: string; json?: boolean },
  io: CliIo,
): Promise<number> {
  const connection = await resolveConnection(options, io);
  const client = new ApiClient(connection);
  const url = new URL(`${connection.url}/api/holds/${encodeURIComponent(id)}`);
  url.searchParams.set('releasedBy', requireOption('--by', options.by));
  let result: ApiResult;
  try {
    const response = await fetch(url, {
      method: 'DELETE',
      headers: connection.key === undefined ? {} : { 'x-functions-key': connection.key },
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON: keep the text for the error message.
    }
    result = { status: response.status, body };
  } catch (error) {
    throw new CliError(
      `cannot reach the audit log at ${connection.url} (${(error as Error).message})`,
      EXIT.failure,
      'start the local host with "npx mcp-audit start", or pass --url (or set AUDIT_URL)',
    );
  }
  if (result.status !== 200) throw client.failure(result, 'lifting the hold');
  printHold(result, io, options.json);
  return EXIT.ok;
}

async function holdList(
  options: ConnectionOptions & { json?: boolean },
  io: CliIo,
): Promise<number> {
  const client = new ApiClient(await resolveConnection(options, io));
  const result = await client.get('holds');
  if (result.status !== 200) throw client.failure(result, 'listing holds');
  const holds = (result.body as { holds: ListedHold[] }).holds;
  if (options.json) {
    for (const listed of holds) io.stdout.write(`${JSON.stringify(listed)}\n`);
    return EXIT.ok;
  }
  if (holds.length === 0) {
    io.stdout.write('no legal holds\n');
    return EXIT.ok;
  }
  const rows = holds.map((listed) => [
    listed.hold.id,
    listed.active ? 'active' : 'released',
    listed.source,
    listed.hold.scope.tenant ?? '*',
    listed.hold.scope.events !== undefined
      ? `${listed.hold.scope.events.length} event(s)`
      : listed.hold.scope.from !== undefined
        ? `${listed.hold.scope.from} .. ${listed.hold.scope.to ?? ''}`
        : 'everything',
    listed.hold.placedBy,
    listed.hold.reason,
  ]);
  for (const line of formatTable(
    ['ID', 'STATE', 'SOURCE', 'TENANT', 'COVERS', 'BY', 'REASON'],
    rows,
  )) {
    io.stdout.write(`${line}\n`);
  }
  return EXIT.ok;
}

/** Adds the lifecycle, rehydrate and hold commands to the `mcp-audit` program. */
export function registerLifecycleCommands(
  program: Command,
  io: CliIo,
  result: { exitCode: number },
): void {
  const lifecycle = program
    .command('lifecycle')
    .description('retention and tiering: the generated Azure policy, a lifecycle run, a cost plan');

  lifecycle
    .command('policy')
    .description(
      'print the Azure lifecycle management policy generated from lifecycle/policy.json (no storage access)',
    )
    .action(() => {
      io.stdout.write(
        `${JSON.stringify(generateAzureManagementPolicy(shippedRetentionPolicy()), null, 2)}\n`,
      );
      result.exitCode = EXIT.ok;
    });

  withStorage(
    lifecycle
      .command('run')
      .description(
        'hand hot rows past their window off to the archive, settle legal holds and, on Azurite, ' +
          `apply the lifecycle policy. ${DIRECT_STORAGE}`,
      )
      .option(
        '--now <time>',
        'act as if it were this time (RFC 3339 or a date); a later time hands rows off early',
      )
      .option('--batch-size <n>', 'hot rows per hand-off batch (1-1000)', '500')
      .option('--json', 'print the run report as JSON'),
  ).action(async (options: RunOptions) => {
    result.exitCode = await lifecycleRun(options, io);
  });

  withStorage(
    lifecycle
      .command('plan')
      .description(
        'what the lifecycle policy would move or delete at a time, with bytes and estimated monthly ' +
          `cost per tier (lifecycle/prices.json). ${DIRECT_STORAGE}`,
      )
      .option('--at <time>', 'the time to plan for (RFC 3339 or a date; default now)')
      .option('--defer', 'defer actions that would incur early deletion instead of charging it')
      .option('--json', 'print the whole plan as JSON'),
  ).action(async (options: PlanOptions) => {
    result.exitCode = await lifecyclePlan(options, io);
  });

  withStorage(
    program
      .command('rehydrate')
      .description(
        'make archived segments readable: copy them out of the Archive tier (to audit-rehydrated, kept ' +
          `30 days) so queries and verification can read them. ${DIRECT_STORAGE}`,
      )
      .argument('[segment]', 'one segment, e.g. acme/0/2026/01/31/10.standard.seg')
      .option('--from <time>', 'segments of handed-off events at or after this time')
      .option('--to <time>', 'segments of handed-off events before this time')
      .option('--tenant <ids>', 'with --from/--to: these tenants only, comma-separated')
      .addOption(
        new Option('--priority <priority>', 'rehydration priority')
          .choices(['standard', 'high'])
          .default('standard'),
      )
      .option('--wait', 'poll until every segment is readable')
      .option('--poll-seconds <n>', 'with --wait: seconds between checks', '60')
      .option('--json', 'print each segment and what was done as JSON'),
  ).action(async (segment: string | undefined, options: RehydrateOptions) => {
    result.exitCode = await rehydrate(segment, options, io);
  });

  const hold = program
    .command('hold')
    .description('legal holds: place, lift and list them through the API (admin key)');

  withConnection(
    hold
      .command('place')
      .description(
        'place a legal hold on a tenant, a time range or events; the hold is audited as a config.changed event',
      )
      .option('--id <id>', 'hold id (letters, digits, _ . : -); generated when omitted')
      .option('--reason <text>', 'why the data must be kept (required)')
      .option('--by <who>', 'who places the hold (required)')
      .option('--tenant <id>', 'the tenant; omit with --from/--to to hold every tenant')
      .option('--from <time>', 'events at or after this time')
      .option('--to <time>', 'events before this time')
      .option('--event <id...>', 'event ids of --tenant')
      .option('--json', 'print the answer as JSON'),
  ).action(async (options: HoldPlaceOptions) => {
    result.exitCode = await holdPlace(options, io);
  });

  withConnection(
    hold
      .command('release')
      .description(
        'lift a legal hold; data past its deletion day is deleted at the next lifecycle run',
      )
      .argument('<id>', 'the hold id')
      .option('--by <who>', 'who lifts the hold (required)')
      .option('--json', 'print the answer as JSON'),
  ).action(async (id: string, options: ConnectionOptions & { by?: string; json?: boolean }) => {
    result.exitCode = await holdRelease(id, options, io);
  });

  withConnection(
    hold
      .command('list')
      .description('list legal holds, from lifecycle/policy.json and placed at run time')
      .option('--json', 'one JSON hold per line'),
  ).action(async (options: ConnectionOptions & { json?: boolean }) => {
    result.exitCode = await holdList(options, io);
  });

  // main() turns commander's exits into exit codes for top-level commands; nested ones need it too.
  for (const group of [lifecycle, hold]) {
    group.exitOverride();
    for (const command of group.commands) command.exitOverride();
  }
}
