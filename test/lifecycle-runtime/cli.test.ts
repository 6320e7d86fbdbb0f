/** The lifecycle, rehydrate and hold commands of `mcp-audit`, run in process. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { planLifecycle, shippedPriceTable, shippedRetentionPolicy } from '../../lifecycle';
import { formatPlan } from '../../src/cli/lifecycle-commands';
import { main } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/io';
import { azuriteConnectionString } from '../support/env';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin: process.stdin,
    env,
    // An empty folder: no local.settings.json names a storage account.
    cwd: mkdtempSync(path.join(tmpdir(), 'lifecycle-cli-')),
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

describe('mcp-audit lifecycle', () => {
  it('policy prints the generated Azure management policy', async () => {
    const golden = JSON.parse(
      readFileSync(
        path.join(__dirname, '..', 'data', 'lifecycle', 'management-policy.golden.json'),
        'utf8',
      ),
    ) as unknown;
    const run = await cli(['lifecycle', 'policy']);
    expect([run.code, JSON.parse(run.stdout), run.stderr]).toEqual([0, golden, '']);
  });

  it.each([['lifecycle', 'run'], ['lifecycle', 'plan'], ['rehydrate']])(
    '%s %s --help says it works on storage directly',
    async (...command) => {
      const run = await cli([...command.filter((word) => word !== undefined), '--help']);
      expect([run.code, run.stdout.replace(/\s+/g, ' ')]).toEqual([
        0,
        expect.stringContaining('Works on the storage account directly'),
      ]);
    },
  );

  it('run refuses a --now it cannot read', async () => {
    const run = await cli(['lifecycle', 'run', '--now', 'yesterday']);
    expect([run.code, run.stderr]).toEqual([
      2,
      'error: --now "yesterday" is not valid: expected RFC 3339 (2026-01-31T00:00:00Z), a date (2026-01-31) or a duration (7d)\n',
    ]);
  });

  it('plan names the setting it needs when no storage account is given', async () => {
    const run = await cli(['lifecycle', 'plan', '--at', '2030-01-01']);
    expect([run.code, run.stderr.split('\n')[0]]).toEqual([
      2,
      expect.stringMatching(/^error: no storage account to work on: AUDIT_STORAGE: is not set/),
    ]);
  });

  it('formats a plan with counts, tiers and costs', () => {
    const written = new Date('2026-01-01T00:00:00Z');
    const plan = planLifecycle(
      shippedRetentionPolicy(),
      [
        {
          container: 'audit-archive',
          name: 'acme/0/2026/01/01/00.standard.seg',
          tier: 'Hot',
          createdOn: written,
          lastModified: written,
          tags: { retention: 'standard' },
          sizeBytes: 2 ** 30,
        },
      ],
      new Date('2026-03-01T00:00:00Z'),
      shippedPriceTable(),
    );
    expect(formatPlan(plan).slice(1, 2)).toEqual([
      'actions: 1 to Cool, 0 to Cold, 0 to Archive, 0 deleted; blocked: 0 by legal hold, 0 by early deletion',
    ]);
    expect(formatPlan(plan)).toContain(
      'monthly storage: 0.018000 USD now, 0.010000 USD after (-0.008000 USD)',
    );
  });
});

describe('mcp-audit rehydrate', () => {
  it('needs a segment or a time range', async () => {
    const run = await cli(['rehydrate']);
    expect([run.code, run.stderr.split('\n')[0]]).toEqual([
      2,
      'error: name one segment, or a time range with both --from and --to',
    ]);
  });

  it('reports a segment that does not exist, with progress', async () => {
    const segment = 'lifecycle-cli/0/2026/01/01/00.standard.seg';
    const run = await cli(['rehydrate', segment, '--storage', azuriteConnectionString()]);
    expect([run.code, run.stderr]).toEqual([
      1,
      `[1/1] ${segment}: missing\nerror: 1 segment(s) do not exist: ${segment}\n`,
    ]);
  });

  it('refuses an unknown priority', async () => {
    const run = await cli(['rehydrate', 'x', '--priority', 'urgent']);
    expect([run.code, run.stderr.split('\n')[0]]).toEqual([
      2,
      "error: option '--priority <priority>' argument 'urgent' is invalid. Allowed choices are standard, high.",
    ]);
  });
});
