import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { CliError } from '../../src/cli/errors';
import type { CliIo } from '../../src/cli/io';
import { resolveRegions } from '../../src/cli/region-options';

const identity = (account: string) => ({
  blobServiceUri: `https://${account}.blob.core.windows.net`,
  tableServiceUri: `https://${account}.table.core.windows.net`,
});
const LIST = JSON.stringify([
  { name: 'westeurope', storage: identity('stweu') },
  { name: 'northeurope', storage: identity('stneu') },
]);
const HINT =
  'each region is { "name": "<its AUDIT_REGION>", "storage": "<connection string>" or ' +
  '{ "blobServiceUri": "…", "tableServiceUri": "…" }, "url": "<optional API base URL>" }, primary first';

function ioIn(cwd: string, env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    stdin: process.stdin,
    env,
    cwd,
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

const names = (regions: { name: string }[] | undefined) => regions?.map((region) => region.name);

describe('resolveRegions', () => {
  const cwd = mkdtempSync(path.join(tmpdir(), 'region-options-'));
  writeFileSync(path.join(cwd, 'regions.json'), LIST);

  it('reads --regions given as JSON', () => {
    expect(names(resolveRegions({ regions: LIST }, ioIn(cwd).io))).toEqual([
      'westeurope',
      'northeurope',
    ]);
  });

  it('reads --regions given as a file, relative to the working folder', () => {
    expect(names(resolveRegions({ regions: 'regions.json' }, ioIn(cwd).io))).toEqual([
      'westeurope',
      'northeurope',
    ]);
  });

  it('falls back to AUDIT_REGIONS', () => {
    expect(names(resolveRegions({}, ioIn(cwd, { AUDIT_REGIONS: LIST }).io))).toEqual([
      'westeurope',
      'northeurope',
    ]);
  });

  it('reads AUDIT_REGIONS from local.settings.json', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'region-settings-'));
    writeFileSync(
      path.join(folder, 'local.settings.json'),
      JSON.stringify({ Values: { AUDIT_REGIONS: LIST } }),
    );
    expect(names(resolveRegions({}, ioIn(folder).io))).toEqual(['westeurope', 'northeurope']);
  });

  it('leaves AUDIT_REGIONS aside when --url names one host', () => {
    expect(
      resolveRegions({ url: 'http://localhost:7071' }, ioIn(cwd, { AUDIT_REGIONS: LIST }).io),
    ).toBeUndefined();
  });

  it('is undefined with neither --regions nor AUDIT_REGIONS', () => {
    expect(resolveRegions({}, ioIn(cwd).io)).toBeUndefined();
  });

  it('names a --regions file it cannot read', () => {
    expect(() => resolveRegions({ regions: 'missing.json' }, ioIn(cwd).io)).toThrow(
      new CliError('--regions "missing.json": cannot read the file (ENOENT)'),
    );
  });

  it('turns a bad region list into a usage error with the expected shape as hint', () => {
    let caught: unknown;
    try {
      resolveRegions({ regions: '[]' }, ioIn(cwd).io);
    } catch (error) {
      caught = error;
    }
    expect([
      (caught as CliError).message,
      (caught as CliError).exitCode,
      (caught as CliError).hint,
    ]).toEqual([
      '--regions: must be a non-empty JSON list of { name, storage, url? }, primary first',
      2,
      HINT,
    ]);
  });
});

describe('mcp-audit query with regions', () => {
  const cwd = mkdtempSync(path.join(tmpdir(), 'region-query-'));

  it('exits 2 and names the bad entry of AUDIT_REGIONS', async () => {
    const run = ioIn(cwd, { AUDIT_REGIONS: '[{"name":"westeurope"}]' });
    const code = await main(['query'], run.io);
    expect([code, run.stdout(), run.stderr()]).toEqual([
      2,
      '',
      'error: AUDIT_REGIONS: entry 1 ("westeurope"): storage: must be a connection string or ' +
        '{ blobServiceUri, tableServiceUri } (identity-based access)\n' +
        `${HINT}\n`,
    ]);
  });

  it('exits 2 on a query the language refuses, before reading any region', async () => {
    const run = ioIn(cwd);
    const code = await main(['query', '--regions', LIST, 'databse:sales'], run.io);
    expect([code, run.stdout(), run.stderr()]).toEqual([
      2,
      '',
      'error: invalid query: unknown field "databse" at 0: expected one of actor, user, actortype, ' +
        'database, server, tool, status, type, session, kind, rows, affected, duration, ip, error, ' +
        'policy, rule, fingerprint, object, text, since, from, until, to, tenant\n' +
        'databse:sales\n^^^^^^^\n',
    ]);
  });
});
