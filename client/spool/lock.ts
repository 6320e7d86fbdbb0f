import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Another process (or another Spool in this one) has the spool open. */
export class SpoolInUseError extends Error {
  constructor(
    readonly path: string,
    readonly pid: number,
  ) {
    super(
      `spool ${path} is in use by ${pid === process.pid ? 'this process already' : `process ${pid}`}: give each producer its own spool file`,
    );
    this.name = 'SpoolInUseError';
  }
}

/** Spools this process holds, by resolved path. */
const held = new Set<string>();

export interface SpoolLock {
  release(): Promise<void>;
}

/**
 * Claims `<spool>.lock` for this process: two writers appending to one spool would interleave
 * records and break its chain. A lock left by a process that no longer runs is taken over; so is one
 * naming this process's own id that this process does not hold (a restarted container reuses its
 * process id).
 */
export async function lockSpool(spoolPath: string): Promise<SpoolLock> {
  const resolved = path.resolve(spoolPath);
  if (held.has(resolved)) throw new SpoolInUseError(spoolPath, process.pid);
  await fs.mkdir(path.dirname(resolved), { recursive: true });
  const file = `${resolved}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fs.writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      held.add(resolved);
      return {
        async release() {
          held.delete(resolved);
          await fs.rm(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isRunning(holder)) {
      throw new SpoolInUseError(spoolPath, holder);
    }
    await fs.rm(file, { force: true });
  }
  throw new Error(`could not lock the spool ${spoolPath}: ${file} keeps reappearing`);
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
