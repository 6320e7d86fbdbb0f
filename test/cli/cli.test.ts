/**
 * The mcp-audit command line against a running local host, each command in its own process, as a user
 * types it: exit codes, what goes to stdout and stderr, and the words of every error.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simulateTraffic } from '../../src/simulate/traffic';
import { cleanEnv, HostProcess, runCli } from '../host/support/cli-process';

jest.setTimeout(120_000);

const good = [...simulateTraffic({ seed: 5, count: 6, tenants: 1 })];
const NOT_JSON = '{"specversion":"1.0", oops';
const NO_TENANT = JSON.stringify({ ...good[0]?.event, id: 'no-tenant', tenantid: undefined });

let cwd: string;
let host: HostProcess;
let env: NodeJS.ProcessEnv;
const cli = (args: string[], input?: string) =>
  runCli(args, { cwd, env, ...(input === undefined ? {} : { input }) });

beforeAll(async () => {
  cwd = mkdtempSync(path.join(tmpdir(), 'cli-'));
  host = await HostProcess.start(['--port', '0', '--no-amqp'], { cwd });
  // The commands find the host through AUDIT_URL and its key in ./.data/admin-key.json.
  env = cleanEnv({ AUDIT_URL: host.url });
});
afterAll(async () => {
  await host?.stop();
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('mcp-audit', () => {
  it.each(['start', 'ingest', 'query', 'simulate', 'deadletters', 'health'])(
    '%s --help prints usage and exits 0',
    async (command) => {
      const run = await cli([command, '--help']);
      expect([run.code, run.stdout.split('\n')[0]]).toEqual([
        0,
        expect.stringMatching(new RegExp(`^Usage: mcp-audit ${command} `)),
      ]);
    },
  );

  it('health reports the host, finding it through AUDIT_URL and the stored key', async () => {
    const run = await cli(['health']);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toMatch(
      new RegExp(
        `^ok: ${host.url} answers, storage reachable, \\d+ partition logs, last ingest .+, 0 events in flight\\n$`,
      ),
    );
  });

  it('ingest sends an NDJSON file and reports every outcome, exit 3 when events were dead-lettered', async () => {
    const lines = [
      good[0]?.body,
      good[1]?.body,
      '',
      NOT_JSON,
      good[2]?.body,
      NO_TENANT,
      good[3]?.body,
      good[4]?.body,
      good[5]?.body,
    ];
    writeFileSync(path.join(cwd, 'events.ndjson'), `${lines.join('\n')}\n`);
    const run = await cli(['ingest', 'events.ndjson']);
    expect([run.code, run.stderr]).toEqual([3, '']);
    const out = run.stdout.split('\n');
    expect(out[0]).toMatch(/^8 events sent from events\.ndjson in \d+\.\d s/);
    expect(out.slice(1, 4)).toEqual([
      '  accepted   6',
      '  duplicate  0',
      '  rejected   2  (kept as dead letters: mcp-audit deadletters)',
    ]);
    expect(out.slice(4)).toEqual([
      expect.stringMatching(/^ {4}1 × invalid-json: .+$/),
      '      line 4',
      expect.stringMatching(/^ {4}1 × \S+ at \/tenantid: .+$/),
      '      line 6',
      '',
    ]);
  });

  it('ingest - reads a JSON array from standard input; sending it again yields duplicates, exit 0', async () => {
    const array = JSON.stringify(good.map((s) => s.event));
    const run = await cli(['ingest', '-'], array);
    expect([run.code, run.stdout.split('\n').slice(1, 4)]).toEqual([
      0,
      ['  accepted   0', '  duplicate  6', '  rejected   0'],
    ]);
    expect(run.stdout.split('\n')[0]).toMatch(/^6 events sent from standard input in /);
  });

  it('query --json --all follows continuation tokens to every event', async () => {
    const run = await cli(['query', '--json', '--all', '--limit', '2']);
    expect(run.code).toBe(0);
    const ids = run.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { id: string }).id);
    expect(ids.sort()).toEqual(good.map((s) => (s.event as { id: string }).id).sort());
  });

  it('query without --all shows one page and says more match', async () => {
    const run = await cli(['query', '--limit', '2']);
    expect([run.code, run.stdout.trim().split('\n').length, run.stderr]).toEqual([
      0,
      3,
      '2 events shown; more match: rerun with --all to read every page\n',
    ]);
  });

  it('query shows a query-language error with a caret under the bad word, exit 1', async () => {
    const run = await cli(['query', 'databse:sales']);
    expect([run.code, run.stdout]).toEqual([1, '']);
    expect(run.stderr).toMatch(
      /^error: the query failed: 400 unknown field "databse" at 0: expected one of /,
    );
    expect(run.stderr.endsWith('\n  databse:sales\n  ^^^^^^^\n')).toBe(true);
  });

  it('deadletters lists the rejected events with their reasons', async () => {
    const table = await cli(['deadletters']);
    const rows = table.stdout.trim().split('\n');
    expect([table.code, rows[0], rows.length, table.stderr]).toEqual([
      0,
      expect.stringMatching(/^ENQUEUED +TENANT +PARTITION\/SEQ +REASON +FIELD +MESSAGE$/),
      3,
      '2 dead letters\n',
    ]);
    const json = await cli(['deadletters', '--json']);
    const codes = json.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { reason: { code: string } }).reason.code);
    expect(codes).toContain('invalid-json');
  });

  it('simulate --out - writes the same NDJSON for the same seed, without a host', async () => {
    const run = await runCli(['simulate', '--out', '-', '--count', '5', '--seed', '3'], {
      cwd: tmpdir(),
      env: cleanEnv(),
    });
    const expected = [...simulateTraffic({ seed: 3, count: 5 })].map((s) => s.body);
    expect([run.code, run.stdout, run.stderr]).toEqual([0, `${expected.join('\n')}\n`, '']);
  });

  it('simulate --out writes a file that ingest then sends', async () => {
    const written = await cli(['simulate', '--out', 'sim.ndjson', '--count', '20', '--seed', '8']);
    expect([written.code, written.stderr]).toEqual([0, 'wrote 20 events to sim.ndjson\n']);
    const sent = await cli(['ingest', 'sim.ndjson', '--batch-size', '7']);
    expect([sent.code, sent.stdout.split('\n')[1]]).toEqual([0, '  accepted   20']);
  });

  it('says the key was refused and how to fix it, exit 1', async () => {
    const run = await cli(['query', '--key', 'not-a-key-this-log-knows']);
    expect([run.code, run.stderr]).toEqual([
      1,
      'error: the query failed: 401 the key is not valid for this audit log\n' +
        "the key from --key was refused: check --key / AUDIT_API_KEY against the host's AUDIT_API_KEYS\n",
    ]);
  });

  it('says when no host answers, exit 1', async () => {
    const port = await closedPort();
    const run = await cli(['health', '--url', `http://127.0.0.1:${port}`]);
    expect([run.code, run.stderr]).toEqual([
      1,
      `error: cannot reach the audit log at http://127.0.0.1:${port} (ECONNREFUSED)\n` +
        'start the local host with "npx mcp-audit start", or pass --url (or set AUDIT_URL) for another one\n',
    ]);
  });

  it('refuses a bad option value with exit 2', async () => {
    const run = await cli(['query', '--limit', '0']);
    expect([run.code, run.stderr]).toEqual([
      2,
      'error: --limit "0" is not valid: expected a whole number from 1 to 1000\n',
    ]);
  });

  it('refuses an unknown option with exit 2', async () => {
    const run = await cli(['health', '--bogus']);
    expect([run.code, run.stderr]).toEqual([
      2,
      "error: unknown option '--bogus'\n(run with --help for usage)\n",
    ]);
  });

  it('refuses to start a second host on a data folder in use, exit 1', async () => {
    const run = await cli(['start', '--port', '0', '--no-amqp']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^error: the data folder ${path.join(cwd, '.data')} is in use by another local host \\(process \\d+\\): stop that host, or start this one with another --data folder\\n$`,
      ),
    );
  });
});
