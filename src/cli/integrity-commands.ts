import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { SettingsError, storageTargetFromSettings, type StorageTarget } from '../config/settings';
import { DEFAULT_DATA_DIR } from '../host/defaults';
import { effectiveSettings, settingValue } from '../host/local-settings';
import { keyProviderFromSettings, parseJwks } from '../keys';
import type { JsonWebKeySet, KeyProvider } from '../keys/types';
import { parseTimeValue } from '../query/ql-terms';
import { wrappedKeyStoreFor } from '../runtime/audit-runtime';
import {
  createIntegrityServices,
  ensureIntegrityStorage,
  sealPartitions,
  type IntegrityServices,
} from '../seal';
import { createStorageClients, ensureStorage } from '../store/clients';
import {
  describeFailure,
  exportRange,
  loadJwks,
  verifyLog,
  verifyOffline,
  verifyProofDocument,
  verifyTenantEvents,
  ProofDocumentError,
  type ProofDocument,
  type VerificationReport,
  type VerifyProgress,
} from '../verify';
import { ApiClient } from './api-client';
import { resolveConnection, type ConnectionOptions } from './connection';
import { CliError, EXIT, usageError } from './errors';
import type { CliIo } from './io';

/**
 * `mcp-audit verify | prove | seal | export | keys export`: the signed log from the command line.
 * `seal`, `export`, `keys export` and `verify` (without --url or --offline) work on the storage
 * account and the keys directly; `prove`, and `verify --url`, go through the HTTP API.
 */

const DIRECT =
  'Works on the storage account directly (--storage, else AUDIT_STORAGE or AzureWebJobsStorage from the ' +
  'environment or local.settings.json) and on the key provider the settings name (KEY_PROVIDER; local ' +
  'keys in <data>/keys), not through the HTTP API.';

interface StorageOptions {
  storage?: string;
  data?: string;
}

interface OpenedLog {
  services: IntegrityServices;
  keys: KeyProvider;
}

async function openLog(options: StorageOptions, io: CliIo): Promise<OpenedLog> {
  const settings = effectiveSettings(io.env, io.cwd);
  let target: StorageTarget;
  try {
    target = storageTargetFromSettings(
      options.storage ? { AUDIT_STORAGE: options.storage } : settings,
    );
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    throw new CliError(
      `no storage account to work on: ${error.message}`,
      EXIT.usage,
      'pass --storage <connection string>, or set AUDIT_STORAGE (UseDevelopmentStorage=true for the ' +
        "local host's Azurite on its default ports)",
    );
  }
  const clients = createStorageClients(target);
  await ensureStorage(clients);
  const dataDir = path.resolve(io.cwd, options.data ?? DEFAULT_DATA_DIR);
  const keys = keyProviderFromSettings(
    {
      ...settings,
      KEYS_DIRECTORY: settingValue(settings, 'KEYS_DIRECTORY') ?? path.join(dataDir, 'keys'),
    },
    { wrappedKeyStore: await wrappedKeyStoreFor(clients) },
  );
  const region = settingValue(settings, 'AUDIT_REGION');
  const services = createIntegrityServices(clients, keys, region ? { region } : {});
  await ensureIntegrityStorage(services.stores);
  return { services, keys };
}

function withStorage(command: Command): Command {
  return command
    .option(
      '--storage <connection-string>',
      'storage connection string (default: AUDIT_STORAGE, then AzureWebJobsStorage)',
    )
    .option(
      '--data <dir>',
      "the local host's data folder, where local keys are kept",
      DEFAULT_DATA_DIR,
    );
}

function withConnection(command: Command): Command {
  return command
    .option('--url <url>', 'the audit log (default: AUDIT_URL, then http://localhost:7071)')
    .option(
      '--key <key>',
      "API key (default: AUDIT_API_KEY, then the local host's key in <data>/admin-key.json)",
    );
}

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

/** A one-line progress display on a terminal (stderr); nothing when stderr is not a terminal. */
class VerifyProgressLine {
  private last = 0;
  private drawn = false;

  constructor(private readonly io: CliIo) {}

  update(progress: VerifyProgress): void {
    if (this.io.stderr.isTTY !== true) return;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    const { partition, phase, done, total } = progress;
    const where = partition === '*' ? phase : `partition ${partition} ${phase}`;
    let bar = '';
    if (total !== undefined && total > 0) {
      const fraction = Math.min(1, done / total);
      const filled = Math.round(fraction * 24);
      bar = `[${'#'.repeat(filled)}${'.'.repeat(24 - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  `;
    }
    this.io.stderr.write(
      `\r\x1b[K${bar}${where}: ${done}${total === undefined ? '' : `/${total}`}`,
    );
    this.drawn = true;
  }

  finish(): void {
    if (this.drawn) this.io.stderr.write('\r\x1b[K');
    this.drawn = false;
  }
}

/** The report as text: one line per partition, the failures, then the verdict. */
export function formatReport(report: VerificationReport): string[] {
  const lines: string[] = [];
  for (const partition of report.partitions) {
    const latest =
      partition.latestCheckpointSize === undefined
        ? 'none'
        : String(partition.latestCheckpointSize);
    lines.push(
      `partition ${partition.partition}: ${partition.ok ? 'ok' : 'FAILED'}, ${partition.records} records, ` +
        `${partition.checkpoints} checkpoints (latest ${latest}), ${partition.unsealed} not yet sealed` +
        (partition.keyIds.length > 0 ? `, signed by ${partition.keyIds.join(', ')}` : ''),
    );
    for (const failure of partition.failures) lines.push(`  ${describeFailure(failure)}`);
  }
  const { totals } = report;
  lines.push(
    `${report.ok ? 'ok' : 'FAILED'}: ${report.scope} of region ${report.region}: ${totals.records} records, ` +
      `${totals.checkpoints} checkpoints, ${totals.signatureChecks} signature checks in ${(report.durationMs / 1000).toFixed(1)} s` +
      (report.firstFailure ? `; first failure: ${describeFailure(report.firstFailure)}` : ''),
  );
  return lines;
}

function printReport(report: VerificationReport, json: boolean | undefined, io: CliIo): number {
  if (json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else for (const line of formatReport(report)) io.stdout.write(`${line}\n`);
  return report.ok ? EXIT.ok : EXIT.failure;
}

interface VerifyOptions extends StorageOptions, ConnectionOptions {
  offline?: string;
  proof?: string;
  keys?: string;
  partition?: string;
  tenant?: string;
  from?: string;
  to?: string;
  known?: string[];
  json?: boolean;
}

async function keysFor(
  options: { keys?: string },
  fallback: () => Promise<JsonWebKeySet>,
): Promise<JsonWebKeySet> {
  return options.keys === undefined ? fallback() : loadJwks(options.keys);
}

async function verifyCommand(options: VerifyOptions, io: CliIo): Promise<number> {
  const progress = new VerifyProgressLine(io);
  const onProgress = (p: VerifyProgress): void => progress.update(p);
  if (options.proof !== undefined) {
    if (options.keys === undefined) {
      throw new CliError(
        '--proof needs --keys <jwks file or URL>: the keys you trust to have signed it',
        EXIT.usage,
      );
    }
    const document = JSON.parse(await fs.readFile(options.proof, 'utf8')) as unknown;
    try {
      const verified = verifyProofDocument(document, await loadJwks(options.keys));
      const doc = document as ProofDocument;
      io.stdout.write(
        `ok: event ${doc.eventId} of tenant ${doc.tenant} is record ${doc.logIndex} of ${verified.checkpoint.origin}, ` +
          `in checkpoint ${verified.checkpoint.size} signed at ${verified.checkpoint.time.toISOString()} by ${verified.checkpoint.keyId}\n`,
      );
      return EXIT.ok;
    } catch (error) {
      if (error instanceof ProofDocumentError) {
        io.stdout.write(`FAILED: ${error.message}\n`);
        return EXIT.failure;
      }
      throw error;
    }
  }
  if (options.offline !== undefined) {
    let publicKeys: JsonWebKeySet;
    if (options.keys === undefined) {
      io.stderr.write(
        'note: using the key set inside the export; pass --keys with a key set you obtained yourself to trust the result\n',
      );
      publicKeys = await loadJwks(path.join(options.offline, 'jwks.json'));
    } else {
      publicKeys = await loadJwks(options.keys);
    }
    const report = await verifyOffline(options.offline, publicKeys, { onProgress });
    progress.finish();
    return printReport(report, options.json, io);
  }
  const known = await Promise.all((options.known ?? []).map((file) => fs.readFile(file, 'utf8')));
  if (options.url !== undefined) {
    const client = new ApiClient(await resolveConnection(options, io));
    const body = JSON.stringify({
      ...(options.partition ? { partition: options.partition } : {}),
      ...(options.tenant ? { tenant: options.tenant } : {}),
      ...(options.from ? { from: instant('--from', options.from)?.toISOString() } : {}),
      ...(options.to ? { to: instant('--to', options.to)?.toISOString() } : {}),
    });
    const result = await client.post('verify', Buffer.from(body), 'application/json');
    if (result.status !== 200) throw client.failure(result, 'verification');
    return printReport(result.body as VerificationReport, options.json, io);
  }
  const { services, keys } = await openLog(options, io);
  const publicKeys = await keysFor(options, () => keys.publicJwks());
  const from = instant('--from', options.from);
  const to = instant('--to', options.to);
  const report =
    options.tenant !== undefined
      ? await verifyTenantEvents(services, [options.tenant], {
          publicKeys,
          onProgress,
          ...(from ? { from } : {}),
          ...(to ? { to } : {}),
        })
      : await verifyLog(services, {
          publicKeys,
          onProgress,
          knownCheckpoints: known,
          ...(options.partition ? { partitions: [options.partition] } : {}),
        });
  progress.finish();
  return printReport(report, options.json, io);
}

interface ProveOptions extends ConnectionOptions {
  tenant?: string;
  out?: string;
  keys?: string;
  json?: boolean;
}

async function proveCommand(id: string, options: ProveOptions, io: CliIo): Promise<number> {
  const client = new ApiClient(await resolveConnection(options, io));
  const result = await client.get(`events/${encodeURIComponent(id)}/proof`, {
    tenant: options.tenant,
  });
  if (result.status === 202) {
    const said = (result.body as { message?: string } | undefined)?.message ?? '';
    throw new CliError(
      `event ${id} is not sealed yet: ${said}`,
      EXIT.failure,
      'retry in 20 seconds',
    );
  }
  if (result.status !== 200) throw client.failure(result, `the proof of event ${id}`);
  const document = result.body as ProofDocument;
  const publicKeys = await keysFor(options, async () => {
    const keys = await client.get('keys');
    if (keys.status !== 200) throw client.failure(keys, 'reading the key set');
    return parseJwks(keys.body);
  });
  if (options.out !== undefined) {
    await fs.writeFile(options.out, `${JSON.stringify(document, null, 2)}\n`);
  }
  try {
    const verified = verifyProofDocument(document, publicKeys);
    if (options.json) io.stdout.write(`${JSON.stringify(document)}\n`);
    else {
      io.stdout.write(
        `ok: event ${document.eventId} (tenant ${document.tenant}) is record ${document.logIndex} of ` +
          `${verified.checkpoint.origin}, proved in checkpoint ${verified.checkpoint.size} ` +
          `signed ${verified.checkpoint.time.toISOString()} by ${verified.checkpoint.keyId}\n`,
      );
      if (options.out !== undefined) {
        io.stdout.write(
          `written: ${options.out} (check it anywhere with: mcp-audit verify --proof ${options.out} --keys <jwks>)\n`,
        );
      }
    }
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof ProofDocumentError)) throw error;
    io.stdout.write(`FAILED: the proof served for ${id} does not verify: ${error.message}\n`);
    return EXIT.failure;
  }
}

async function sealCommand(
  options: StorageOptions & { json?: boolean },
  io: CliIo,
): Promise<number> {
  const { services } = await openLog(options, io);
  const outcomes = await sealPartitions(services, new Date());
  let failed = false;
  for (const outcome of outcomes) {
    if (options.json) {
      const { partition, status } = outcome;
      const detail =
        outcome.status === 'failed'
          ? { error: outcome.error.message }
          : outcome.status === 'sealed'
            ? {
                size: outcome.size,
                previousSize: outcome.previousSize ?? null,
                keyId: outcome.keyId,
              }
            : { size: outcome.size };
      io.stdout.write(`${JSON.stringify({ partition, status, ...detail })}\n`);
    } else if (outcome.status === 'sealed') {
      io.stdout.write(
        `partition ${outcome.partition}: sealed at size ${outcome.size}` +
          (outcome.previousSize === undefined
            ? ' (first checkpoint)'
            : ` (previous ${outcome.previousSize})`) +
          ` with ${outcome.keyId}\n`,
      );
    } else if (outcome.status === 'unchanged') {
      io.stdout.write(`partition ${outcome.partition}: unchanged at size ${outcome.size}\n`);
    } else {
      io.stdout.write(`partition ${outcome.partition}: FAILED: ${outcome.error.message}\n`);
    }
    failed ||= outcome.status === 'failed';
  }
  if (outcomes.length === 0 && !options.json) io.stdout.write('no partition has a log yet\n');
  return failed ? EXIT.failure : EXIT.ok;
}

async function exportCommand(
  options: StorageOptions & { from?: string; to?: string; out?: string },
  io: CliIo,
): Promise<number> {
  const from = instant('--from', options.from);
  const to = instant('--to', options.to);
  if (from === undefined || to === undefined || options.out === undefined) {
    throw new CliError('export needs --from, --to and --out', EXIT.usage);
  }
  const { services, keys } = await openLog(options, io);
  const folder = path.resolve(io.cwd, options.out);
  const summary = await exportRange(services, { from, to }, folder, {
    publicKeys: await keys.publicJwks(),
  });
  for (const p of summary.partitions) {
    io.stdout.write(
      `partition ${p.partition}: indexes ${p.first}..${p.end - 1} (${p.records} records), ${p.checkpoints} checkpoints\n`,
    );
  }
  io.stdout.write(
    `written: ${folder} (${summary.segments} segments, ${summary.bytes} bytes); ` +
      `verify it anywhere with: mcp-audit verify --offline ${options.out} --keys <jwks>\n`,
  );
  return EXIT.ok;
}

async function keysExportCommand(
  options: StorageOptions & ConnectionOptions & { out?: string },
  io: CliIo,
): Promise<number> {
  let jwks: JsonWebKeySet;
  if (options.url !== undefined) {
    const client = new ApiClient(await resolveConnection(options, io));
    const result = await client.get('keys');
    if (result.status !== 200) throw client.failure(result, 'reading the key set');
    jwks = parseJwks(result.body);
  } else {
    jwks = await (await openLog(options, io)).keys.publicJwks();
  }
  const text = `${JSON.stringify(jwks, null, 2)}\n`;
  if (options.out === undefined) io.stdout.write(text);
  else {
    await fs.writeFile(options.out, text);
    io.stdout.write(`written: ${options.out} (${jwks.keys.length} keys)\n`);
  }
  return EXIT.ok;
}

/** Adds the integrity commands to the program. */
export function registerIntegrityCommands(
  program: Command,
  io: CliIo,
  result: { exitCode: number },
): void {
  withConnection(
    withStorage(
      program
        .command('verify')
        .description(
          'verify the log: every record against the signed checkpoints, the checkpoint chain, the hot store. ' +
            `Without --url or --offline: ${DIRECT} With --url: runs on the host (POST /api/verify). ` +
            'With --offline: an exported folder, with no access to the system. Exits 1 on any failure.',
        )
        .option('--offline <folder>', 'verify a folder written by mcp-audit export')
        .option('--proof <file>', 'verify a proof document written by mcp-audit prove --out')
        .option(
          '--keys <jwks>',
          "the key set to trust: a JWKS file or URL (default: the key provider's)",
        )
        .option('--partition <id>', 'only this partition')
        .option(
          '--tenant <id>',
          "only this tenant's events (their inclusion in signed checkpoints)",
        )
        .option('--from <time>', 'with --tenant: events enqueued at or after this time')
        .option('--to <time>', 'with --tenant: events enqueued before this time')
        .option('--known <note...>', 'checkpoint notes seen before: each must still be in the log')
        .option('--json', 'print the report as JSON'),
    ),
  ).action(async (options: VerifyOptions) => {
    result.exitCode = await verifyCommand(options, io);
  });

  withConnection(
    program
      .command('prove')
      .description(
        "get an event's inclusion proof from the API and check it against the key set; --out keeps the document",
      )
      .argument('<id>', 'the event id')
      .option('--tenant <id>', 'the tenant, when the key may read several')
      .option(
        '--out <file>',
        'write the proof document (verify it later with mcp-audit verify --proof)',
      )
      .option('--keys <jwks>', 'the key set to trust: a JWKS file or URL (default: GET /api/keys)')
      .option(
        '--data <dir>',
        "the local host's data folder, where its admin key is",
        DEFAULT_DATA_DIR,
      )
      .option('--json', 'print the proof document as JSON'),
  ).action(async (id: string, options: ProveOptions) => {
    result.exitCode = await proveCommand(id, options, io);
  });

  withStorage(
    program
      .command('seal')
      .description(
        `sign a checkpoint for every partition whose log grew since its last one. ${DIRECT}`,
      )
      .option('--json', 'one JSON line per partition'),
  ).action(async (options: StorageOptions & { json?: boolean }) => {
    result.exitCode = await sealCommand(options, io);
  });

  withStorage(
    program
      .command('export')
      .description(
        `write the archive segments of a time range, their checkpoints and the key set to a folder that ` +
          `mcp-audit verify --offline checks with no access to the system. ${DIRECT}`,
      )
      .option('--from <time>', 'events enqueued at or after this time (whole hours)')
      .option('--to <time>', 'events enqueued before this time')
      .option('--out <folder>', 'the folder to create (must not exist or be empty)'),
  ).action(async (options: StorageOptions & { from?: string; to?: string; out?: string }) => {
    result.exitCode = await exportCommand(options, io);
  });

  const keys = program.command('keys').description('the public keys that sign checkpoints');
  withConnection(
    withStorage(
      keys
        .command('export')
        .description(
          `print (or write with --out) the JWKS of every checkpoint signing key, rotated ones included. ${DIRECT} ` +
            'With --url: GET /api/keys of a running audit log.',
        )
        .option('--out <file>', 'write the JWKS to this file'),
    ),
  )
    .exitOverride()
    .action(async (options: StorageOptions & ConnectionOptions & { out?: string }) => {
      result.exitCode = await keysExportCommand(options, io);
    });
}
