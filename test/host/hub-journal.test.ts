import { appendFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HubJournal } from '../../src/host/hub-journal';
import type { DeliveredEvent } from '../../src/pipeline/delivered';

const AT = new Date('2025-06-02T10:00:00.000Z');
const delivered = (
  sequenceNumber: number,
  body: string,
  partitionKey?: string,
): DeliveredEvent => ({
  partitionId: '1',
  sequenceNumber,
  offset: String(sequenceNumber),
  enqueuedTime: AT,
  body: Buffer.from(body),
  ...(partitionKey === undefined ? {} : { partitionKey }),
});
const freshDir = (): string => path.join(mkdtempSync(path.join(tmpdir(), 'journal-')), 'hub');

describe('HubJournal', () => {
  it('gives back the events after the last handled sequence number, bytes and coordinates intact', async () => {
    const journal = await HubJournal.open(freshDir());
    await journal.append('1', [delivered(5, '{"a":1}', 'acme'), delivered(6, '\u00ff bytes')]);
    await journal.append('1', [delivered(7, 'c')]);
    expect(await journal.pending('1', 5)).toEqual([
      delivered(6, '\u00ff bytes'),
      delivered(7, 'c'),
    ]);
    expect(await journal.highest('1')).toBe(7);
    await journal.close();
  });

  it('keeps each partition apart, in files only the owner can read', async () => {
    const dir = freshDir();
    const journal = await HubJournal.open(dir);
    await journal.append('1', [delivered(0, 'one')]);
    expect([await journal.pending('2', -1), await journal.highest('2')]).toEqual([[], -1]);
    expect(statSync(path.join(dir, '1.jsonl')).mode & 0o777).toBe(0o600);
    await journal.close();
  });

  it('ignores a torn last line left by a crash during an append', async () => {
    const dir = freshDir();
    const journal = await HubJournal.open(dir);
    await journal.append('1', [delivered(0, 'whole')]);
    appendFileSync(path.join(dir, '1.jsonl'), '{"s":1,"t":"2025-06-02T1');
    expect(await journal.pending('1', -1)).toEqual([delivered(0, 'whole')]);
    await journal.close();
  });

  it('is empty after clear, and appends after it start afresh', async () => {
    const dir = freshDir();
    const journal = await HubJournal.open(dir);
    await journal.append('1', [delivered(0, 'a'), delivered(1, 'b')]);
    await journal.clear('1');
    await journal.append('1', [delivered(2, 'c')]);
    expect(await journal.pending('1', -1)).toEqual([delivered(2, 'c')]);
    expect(readFileSync(path.join(dir, '1.jsonl'), 'utf8').split('\n')).toHaveLength(2);
    await journal.close();
  });
});
