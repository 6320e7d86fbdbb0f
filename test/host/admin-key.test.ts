import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AdminKeyFileError, loadOrCreateAdminKey, readAdminKey } from '../../src/host/admin-key';
import { parseApiKeys } from '../../src/auth/api-keys';

const freshDir = (): string => path.join(mkdtempSync(path.join(tmpdir(), 'admin-key-')), 'data');

describe('loadOrCreateAdminKey', () => {
  it('generates a key granted every tenant in a 0600 file, in the AUDIT_API_KEYS format', async () => {
    const dir = freshDir();
    const admin = await loadOrCreateAdminKey(dir);
    expect(admin.created).toBe(true);
    expect(admin.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(admin.file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(admin.file, 'utf8'))).toEqual({ [admin.key]: '*' });
    expect(parseApiKeys(admin.keyringJson).grantFor(admin.key)).toEqual({ all: true });
  });

  it('reuses the stored key on the next start', async () => {
    const dir = freshDir();
    const first = await loadOrCreateAdminKey(dir);
    const second = await loadOrCreateAdminKey(dir);
    expect([second.key, second.created]).toEqual([first.key, false]);
  });
});

describe('readAdminKey', () => {
  it('returns undefined when the folder has no key', async () => {
    expect(await readAdminKey(freshDir())).toBeUndefined();
  });

  it('refuses a key file other users can read', async () => {
    const dir = freshDir();
    const { file } = await loadOrCreateAdminKey(dir);
    chmodSync(file, 0o644);
    await expect(readAdminKey(dir)).rejects.toThrow(
      new AdminKeyFileError(file, 'is readable by other users (mode 644): run chmod 600 on it'),
    );
  });

  it('refuses a file that does not hold one key granted "*"', async () => {
    const dir = freshDir();
    const { file } = await loadOrCreateAdminKey(dir);
    writeFileSync(file, JSON.stringify({ 'a-key-of-twenty-chars': ['acme'] }), { mode: 0o600 });
    await expect(readAdminKey(dir)).rejects.toThrow(
      `${file}: must hold one key granted every tenant, {"<key>":"*"}: delete it to have a new one generated`,
    );
  });
});
