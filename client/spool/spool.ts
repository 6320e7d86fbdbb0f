import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SerialLane } from '../shared/serial-lane';
import { SpoolClosedError, SpoolCorruptError, SpoolFullError, SpoolWriteError } from './errors';
import { openSpoolFile, syncDirectory, writeFully, type SpoolFile } from './file';
import {
  DATA_START,
  decodePayload,
  encodePayload,
  encodeRecord,
  encodeSlot,
  genesisHash,
  RECORD_OVERHEAD,
  SLOT_SIZE,
  type SpoolHead,
} from './format';
import { lockSpool, type SpoolLock } from './lock';
import { readRecord, scanSpool } from './scan';

/** Default size bound of a spool file, header included. */
export const DEFAULT_SPOOL_MAX_BYTES = 64 * 1024 * 1024;

export interface SpoolOptions {
  /** The spool file; its folder is created when missing. */
  path: string;
  /** Size bound of the file in bytes, header included. Default 64 MiB. */
  maxBytes?: number;
  /**
   * What to do with a spool that does not verify. 'throw' (default): open fails with
   * SpoolCorruptError and the file is left as it is for inspection. 'quarantine': the file is
   * renamed to `<path>.corrupt-<time>`, the error is reported in `recovery.quarantined`, and a new
   * spool starts. Either way nothing from the corrupt file is replayed.
   */
  onCorrupt?: 'throw' | 'quarantine';
  /** Opens the file. Default: a Node file handle (openSpoolFile). */
  openFile?: (path: string) => Promise<SpoolFile>;
  /** Clock for quarantine names. Default the system clock. */
  now?: () => Date;
}

/** An event waiting in the spool: its partition key and its exact body. */
export interface SpoolEntry {
  partitionKey: string;
  body: Buffer;
}

/** A record read back for replay. Pass the last one replayed to acknowledge(). */
export interface SpooledRecord extends SpoolEntry {
  /** Position of the record in the spool, from 0 since the spool was last emptied. */
  index: number;
  /** Byte offset just past the record. */
  readonly end: number;
  /** Chain hash after the record. */
  readonly hash: Buffer;
}

/** What opening the spool found and repaired. */
export interface SpoolRecovery {
  /** Records waiting to be replayed. */
  pending: number;
  /** Complete records found after the last committed header (a crash between fsync and header update). */
  adopted: number;
  /** Bytes of an incomplete last record (a write cut short by a crash), cut off. */
  discardedBytes: number;
  /** Set when a corrupt spool was moved aside (onCorrupt 'quarantine'). */
  quarantined?: { path: string; error: SpoolCorruptError };
}

export type AppendResult = { ok: true; index: number } | { ok: false; error: SpoolFullError };

/**
 * An append-only, fsync'd file of events waiting for Event Hubs (format in ./format.ts).
 *
 * append() resolves only after the records and then the header committing them are on disk (two
 * datasyncs), so an appended event survives a crash of the process or the machine. A crash loses at
 * most the records of an append that had not resolved. Replay reads committed records in order,
 * re-verifying checksum and chain, and acknowledge() moves the replay point; once everything is
 * acknowledged, resetIfDrained() empties the file.
 *
 * Mutations run one at a time. A lock file beside the spool (`<path>.lock`) keeps a second Spool,
 * in this process or another, from opening the same file.
 */
export class Spool {
  private readonly lane = new SerialLane();
  private closed = false;

  private constructor(
    readonly path: string,
    readonly maxBytes: number,
    private readonly file: SpoolFile,
    private head: SpoolHead,
    private ackedHash: Buffer,
    readonly recovery: SpoolRecovery,
    private readonly lock: SpoolLock,
  ) {}

  /**
   * Opens (creating or recovering) the spool at `options.path`. Throws SpoolInUseError when another
   * Spool has it open, SpoolCorruptError when it does not verify (unless onCorrupt is 'quarantine').
   */
  static async open(options: SpoolOptions): Promise<Spool> {
    const maxBytes = options.maxBytes ?? DEFAULT_SPOOL_MAX_BYTES;
    if (!Number.isSafeInteger(maxBytes) || maxBytes < DATA_START + RECORD_OVERHEAD) {
      throw new RangeError(
        `spool maxBytes must be an integer of at least ${DATA_START + RECORD_OVERHEAD}, got ${maxBytes}`,
      );
    }
    const lock = await lockSpool(options.path);
    try {
      return await Spool.openLocked(options, maxBytes, lock);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  private static async openLocked(
    options: SpoolOptions,
    maxBytes: number,
    lock: SpoolLock,
  ): Promise<Spool> {
    const openFile = options.openFile ?? openSpoolFile;
    const file = await openFile(options.path);
    try {
      const scan = await scanSpool(file, options.path);
      if (scan.fresh) {
        const head = emptyHead(1);
        await file.truncate(0);
        const region = Buffer.alloc(DATA_START);
        encodeSlot(head).copy(region, (head.generation % 2) * SLOT_SIZE);
        await writeFully(file, region, 0);
        await file.datasync();
        return new Spool(
          options.path,
          maxBytes,
          file,
          head,
          head.headHash,
          { pending: 0, adopted: 0, discardedBytes: scan.discardedBytes },
          lock,
        );
      }
      let head = scan.head;
      if (scan.adopted > 0 || scan.discardedBytes > 0) {
        await file.truncate(scan.fileSize - scan.discardedBytes);
        await file.datasync();
        head = { ...head, generation: head.generation + 1 };
        await writeFully(file, encodeSlot(head), (head.generation % 2) * SLOT_SIZE);
        await file.datasync();
      }
      return new Spool(
        options.path,
        maxBytes,
        file,
        head,
        scan.ackedHash,
        {
          pending: head.recordCount - head.ackedCount,
          adopted: scan.adopted,
          discardedBytes: scan.discardedBytes,
        },
        lock,
      );
    } catch (error) {
      await file.close();
      if (!(error instanceof SpoolCorruptError) || options.onCorrupt !== 'quarantine') throw error;
      const stamp = (options.now ?? (() => new Date()))().toISOString().replace(/[:.]/g, '-');
      const quarantinePath = `${options.path}.corrupt-${stamp}`;
      await fs.rename(options.path, quarantinePath);
      await syncDirectory(path.dirname(options.path));
      const fresh = await Spool.openLocked({ ...options, onCorrupt: 'throw' }, maxBytes, lock);
      return new Spool(
        fresh.path,
        fresh.maxBytes,
        fresh.file,
        fresh.head,
        fresh.ackedHash,
        { ...fresh.recovery, quarantined: { path: quarantinePath, error } },
        lock,
      );
    }
  }

  /** Bytes the file takes: header and committed records. */
  get sizeBytes(): number {
    return DATA_START + this.head.dataLength;
  }

  /** Committed records not yet acknowledged. */
  get pendingCount(): number {
    return this.head.recordCount - this.head.ackedCount;
  }

  /**
   * Appends `entries` in order and makes them durable. An entry that would push the file past
   * maxBytes is not written and gets SpoolFullError; the others are written. Throws SpoolWriteError
   * when writing or syncing fails, in which case none of the entries is committed.
   */
  append(entries: readonly SpoolEntry[]): Promise<AppendResult[]> {
    return this.lane.run(async () => {
      this.assertOpen();
      const results: AppendResult[] = [];
      const chunks: Buffer[] = [];
      let { recordCount, dataLength, headHash } = this.head;
      for (const entry of entries) {
        const payload = encodePayload(entry.partitionKey, entry.body);
        const size = RECORD_OVERHEAD + payload.length;
        if (DATA_START + dataLength + size > this.maxBytes) {
          results.push({
            ok: false,
            error: new SpoolFullError(this.path, this.maxBytes, DATA_START + dataLength, size),
          });
          continue;
        }
        const record = encodeRecord(headHash, payload);
        chunks.push(record.bytes);
        headHash = record.hash;
        dataLength += size;
        results.push({ ok: true, index: recordCount });
        recordCount += 1;
      }
      if (chunks.length === 0) return results;
      await this.guarded('appending records', async () => {
        await writeFully(this.file, Buffer.concat(chunks), DATA_START + this.head.dataLength);
        await this.file.datasync();
      });
      await this.commit({ ...this.head, recordCount, dataLength, headHash });
      return results;
    });
  }

  /**
   * Reads up to `maxRecords` committed, unacknowledged records (and at most `maxBytes` of them, but
   * always one when any is waiting), in order, each checked against its checksum and the chain.
   * Throws SpoolCorruptError when the file changed under the spool.
   */
  async readPending(limits: { maxRecords: number; maxBytes: number }): Promise<SpooledRecord[]> {
    this.assertOpen();
    const head = this.head;
    const end = DATA_START + head.dataLength;
    const records: SpooledRecord[] = [];
    let position = DATA_START + head.ackedLength;
    let hash = this.ackedHash;
    let bytes = 0;
    for (let index = head.ackedCount; index < head.recordCount; index++) {
      if (records.length >= limits.maxRecords || (records.length > 0 && bytes >= limits.maxBytes)) {
        break;
      }
      const read = await readRecord(this.file, position, end, hash);
      const payload = read.kind === 'ok' ? decodePayload(read.payload) : read.kind;
      if (read.kind !== 'ok' || typeof payload === 'string') {
        throw new SpoolCorruptError(
          this.path,
          position,
          index,
          `record ${index} no longer verifies (${payload}): the file was changed while in use`,
        );
      }
      records.push({ ...payload, index, end: position + read.size, hash: read.hash });
      position += read.size;
      bytes += read.size;
      hash = read.hash;
    }
    return records;
  }

  /** Marks every record up to and including `last` as delivered. */
  acknowledge(last: SpooledRecord): Promise<void> {
    return this.lane.run(async () => {
      this.assertOpen();
      if (last.index < this.head.ackedCount) return;
      await this.commit({
        ...this.head,
        ackedCount: last.index + 1,
        ackedLength: last.end - DATA_START,
      });
      this.ackedHash = last.hash;
    });
  }

  /**
   * Empties the spool when every record is acknowledged: a new chain nonce is committed first, then
   * the records are cut off, so a crash in between leaves records that no longer chain and are
   * discarded at the next open. Resolves whether the spool is now empty.
   */
  resetIfDrained(): Promise<boolean> {
    return this.lane.run(async () => {
      this.assertOpen();
      if (this.head.ackedCount < this.head.recordCount) return false;
      if (this.head.recordCount === 0) return true;
      const fresh = emptyHead(this.head.generation);
      await this.commit(fresh);
      this.ackedHash = fresh.headHash;
      await this.guarded('emptying the spool', async () => {
        await this.file.truncate(DATA_START);
        await this.file.datasync();
      });
      return true;
    });
  }

  close(): Promise<void> {
    return this.lane.run(async () => {
      if (this.closed) return;
      this.closed = true;
      await this.file.close();
      await this.lock.release();
    });
  }

  /** Writes `next` as the following generation into its slot and syncs it. */
  private async commit(next: SpoolHead): Promise<void> {
    const head = { ...next, generation: this.head.generation + 1 };
    await this.guarded('committing the header', async () => {
      await writeFully(this.file, encodeSlot(head), (head.generation % 2) * SLOT_SIZE);
      await this.file.datasync();
    });
    this.head = head;
  }

  private async guarded(operation: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      throw new SpoolWriteError(this.path, operation, error);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new SpoolClosedError(this.path);
  }
}

function emptyHead(generation: number): SpoolHead {
  const nonce = randomBytes(16);
  return {
    generation,
    nonce,
    recordCount: 0,
    dataLength: 0,
    ackedCount: 0,
    ackedLength: 0,
    headHash: genesisHash(nonce),
  };
}

/** What inspectSpool found: a verified spool's counts, or the corruption. */
export type SpoolInspection =
  | {
      ok: true;
      records: number;
      acknowledged: number;
      pending: number;
      adopted: number;
      discardedBytes: number;
    }
  | { ok: false; error: SpoolCorruptError };

/**
 * Verifies a spool file without changing it: for an operator deciding what to do with a spool that
 * failed to open, or a quarantined one.
 */
export async function inspectSpool(file: string): Promise<SpoolInspection> {
  const handle = await fs.open(file, 'r');
  try {
    const scan = await scanSpool(handle, file);
    if (scan.fresh) {
      return {
        ok: true,
        records: 0,
        acknowledged: 0,
        pending: 0,
        adopted: 0,
        discardedBytes: scan.discardedBytes,
      };
    }
    return {
      ok: true,
      records: scan.head.recordCount,
      acknowledged: scan.head.ackedCount,
      pending: scan.head.recordCount - scan.head.ackedCount,
      adopted: scan.adopted,
      discardedBytes: scan.discardedBytes,
    };
  } catch (error) {
    if (error instanceof SpoolCorruptError) return { ok: false, error };
    throw error;
  } finally {
    await handle.close();
  }
}
