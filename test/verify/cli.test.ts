import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parseApiKeys } from '../../src/auth/api-keys';
import { main } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/io';
import { startAzurite, type AzuriteInstance } from '../../src/devstorage/azurite';
import type { ApiDependencies } from '../../src/http/dependencies';
import { getEventProof, getKeys } from '../../src/http/integrity';
import type { ApiRequest } from '../../src/http/types';
import { LocalKeyProvider } from '../../src/keys/local';
import { createStorageClients, ensureStorage } from '../../src/store/clients';
import { CONTAINERS } from '../../src/store/names';
import { ingestHarness, type Harness } from '../support/ingest-harness';
import { testBody } from '../support/events';

/**
 * The integrity commands of `mcp-audit` (src/cli/integrity-commands.ts), run in-process against an
 * Azurite of their own: the commands work on the account's default tables and containers, which the
 * rest of the suite's shared Azurite must not see.
 */

jest.setTimeout(60_000);

const KEY = 'cli-admin-key-0123456789';
let azurite: AzuriteInstance;
let folder: string;
let harness: Harness;
let server: Server;
let url: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin: new PassThrough(),
    env: {},
    cwd: folder,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

const storage = (): string[] => [
  '--storage',
  azurite.connectionString,
  '--data',
  path.join(folder, 'data'),
];

beforeAll(async () => {
  azurite = await startAzurite();
  folder = mkdtempSync(path.join(tmpdir(), 'mcp-audit-cli-'));
  const clients = createStorageClients({
    kind: 'connectionString',
    connectionString: azurite.connectionString,
  });
  await ensureStorage(clients);
  harness = await ingestHarness(undefined, clients, {
    integrity: true,
    keys: new LocalKeyProvider(path.join(folder, 'data', 'keys')),
    tilesContainer: CONTAINERS.tiles,
  });
  await harness.deliver(
    '0',
    Array.from({ length: 30 }, (_, i) => ({ sequenceNumber: i, body: testBody(i) })),
  );
  const deps: ApiDependencies = {
    keyring: parseApiKeys(JSON.stringify({ [KEY]: '*' })),
    clients,
    sink: { publish: () => Promise.reject(new Error('not used')) },
    tokenKey: Buffer.alloc(32),
    clock: () => new Date(),
    ingestTimeoutMs: 1000,
    integrity: harness.integrity,
  };
  server = createServer((incoming, outgoing) => {
    const requestUrl = new URL(incoming.url ?? '/', 'http://127.0.0.1');
    const proof = /^\/api\/events\/([^/]+)\/proof$/.exec(requestUrl.pathname);
    const request: ApiRequest = {
      method: incoming.method ?? 'GET',
      url: requestUrl.toString(),
      headers: {
        get: (name) => (incoming.headers[name.toLowerCase()] as string | undefined) ?? null,
      },
      query: requestUrl.searchParams,
      params: proof ? { id: decodeURIComponent(proof[1] as string) } : {},
      arrayBuffer: async () => new ArrayBuffer(0),
    };
    const handler = proof
      ? getEventProof
      : requestUrl.pathname === '/api/keys'
        ? getKeys
        : undefined;
    if (handler === undefined) {
      outgoing.statusCode = 404;
      outgoing.end();
      return;
    }
    void handler(request, deps).then((response) => {
      outgoing.statusCode = response.status;
      for (const [name, value] of Object.entries(response.headers ?? {}))
        outgoing.setHeader(name, value);
      outgoing.end(JSON.stringify(response.jsonBody));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.close();
  await azurite?.stop();
});

describe('mcp-audit integrity commands', () => {
  it('says in --help which commands work on storage directly', async () => {
    for (const command of [['seal'], ['export'], ['verify'], ['keys', 'export']]) {
      const run = await cli([...command, '--help']);
      expect([command.join(' '), run.code, run.stdout.replace(/\s+/g, ' ')]).toEqual([
        command.join(' '),
        0,
        expect.stringContaining('Works on the storage account directly'),
      ]);
    }
  });

  it('seal signs a checkpoint for the partition that grew, then finds it unchanged', async () => {
    const first = await cli(['seal', ...storage()]);
    const again = await cli(['seal', ...storage()]);
    expect([
      first.code,
      first.stdout.replace(/local\/checkpoint-signing\/\S+/, '<key>'),
      again.stdout,
    ]).toEqual([
      0,
      'partition 0: sealed at size 30 (first checkpoint) with <key>\n',
      'partition 0: unchanged at size 30\n',
    ]);
  });

  it('verify checks the log in storage and exits 0', async () => {
    const run = await cli(['verify', ...storage()]);
    expect([
      run.code,
      run.stdout.split('\n')[0]?.replace(/signed by .*/, 'signed by <key>'),
    ]).toEqual([
      0,
      'partition 0: ok, 30 records, 1 checkpoints (latest 30), 0 not yet sealed, signed by <key>',
    ]);
  });

  it('verify --json prints the report', async () => {
    const run = await cli(['verify', ...storage(), '--json']);
    const report = JSON.parse(run.stdout) as { ok: boolean; totals: { records: number } };
    expect([run.code, report.ok, report.totals.records]).toEqual([0, true, 30]);
  });

  it('keys export writes the key set', async () => {
    const file = path.join(folder, 'jwks.json');
    const run = await cli(['keys', 'export', ...storage(), '--out', file]);
    expect([run.code, run.stdout, JSON.parse(readFileSync(file, 'utf8')).keys.length]).toEqual([
      0,
      `written: ${file} (1 keys)\n`,
      1,
    ]);
  });

  it('export writes a folder that verify --offline checks with the pinned keys', async () => {
    const jwks = path.join(folder, 'pinned.json');
    await cli(['keys', 'export', ...storage(), '--out', jwks]);
    const exported = await cli([
      'export',
      ...storage(),
      '--from',
      '2026-11-26T10:00:00Z',
      '--to',
      '2026-11-26T11:00:00Z',
      '--out',
      'export',
    ]);
    const offline = await cli(['verify', '--offline', path.join(folder, 'export'), '--keys', jwks]);
    expect([
      exported.code,
      exported.stdout.split('\n')[0],
      offline.code,
      offline.stdout.split('\n').pop(),
    ]).toEqual([0, 'partition 0: indexes 0..29 (30 records), 1 checkpoints', 0, '']);
    expect(offline.stdout).toMatch(
      /^ok: export of region default: 30 records, 1 checkpoints, 1 signature checks in \d+\.\d s$/m,
    );
  });

  it('verify --offline without --keys warns that it trusts the keys inside the export', async () => {
    const run = await cli(['verify', '--offline', path.join(folder, 'export')]);
    expect([run.code, run.stderr]).toEqual([
      0,
      'note: using the key set inside the export; pass --keys with a key set you obtained yourself to trust the result\n',
    ]);
  });

  it('prove fetches the proof, checks it against the key set and keeps it for later', async () => {
    const file = path.join(folder, 'proof.json');
    const run = await cli(['prove', 'evt-000003', '--url', url, '--key', KEY, '--out', file]);
    expect([
      run.code,
      run.stdout.split('\n')[0]?.replace(/signed \S+ by \S+$/, 'signed <time> by <key>'),
    ]).toEqual([
      0,
      'ok: event evt-000003 (tenant acme) is record 3 of sql-mcp-audit/default/0, proved in checkpoint 30 signed <time> by <key>',
    ]);
    const jwks = path.join(folder, 'jwks.json');
    const later = await cli(['verify', '--proof', file, '--keys', jwks]);
    expect(later.code).toBe(0);
  });

  it('verify --proof exits 1 on an altered proof document', async () => {
    const file = path.join(folder, 'proof.json');
    const altered = path.join(folder, 'altered.json');
    const document = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(altered, JSON.stringify({ ...document, logIndex: 4 }));
    const run = await cli(['verify', '--proof', altered, '--keys', path.join(folder, 'jwks.json')]);
    expect([run.code, run.stdout]).toEqual([
      1,
      "FAILED: proof does not verify: the record's log index is 3, the document says 4\n",
    ]);
  });

  it('verify exits 1 and names the first bad position when a segment was cut short', async () => {
    const blob = harness.clients.containers.archive.getBlockBlobClient(
      'acme/0/2026/11/26/10.standard.seg',
    );
    const data = await blob.downloadToBuffer();
    await blob.upload(data.subarray(0, data.length - 10), data.length - 10);
    const run = await cli(['verify', ...storage()]);
    expect([
      run.code,
      run.stdout.split('\n').pop() === '' && run.stdout.includes('FAILED: log of region default'),
    ]).toEqual([1, true]);
    expect(run.stdout).toMatch(
      /^ {2}archive-unreadable at partition 0, index 0: acme\/0\/2026\/11\/26\/10.standard.seg: segment frame at byte \d+: truncated payload$/m,
    );
  });

  it('seal and verify say which setting they need when no storage is named', async () => {
    const run = await cli(['seal']);
    expect([run.code, run.stderr.split('\n')[0]]).toEqual([
      2,
      'error: no storage account to work on: AUDIT_STORAGE: is not set (nor AzureWebJobsStorage): set a storage connection string, UseDevelopmentStorage=true, or AUDIT_STORAGE__blobServiceUri and AUDIT_STORAGE__tableServiceUri',
    ]);
  });
});
