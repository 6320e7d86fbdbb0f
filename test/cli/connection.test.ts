import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { resolveConnection } from '../../src/cli/connection';
import { CliError } from '../../src/cli/errors';
import type { CliIo } from '../../src/cli/io';
import { loadOrCreateAdminKey } from '../../src/host/admin-key';

const ioIn = (cwd: string, env: NodeJS.ProcessEnv = {}): CliIo => ({
  stdout: { write: () => true },
  stderr: { write: () => true },
  stdin: Readable.from([]),
  env,
  cwd,
});
const fresh = (): string => mkdtempSync(path.join(tmpdir(), 'connection-'));

describe('resolveConnection', () => {
  it('defaults to the local host and the admin key in ./.data', async () => {
    const cwd = fresh();
    const { key } = await loadOrCreateAdminKey(path.join(cwd, '.data'));
    expect(await resolveConnection({}, ioIn(cwd))).toEqual({
      url: 'http://localhost:7071',
      key,
      keySource: path.join(cwd, '.data', 'admin-key.json'),
    });
  });

  it('reads the key from --data', async () => {
    const cwd = fresh();
    const { key } = await loadOrCreateAdminKey(path.join(cwd, 'elsewhere'));
    expect((await resolveConnection({ data: 'elsewhere' }, ioIn(cwd))).key).toBe(key);
  });

  it('takes AUDIT_URL and AUDIT_API_KEY from local.settings.json, the environment winning', async () => {
    const cwd = fresh();
    writeFileSync(
      path.join(cwd, 'local.settings.json'),
      JSON.stringify({ Values: { AUDIT_URL: 'http://file:1', AUDIT_API_KEY: 'file-key' } }),
    );
    expect(
      await resolveConnection({}, ioIn(cwd, { AUDIT_URL: 'https://audit.example.net/api/' })),
    ).toEqual({
      url: 'https://audit.example.net',
      key: 'file-key',
      keySource: 'the AUDIT_API_KEY setting',
    });
  });

  it('lets --url and --key win over the settings', async () => {
    const cwd = fresh();
    expect(
      await resolveConnection(
        { url: 'http://127.0.0.1:9', key: 'flag-key' },
        ioIn(cwd, { AUDIT_API_KEY: 'env-key' }),
      ),
    ).toEqual({
      url: 'http://127.0.0.1:9',
      key: 'flag-key',
      keySource: '--key',
    });
  });

  it('has no key when none is configured or stored', async () => {
    const cwd = fresh();
    mkdirSync(path.join(cwd, '.data'));
    expect((await resolveConnection({}, ioIn(cwd))).key).toBeUndefined();
  });

  it('refuses a URL that is not http(s)', async () => {
    await expect(resolveConnection({ url: 'ftp://x' }, ioIn(fresh()))).rejects.toThrow(
      new CliError('--url "ftp://x" must be an http or https URL'),
    );
  });
});
