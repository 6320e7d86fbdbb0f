import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { effectiveSettings, settingValue } from '../host/local-settings';
import type { RegionConfig } from '../regions/config';
import { CliError, EXIT } from './errors';
import type { CliIo } from './io';
import { formatTable } from './table';

/**
 * `mcp-audit query --regions <file|json>` (or the AUDIT_REGIONS setting): one query over every region
 * of a deployment, read from each region's storage directly rather than through an HTTP API, merged in
 * time order with every event once (src/regions/federated-query.ts).
 *
 * The storage SDKs and src/regions load on demand, as `start` does (src/cli/program.ts), so every
 * other command stays quick to start. A plain require: in this CommonJS build a dynamic import() would
 * go through the ESM loader, which does not resolve extensionless paths.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const regionsModule = (): typeof import('../regions') =>
  require('../regions') as typeof import('../regions');
const queryLanguage = (): typeof import('../query/ql') =>
  require('../query/ql') as typeof import('../query/ql');
const eventViews = (): typeof import('../http/event-view') =>
  require('../http/event-view') as typeof import('../http/event-view');
// Required late because commands/query.ts itself calls into this module.
const singleRegionQuery = (): typeof import('./commands/query') =>
  require('./commands/query') as typeof import('./commands/query');
/* eslint-enable @typescript-eslint/no-require-imports */

export interface RegionOptions {
  regions?: string;
  url?: string;
}

export const REGIONS_HELP = `
Regions:
  With --regions, or with the AUDIT_REGIONS setting (environment or local.settings.json) and no --url,
  the query runs against every region's storage directly, not through the HTTP API: it needs read access
  to each region's audit storage account (a connection string, or an Entra ID identity for
  { blobServiceUri, tableServiceUri }). Results from all regions are merged in time order, each event
  once, with its region shown; an event a producer retried into a second region during a failover is
  shown once, as the copy accepted first. Only the hot store is read: events handed off to the archive
  are not included. See docs/regions.md.`;

/** Adds --regions to the program's query command, with the help text that says how it runs. */
export function addRegionOptions(program: Command): void {
  const query = program.commands.find((command) => command.name() === 'query');
  if (query === undefined) throw new Error('the program has no query command to add --regions to');
  query
    .option(
      '--regions <file|json>',
      'query every region in its storage directly (not through the HTTP API): a JSON list of ' +
        '{ name, storage, url? }, primary first, or a file holding it (default: AUDIT_REGIONS when ' +
        '--url is not given)',
    )
    .addHelpText('after', REGIONS_HELP);
}

/**
 * The regions to query, or undefined for the single-region query through the HTTP API: --regions
 * when given; otherwise AUDIT_REGIONS, unless --url asks for one host.
 */
export function resolveRegions(options: RegionOptions, io: CliIo): RegionConfig[] | undefined {
  const { parseRegions, regionsFromSettings, RegionConfigError } = regionsModule();
  try {
    if (options.regions !== undefined) {
      const given = options.regions.trim();
      if (given.startsWith('[') || given.startsWith('{')) return parseRegions(given, '--regions');
      const file = path.resolve(io.cwd, given);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        throw new CliError(
          `--regions ${JSON.stringify(given)}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
          EXIT.usage,
          'pass a file holding the JSON list of regions, or the JSON itself',
        );
      }
      return parseRegions(text, `--regions ${given}`);
    }
    if (options.url !== undefined) return undefined;
    const settings = effectiveSettings(io.env, io.cwd);
    const fromSettings = settingValue(settings, 'AUDIT_REGIONS');
    return fromSettings === undefined ? undefined : regionsFromSettings(settings);
  } catch (error) {
    if (error instanceof RegionConfigError) {
      throw new CliError(
        error.message,
        EXIT.usage,
        'each region is { "name": "<its AUDIT_REGION>", "storage": "<connection string>" or ' +
          '{ "blobServiceUri": "…", "tableServiceUri": "…" }, "url": "<optional API base URL>" }, primary first',
      );
    }
    throw error;
  }
}

export interface FederatedQueryCommandOptions {
  limit: number;
  all: boolean;
  json: boolean;
  /** The query language words and the filter parameters, as GET /api/events takes them. */
  params: Record<string, string | undefined>;
}

/** Runs the query over every region's storage and prints it as the single-region query does, plus REGION. */
export async function federatedQueryCommand(
  configs: readonly RegionConfig[],
  options: FederatedQueryCommandOptions,
  io: CliIo,
): Promise<number> {
  const { connectRegions, federatedQuery, federatedTenants } = regionsModule();
  const { filtersToPlan, QueryError, QuerySyntaxError } = queryLanguage();
  const { eventViewOf } = eventViews();
  let plan;
  try {
    plan = filtersToPlan(options.params, new Date());
  } catch (error) {
    if (error instanceof QuerySyntaxError)
      throw new CliError(`invalid query: ${error.message}`, EXIT.usage, error.caret());
    if (error instanceof QueryError)
      throw new CliError(`invalid query: ${error.message}`, EXIT.usage);
    throw error;
  }
  const regions = connectRegions(configs);
  const tenants = plan.tenants ?? (await federatedTenants(regions));

  const rows: string[][] = [];
  const perRegion = new Map(regions.map((region) => [region.name, 0]));
  let duplicates = 0;
  let after;
  do {
    const page = await federatedQuery(regions, plan, tenants, options.limit, after);
    for (const { region, row } of page.rows) {
      const view = { ...eventViewOf(row), region };
      perRegion.set(region, (perRegion.get(region) ?? 0) + 1);
      if (options.json) io.stdout.write(`${JSON.stringify(view)}\n`);
      else rows.push(regionEventRow(view));
    }
    duplicates += page.stats.crossRegionDuplicates.length;
    after = page.next;
  } while (options.all && after !== undefined);

  const count = [...perRegion.values()].reduce((sum, n) => sum + n, 0);
  if (!options.json) {
    if (count === 0) io.stdout.write('no events match\n');
    else for (const line of formatTable(regionColumns(), rows)) io.stdout.write(`${line}\n`);
  }
  if (duplicates > 0) {
    io.stderr.write(
      `${duplicates} cross-region duplicate${duplicates === 1 ? '' : 's'} left out (the copy accepted first is shown)\n`,
    );
  }
  if (after !== undefined) {
    io.stderr.write(`${count} events shown; more match: rerun with --all to read every page\n`);
  } else if (!options.json) {
    const breakdown = [...perRegion].map(([name, n]) => `${name} ${n}`).join(', ');
    io.stderr.write(`${count} event${count === 1 ? '' : 's'} (${breakdown})\n`);
  }
  return EXIT.ok;
}

/** The single-region query's columns (src/cli/commands/query.ts), with the region after the time. */
function regionColumns(): string[] {
  const [time, ...rest] = singleRegionQuery().EVENT_COLUMNS;
  return [time as string, 'REGION', ...rest];
}

function regionEventRow(
  view: Parameters<typeof import('./commands/query').eventRow>[0] & { region: string },
): string[] {
  const [time, ...rest] = singleRegionQuery().eventRow(view);
  return [time as string, view.region, ...rest];
}
