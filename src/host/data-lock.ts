import { promises as fs } from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = 'host.lock';

export class DataFolderInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `the data folder ${dataDir} is in use by another local host (process ${pid}): ` +
        'stop that host, or start this one with another --data folder',
    );
    this.name = 'DataFolderInUseError';
  }
}

export interface DataLock {
  release(): Promise<void>;
}

/**
 * Claims a data folder for this process. Two hosts on one folder would run two storage emulators over the
 * same files and hand out the same sequence numbers; a lock left by a process that no longer runs is taken over.
 * @throws DataFolderInUseError when a running process holds the folder.
 */
export async function lockDataFolder(dataDir: string): Promise<DataLock> {
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fs.writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      return {
        async release() {
          await fs.rm(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isRunning(holder)) {
      throw new DataFolderInUseError(dataDir, holder);
    }
    await fs.rm(file, { force: true });
  }
  throw new Error(`could not lock the data folder ${dataDir}: ${file} keeps reappearing`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
