import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { DeliveredEvent } from '../pipeline/delivered';

interface JournalLine {
  /** Sequence number. */
  s: number;
  /** Enqueued time, ISO 8601. */
  t: string;
  /** Partition key, when the event had one. */
  k?: string;
  /** Body, base64. */
  b: string;
}

/**
 * What makes the local hub durable like an Event Hub: each partition's numbered events are appended to
 * `<directory>/<partition>.jsonl` (and flushed to disk) before the ingest function sees them, so events a
 * host did not finish ingesting (it crashed, or stopped while storage failed) are redelivered with the same
 * sequence numbers, enqueued times and bytes at the next start. A redelivery rebuilds the same records and
 * finds its own identity claims, as an Event Hubs redelivery does; new events never reuse those numbers.
 *
 * One line of JSON per event. A torn last line (a crash during the append) is ignored: its batch never
 * reached the ingest function, and its sender was never answered.
 */
export class HubJournal {
  private readonly handles = new Map<string, Promise<FileHandle>>();

  private constructor(private readonly directory: string) {}

  static async open(directory: string): Promise<HubJournal> {
    await fs.mkdir(directory, { recursive: true, mode: 0o700 });
    return new HubJournal(directory);
  }

  private file(partitionId: string): string {
    return path.join(this.directory, `${partitionId}.jsonl`);
  }

  private handle(partitionId: string): Promise<FileHandle> {
    let handle = this.handles.get(partitionId);
    if (handle === undefined) {
      handle = fs.open(this.file(partitionId), 'a', 0o600);
      this.handles.set(partitionId, handle);
      handle.catch(() => this.handles.delete(partitionId));
    }
    return handle;
  }

  /** Appends a numbered batch and flushes it; resolves once it would survive a crash. */
  async append(partitionId: string, batch: readonly DeliveredEvent[]): Promise<void> {
    const text = batch
      .map((event) => {
        const line: JournalLine = {
          s: event.sequenceNumber,
          t: event.enqueuedTime.toISOString(),
          ...(event.partitionKey === undefined ? {} : { k: event.partitionKey }),
          b: Buffer.from(event.body).toString('base64'),
        };
        return `${JSON.stringify(line)}\n`;
      })
      .join('');
    const handle = await this.handle(partitionId);
    await handle.write(text);
    await handle.datasync();
  }

  /** Events of the partition numbered after `lastHandled`, in order (the ones to redeliver). */
  async pending(partitionId: string, lastHandled: number): Promise<DeliveredEvent[]> {
    let text: string;
    try {
      text = await fs.readFile(this.file(partitionId), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const events: DeliveredEvent[] = [];
    for (const raw of text.split('\n')) {
      if (raw === '') continue;
      let line: JournalLine;
      try {
        line = JSON.parse(raw) as JournalLine;
      } catch {
        continue; // the torn tail of an append that never completed
      }
      if (line.s <= lastHandled) continue;
      events.push({
        partitionId,
        sequenceNumber: line.s,
        offset: String(line.s),
        enqueuedTime: new Date(line.t),
        body: Buffer.from(line.b, 'base64'),
        ...(line.k === undefined ? {} : { partitionKey: line.k }),
      });
    }
    return events.sort((a, b) => a.sequenceNumber - b.sequenceNumber);
  }

  /** The highest sequence number the journal holds for the partition, or -1. */
  async highest(partitionId: string): Promise<number> {
    const events = await this.pending(partitionId, -1);
    return events[events.length - 1]?.sequenceNumber ?? -1;
  }

  /** Empties the partition's journal. Precondition: every event in it has been handled. */
  async clear(partitionId: string): Promise<void> {
    const handle = await this.handle(partitionId);
    await handle.truncate(0);
    await handle.datasync();
  }

  async close(): Promise<void> {
    const handles = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(
      handles.map(async (handle) => (await handle.catch(() => undefined))?.close()),
    );
  }
}
