import { promises as fs } from 'node:fs';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  Spool,
  SpoolClosedError,
  SpoolCorruptError,
  SpoolFullError,
  SpoolInUseError,
  SpoolWriteError,
  type SpoolFile,
} from '../../../client';
import { crc32 } from '../../../client/spool/crc32';
import { openSpoolFile } from '../../../client/spool/file';
import { entry, temporaryDirectory } from '../support/spool-fixture';

const ALL = { maxRecords: 1000, maxBytes: 1 << 30 };

async function openNew(
  options: { maxBytes?: number; openFile?: (p: string) => Promise<SpoolFile> } = {},
) {
  const file = path.join(temporaryDirectory(), 'nested', 'audit.spool');
  return { file, spool: await Spool.open({ path: file, ...options }) };
}

function bodies(records: { body: Buffer }[]): string[] {
  return records.map((r) => r.body.toString());
}

/** A file handle whose writes fail (all, or those at or past `from`) as a full or broken disk would. */
function failingWrites(code: string, when: (position: number) => boolean = () => true) {
  return async (file: string): Promise<SpoolFile> => {
    const handle = await openSpoolFile(file);
    return {
      read: (...args) => handle.read(...args),
      write: async (buffer, offset, length, position) => {
        if (when(position)) throw Object.assign(new Error(`${code}: injected`), { code });
        return handle.write(buffer, offset, length, position);
      },
      datasync: () => handle.datasync(),
      truncate: (length) => handle.truncate(length),
      stat: () => handle.stat(),
      close: () => handle.close(),
    };
  };
}

describe('crc32', () => {
  it('agrees with zlib on the check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('agrees with zlib on random data split across parts', () => {
    const data = randomBytes(10_000);
    expect(crc32(data.subarray(0, 3333), data.subarray(3333))).toBe(zlibCrc32(data));
  });
});

describe('a new spool', () => {
  it('creates its file and folders with a 256-byte header', async () => {
    const { file, spool } = await openNew();
    expect((await fs.stat(file)).size).toBe(256);
    expect([spool.pendingCount, spool.sizeBytes]).toEqual([0, 256]);
    expect(spool.recovery).toEqual({ pending: 0, adopted: 0, discardedBytes: 0 });
    await spool.close();
  });

  it('refuses a size bound too small for one record', async () => {
    await expect(
      Spool.open({ path: path.join(temporaryDirectory(), 's'), maxBytes: 100 }),
    ).rejects.toThrow('spool maxBytes must be an integer of at least 296, got 100');
  });
});

describe('appending and replaying', () => {
  it('returns the records in order with their partition keys and exact bodies', async () => {
    const { spool } = await openNew();
    expect(await spool.append([entry(0, 'a'), entry(1, 'b'), entry(2, 'a')])).toEqual([
      { ok: true, index: 0 },
      { ok: true, index: 1 },
      { ok: true, index: 2 },
    ]);
    const records = await spool.readPending(ALL);
    expect(records.map((r) => [r.index, r.partitionKey, r.body.toString()])).toEqual([
      [0, 'a', '{"n":0}'],
      [1, 'b', '{"n":1}'],
      [2, 'a', '{"n":2}'],
    ]);
    await spool.close();
  });

  it('reads at most maxRecords, and always at least one record whatever maxBytes says', async () => {
    const { spool } = await openNew();
    await spool.append([0, 1, 2, 3, 4].map((n) => entry(n)));
    expect(bodies(await spool.readPending({ maxRecords: 2, maxBytes: 1 << 20 }))).toEqual([
      '{"n":0}',
      '{"n":1}',
    ]);
    expect(bodies(await spool.readPending({ maxRecords: 10, maxBytes: 1 }))).toEqual(['{"n":0}']);
    await spool.close();
  });

  it('continues after the acknowledged records', async () => {
    const { spool } = await openNew();
    await spool.append([0, 1, 2].map((n) => entry(n)));
    const [, second] = await spool.readPending(ALL);
    await spool.acknowledge(second!);
    expect(spool.pendingCount).toBe(1);
    expect(bodies(await spool.readPending(ALL))).toEqual(['{"n":2}']);
    await spool.close();
  });

  it('keeps records and acknowledgements across a reopen', async () => {
    const { file, spool } = await openNew();
    await spool.append([0, 1, 2].map((n) => entry(n)));
    await spool.acknowledge((await spool.readPending({ maxRecords: 1, maxBytes: 1 }))[0]!);
    await spool.close();
    const reopened = await Spool.open({ path: file });
    expect(reopened.recovery).toEqual({ pending: 2, adopted: 0, discardedBytes: 0 });
    expect(bodies(await reopened.readPending(ALL))).toEqual(['{"n":1}', '{"n":2}']);
    await reopened.append([entry(3)]);
    expect(bodies(await reopened.readPending(ALL))).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    await reopened.close();
  });

  it('ignores an acknowledgement of records already acknowledged', async () => {
    const { spool } = await openNew();
    await spool.append([0, 1].map((n) => entry(n)));
    const [first, second] = await spool.readPending(ALL);
    await spool.acknowledge(second!);
    await spool.acknowledge(first!);
    expect(spool.pendingCount).toBe(0);
    await spool.close();
  });
});

describe('emptying', () => {
  it('does not empty a spool with records still pending', async () => {
    const { spool } = await openNew();
    await spool.append([entry(0)]);
    expect(await spool.resetIfDrained()).toBe(false);
    expect(spool.pendingCount).toBe(1);
    await spool.close();
  });

  it('cuts the file back to its header once everything is acknowledged', async () => {
    const { file, spool } = await openNew();
    await spool.append([0, 1].map((n) => entry(n)));
    await spool.acknowledge((await spool.readPending(ALL))[1]!);
    expect(await spool.resetIfDrained()).toBe(true);
    expect([(await fs.stat(file)).size, spool.sizeBytes]).toEqual([256, 256]);
    await spool.append([entry(2)]);
    await spool.close();
    const reopened = await Spool.open({ path: file });
    expect(bodies(await reopened.readPending(ALL))).toEqual(['{"n":2}']);
    await reopened.close();
  });

  it('discards the old records when a crash came between the new header and the cut', async () => {
    const { file, spool } = await openNew();
    await spool.append([0, 1].map((n) => entry(n)));
    const before = await fs.readFile(file);
    await spool.acknowledge((await spool.readPending(ALL))[1]!);
    await spool.resetIfDrained();
    await spool.close();
    // Put the old records back after the new header, as if the truncate never happened.
    const header = (await fs.readFile(file)).subarray(0, 256);
    await fs.writeFile(file, Buffer.concat([header, before.subarray(256)]));
    const reopened = await Spool.open({ path: file });
    expect(reopened.recovery).toEqual({ pending: 0, adopted: 0, discardedBytes: 114 });
    expect((await fs.stat(file)).size).toBe(256);
    await reopened.close();
  });
});

describe('the size bound', () => {
  it('refuses a record that does not fit and keeps the ones that do', async () => {
    // 256 header + 2 records of 57 bytes = 370; a third does not fit in 400.
    const { file, spool } = await openNew({ maxBytes: 400 });
    const results = await spool.append([0, 1, 2].map((n) => entry(n)));
    expect(results.slice(0, 2)).toEqual([
      { ok: true, index: 0 },
      { ok: true, index: 1 },
    ]);
    const refused = results[2] as { ok: false; error: SpoolFullError };
    expect(refused.error).toBeInstanceOf(SpoolFullError);
    expect(refused.error.message).toBe(
      `spool ${file} is full: 370 of 400 bytes used, a record of 57 bytes does not fit`,
    );
    expect(spool.pendingCount).toBe(2);
    await spool.close();
  });

  it('has room again once it is emptied', async () => {
    const { spool } = await openNew({ maxBytes: 400 });
    await spool.append([0, 1].map((n) => entry(n)));
    await spool.acknowledge((await spool.readPending(ALL))[1]!);
    await spool.resetIfDrained();
    expect((await spool.append([entry(2)]))[0]).toEqual({ ok: true, index: 0 });
    await spool.close();
  });
});

describe('write failures', () => {
  it('reports a failing disk as SpoolWriteError and commits nothing', async () => {
    const dir = temporaryDirectory();
    const file = path.join(dir, 'audit.spool');
    const spool = await Spool.open({
      path: file,
      openFile: failingWrites('EIO', (at) => at >= 256),
    });
    const appending = spool.append([entry(0)]);
    await expect(appending).rejects.toBeInstanceOf(SpoolWriteError);
    await expect(appending).rejects.toThrow(
      `spool ${file}: appending records failed (EIO: injected)`,
    );
    expect(spool.pendingCount).toBe(0);
    await spool.close();
    const reopened = await Spool.open({ path: file });
    expect(reopened.pendingCount).toBe(0);
    await reopened.close();
  });

  it('reports a failing header write and leaves the records uncommitted', async () => {
    const file = path.join(temporaryDirectory(), 'audit.spool');
    await (await Spool.open({ path: file })).close();
    const spool = await Spool.open({
      path: file,
      openFile: failingWrites('ENOSPC', (at) => at < 256),
    });
    await expect(spool.append([entry(0)])).rejects.toThrow(
      `spool ${file}: committing the header failed (ENOSPC: injected)`,
    );
    expect(spool.pendingCount).toBe(0);
    await spool.close();
  });

  it('refuses use after close', async () => {
    const { file, spool } = await openNew();
    await spool.close();
    await expect(spool.append([entry(0)])).rejects.toEqual(new SpoolClosedError(file));
  });
});

describe('recovery after a crash', () => {
  /** A spool whose last append wrote and synced its records but crashed before the header commit. */
  async function crashedBeforeCommit(): Promise<string> {
    const file = path.join(temporaryDirectory(), 'audit.spool');
    const first = await Spool.open({ path: file });
    await first.append([0, 1].map((n) => entry(n)));
    await first.close();
    const crashing = await Spool.open({
      path: file,
      openFile: failingWrites('EIO', (at) => at < 256),
    });
    await crashing.append([2, 3].map((n) => entry(n))).catch(() => undefined);
    await crashing.close();
    return file;
  }

  it('adopts complete records written after the last header commit', async () => {
    const file = await crashedBeforeCommit();
    const spool = await Spool.open({ path: file });
    expect(spool.recovery).toEqual({ pending: 4, adopted: 2, discardedBytes: 0 });
    expect(bodies(await spool.readPending(ALL))).toEqual([
      '{"n":0}',
      '{"n":1}',
      '{"n":2}',
      '{"n":3}',
    ]);
    await spool.close();
  });

  it('recovers up to the last complete record when the last one was cut short', async () => {
    const file = await crashedBeforeCommit();
    await fs.truncate(file, 256 + 57 * 3 + 20);
    const spool = await Spool.open({ path: file });
    expect(spool.recovery).toEqual({ pending: 3, adopted: 1, discardedBytes: 20 });
    expect(bodies(await spool.readPending(ALL))).toEqual(['{"n":0}', '{"n":1}', '{"n":2}']);
    expect((await fs.stat(file)).size).toBe(256 + 57 * 3);
    await spool.close();
  });

  it('cuts off a zero-filled tail', async () => {
    const { file, spool } = await openNew();
    await spool.append([entry(0)]);
    await spool.close();
    await fs.appendFile(file, Buffer.alloc(4096));
    const reopened = await Spool.open({ path: file });
    expect(reopened.recovery).toEqual({ pending: 1, adopted: 0, discardedBytes: 4096 });
    await reopened.close();
  });

  it('starts afresh when the crash came while the file was being created', async () => {
    const file = path.join(temporaryDirectory(), 'audit.spool');
    await fs.writeFile(file, Buffer.alloc(100));
    const spool = await Spool.open({ path: file });
    expect(spool.recovery).toEqual({ pending: 0, adopted: 0, discardedBytes: 100 });
    await spool.append([entry(0)]);
    expect(spool.pendingCount).toBe(1);
    await spool.close();
  });

  it('falls back to the older header slot when the newer one is torn', async () => {
    const { file, spool } = await openNew();
    await spool.append([entry(0)]); // generation 2, slot A
    await spool.append([entry(1)]); // generation 3, slot B
    await spool.close();
    const bytes = await fs.readFile(file);
    bytes[128 + 50] = (bytes[128 + 50] as number) ^ 0xff;
    await fs.writeFile(file, bytes);
    const reopened = await Spool.open({ path: file });
    expect(reopened.recovery).toEqual({ pending: 2, adopted: 1, discardedBytes: 0 });
    expect(bodies(await reopened.readPending(ALL))).toEqual(['{"n":0}', '{"n":1}']);
    await reopened.close();
  });
});

describe('a file changed while the spool is open', () => {
  it('is detected when the changed record is read for replay', async () => {
    const { file, spool } = await openNew();
    await spool.append([0, 1].map((n) => entry(n)));
    const handle = await fs.open(file, 'r+');
    await handle.write(Buffer.from('9'), 0, 1, 313 + 8 + 15);
    await handle.close();
    const reading = spool.readPending(ALL);
    await expect(reading).rejects.toBeInstanceOf(SpoolCorruptError);
    await expect(reading).rejects.toThrow(
      `spool ${file} is corrupt at byte 313 (record 1): record 1 no longer verifies (bad-checksum): the file was changed while in use; nothing in it is replayed`,
    );
    await spool.close();
  });
});

describe('the lock beside the spool', () => {
  it('keeps a second Spool in this process from opening the file', async () => {
    const { file, spool } = await openNew();
    await expect(Spool.open({ path: file })).rejects.toEqual(
      new SpoolInUseError(file, process.pid),
    );
    await expect(Spool.open({ path: file })).rejects.toThrow(
      `spool ${file} is in use by this process already: give each producer its own spool file`,
    );
    await spool.close();
  });

  it('keeps a Spool from opening a file another running process holds', async () => {
    const file = path.join(temporaryDirectory(), 'audit.spool');
    await fs.writeFile(`${file}.lock`, `${process.ppid}\n`);
    await expect(Spool.open({ path: file })).rejects.toThrow(
      `spool ${file} is in use by process ${process.ppid}: give each producer its own spool file`,
    );
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const file = path.join(temporaryDirectory(), 'audit.spool');
    await fs.writeFile(`${file}.lock`, '999999999\n');
    const spool = await Spool.open({ path: file });
    expect((await fs.readFile(`${file}.lock`, 'utf8')).trim()).toBe(String(process.pid));
    await spool.close();
  });

  it('is released on close, so the spool can be opened again', async () => {
    const { file, spool } = await openNew();
    await spool.close();
    await expect(fs.access(`${file}.lock`)).rejects.toThrow();
    await (await Spool.open({ path: file })).close();
  });
});
