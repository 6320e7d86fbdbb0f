import type { AuditEvent } from '../../schema/types';
import { ApiClient } from '../api-client';
import { resolveConnection, type ConnectionOptions } from '../connection';
import { EXIT } from '../errors';
import type { CliIo } from '../io';
import { federatedQueryCommand, resolveRegions, type RegionOptions } from '../region-options';
import { formatTable } from '../table';
import { wholeNumber } from './ingest';

/** The GET /api/events filters the command passes through as they are. */
export const QUERY_FILTERS = [
  'from',
  'to',
  'tenant',
  'actor',
  'database',
  'tool',
  'status',
  'type',
  'session',
] as const;

export type QueryOptions = ConnectionOptions &
  RegionOptions &
  Partial<Record<(typeof QUERY_FILTERS)[number], string>> & {
    limit?: string;
    all?: boolean;
    json?: boolean;
  };

interface EventView {
  id: string;
  tenant: string;
  time: string;
  type: string;
  record: { event: AuditEvent };
}

interface Page {
  events: EventView[];
  continuationToken?: string;
}

/**
 * `mcp-audit query [q...]`: events matching the query language and filters, as a table or (`--json`)
 * one JSON event view per line; `--all` follows continuation tokens to the last page. With regions
 * (--regions, or AUDIT_REGIONS without --url) it queries every region's storage directly instead.
 */
export async function queryCommand(
  words: readonly string[],
  options: QueryOptions,
  io: CliIo,
): Promise<number> {
  const limit = wholeNumber('--limit', options.limit, 100, 1, 1000);
  const regions = resolveRegions(options, io);
  if (regions !== undefined) {
    const params: Record<string, string | undefined> = {};
    const text = words.join(' ').trim();
    if (text !== '') params.q = text;
    for (const name of QUERY_FILTERS) params[name] = options[name];
    return federatedQueryCommand(
      regions,
      { limit, all: options.all === true, json: options.json === true, params },
      io,
    );
  }
  const client = new ApiClient(await resolveConnection(options, io));
  const query: Record<string, string | undefined> = { limit: String(limit) };
  const q = words.join(' ').trim();
  if (q !== '') query.q = q;
  for (const name of QUERY_FILTERS) query[name] = options[name];

  const rows: string[][] = [];
  let count = 0;
  let token: string | undefined;
  do {
    const result = await client.get('events', { ...query, continuationToken: token });
    if (result.status !== 200) throw client.failure(result, 'the query');
    const page = result.body as Page;
    for (const view of page.events) {
      count++;
      if (options.json) io.stdout.write(`${JSON.stringify(view)}\n`);
      else rows.push(eventRow(view));
    }
    token = page.continuationToken;
  } while (options.all && token !== undefined);

  if (!options.json) {
    if (count === 0) io.stdout.write('no events match\n');
    else for (const line of formatTable(EVENT_COLUMNS, rows)) io.stdout.write(`${line}\n`);
  }
  if (token !== undefined) {
    io.stderr.write(`${count} events shown; more match: rerun with --all to read every page\n`);
  } else if (!options.json) {
    io.stderr.write(`${count} event${count === 1 ? '' : 's'}\n`);
  }
  return EXIT.ok;
}

export const EVENT_COLUMNS = [
  'TIME',
  'TENANT',
  'TYPE',
  'ACTOR',
  'DATABASE',
  'TOOL',
  'STATUS',
  'ID',
];

export function eventRow(view: EventView): string[] {
  const data = view.record.event.data;
  return [
    view.time,
    view.tenant,
    view.type.replace(/^com\.sqlmcp\./, ''),
    data.actor?.id ?? '',
    data.target?.database ?? '',
    data.tool?.name ?? '',
    data.outcome?.status ?? '',
    view.id,
  ];
}
