/**
 * Tamper vectors (test/data/client/spool-tamper.json): every change to a committed spool is detected
 * on open, reported with where and why, and nothing is replayed.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { inspectSpool, Spool, SpoolCorruptError } from '../../../client';
import vectors from '../../data/client/spool-tamper.json';
import {
  fixtureSpool,
  mutate,
  rewrite,
  temporaryDirectory,
  type Mutation,
} from '../support/spool-fixture';

interface Vector {
  description: string;
  mutation: Mutation;
  offset: number;
  recordIndex: number | null;
  reason: string;
}

describe('the fixture the vectors are written against', () => {
  it('holds four 57-byte records after the 256-byte header', async () => {
    const file = await fixtureSpool(temporaryDirectory());
    expect((await readFile(file)).length).toBe(484);
    expect(await inspectSpool(file)).toEqual({
      ok: true,
      records: 4,
      acknowledged: 0,
      pending: 4,
      adopted: 0,
      discardedBytes: 0,
    });
  });
});

describe.each((vectors.vectors as Vector[]).map((v) => [v.description, v] as const))(
  'a spool with %s',
  (_description, vector) => {
    let file: string;
    beforeEach(async () => {
      file = await fixtureSpool(temporaryDirectory());
      await rewrite(file, (bytes) => mutate(bytes, vector.mutation));
    });

    it('fails to open with SpoolCorruptError naming the place and the reason', async () => {
      const opening = Spool.open({ path: file });
      await expect(opening).rejects.toBeInstanceOf(SpoolCorruptError);
      await expect(opening).rejects.toMatchObject({
        path: file,
        offset: vector.offset,
        recordIndex: vector.recordIndex ?? undefined,
        reason: vector.reason,
        message: `spool ${file} is corrupt at byte ${vector.offset}${vector.recordIndex === null ? '' : ` (record ${vector.recordIndex})`}: ${vector.reason}; nothing in it is replayed`,
      });
    });

    it('leaves the file untouched when refusing it', async () => {
      const before = await readFile(file);
      await Spool.open({ path: file }).catch(() => undefined);
      expect((await readFile(file)).equals(before)).toBe(true);
    });

    it('is reported by inspectSpool', async () => {
      const inspection = await inspectSpool(file);
      expect(inspection.ok ? 'verified' : inspection.error.reason).toBe(vector.reason);
    });

    it('is moved aside and replaced by an empty spool in quarantine mode', async () => {
      const spool = await Spool.open({
        path: file,
        onCorrupt: 'quarantine',
        now: () => new Date('2025-03-14T09:26:53.589Z'),
      });
      const quarantined = path.join(
        path.dirname(file),
        'fixture.spool.corrupt-2025-03-14T09-26-53-589Z',
      );
      expect(spool.recovery.quarantined?.path).toBe(quarantined);
      expect(spool.recovery.quarantined?.error.reason).toBe(vector.reason);
      expect(spool.pendingCount).toBe(0);
      expect(await spool.readPending({ maxRecords: 10, maxBytes: 1 << 20 })).toEqual([]);
      await spool.close();
      const kept = await inspectSpool(quarantined);
      expect(kept.ok ? 'verified' : kept.error.reason).toBe(vector.reason);
    });
  },
);
