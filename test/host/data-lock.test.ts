import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataFolderInUseError, lockDataFolder } from '../../src/host/data-lock';

const freshDir = (): string => mkdtempSync(path.join(tmpdir(), 'data-lock-'));

describe('lockDataFolder', () => {
  it('creates host.lock with this process id and removes it on release', async () => {
    const dir = freshDir();
    const lock = await lockDataFolder(dir);
    expect(existsSync(path.join(dir, 'host.lock'))).toBe(true);
    await lock.release();
    expect(existsSync(path.join(dir, 'host.lock'))).toBe(false);
  });

  it('refuses a folder another running process holds', async () => {
    const dir = freshDir();
    // The parent of the test process is running and is not this process.
    writeFileSync(path.join(dir, 'host.lock'), `${process.ppid}\n`);
    await expect(lockDataFolder(dir)).rejects.toThrow(new DataFolderInUseError(dir, process.ppid));
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const dir = freshDir();
    writeFileSync(path.join(dir, 'host.lock'), '2147483646\n');
    const lock = await lockDataFolder(dir);
    await lock.release();
  });
});
