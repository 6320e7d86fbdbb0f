import { constants, promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * The file operations the spool needs: positional reads and writes, datasync, truncate. A Node
 * FileHandle satisfies it; tests pass one whose writes fail to play a full or broken disk.
 */
export interface SpoolFile {
  read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }>;
  write(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

/** Opens `file` for reading and writing, creating it (and fsyncing its folder) when missing. */
export async function openSpoolFile(file: string): Promise<SpoolFile> {
  try {
    return await fs.open(file, constants.O_RDWR);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  const handle = await fs.open(file, constants.O_RDWR | constants.O_CREAT);
  await syncDirectory(path.dirname(file));
  return handle;
}

/** Makes a file's creation, rename or removal in `directory` durable. */
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await fs.open(directory, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes all of `bytes` at `position`; a regular file may take a write in several pieces. */
export async function writeFully(file: SpoolFile, bytes: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const { bytesWritten } = await file.write(
      bytes,
      written,
      bytes.length - written,
      position + written,
    );
    if (bytesWritten <= 0) throw new Error(`wrote nothing at byte ${position + written}`);
    written += bytesWritten;
  }
}

/** Reads up to `length` bytes at `position`; fewer only where the file ends. */
export async function readAt(file: SpoolFile, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await file.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}
