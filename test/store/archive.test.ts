import { appendToSegment, readSegment } from '../../src/store/archive';
import { decodeSegment } from '../../src/store/segment-format';
import { freshStorage } from '../support/storage';

const rec = (logIndex: number) => ({ logIndex, bytes: Buffer.from(`{"i":${logIndex}}`) });
const indexesIn = (segment: Buffer) =>
  decodeSegment(segment).flatMap((f) =>
    f.records.map((r) => (JSON.parse(r.toString()) as { i: number }).i),
  );

describe('appendToSegment (Azurite)', () => {
  it('grows a block blob batch by batch without rewriting committed blocks', async () => {
    const { containers } = await freshStorage();
    await appendToSegment(containers.archive, { blobName: 't/0/a.seg', records: [rec(0), rec(1)] });
    await appendToSegment(containers.archive, { blobName: 't/0/a.seg', records: [rec(4), rec(7)] });
    const list = await containers.archive.getBlockBlobClient('t/0/a.seg').getBlockList('committed');
    expect(list.committedBlocks?.length).toBe(2);
    expect(indexesIn(await readSegment(containers.archive, 't/0/a.seg'))).toEqual([0, 1, 4, 7]);
  });

  it('does not archive a redelivered batch twice', async () => {
    const { containers } = await freshStorage();
    const append = { blobName: 'seg', records: [rec(10), rec(11)] };
    await appendToSegment(containers.archive, append);
    await appendToSegment(containers.archive, append);
    expect(indexesIn(await readSegment(containers.archive, 'seg'))).toEqual([10, 11]);
  });

  it('completes a partially archived batch with only the missing records', async () => {
    const { containers } = await freshStorage();
    await appendToSegment(containers.archive, { blobName: 'seg', records: [rec(0), rec(1)] });
    await appendToSegment(containers.archive, {
      blobName: 'seg',
      records: [rec(0), rec(1), rec(2), rec(3)],
    });
    expect(indexesIn(await readSegment(containers.archive, 'seg'))).toEqual([0, 1, 2, 3]);
  });

  it('keeps both writers blocks when two append concurrently', async () => {
    const { containers } = await freshStorage();
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        appendToSegment(containers.archive, { blobName: 'race', records: [rec(i * 10)] }),
      ),
    );
    expect(indexesIn(await readSegment(containers.archive, 'race'))).toEqual([
      0, 10, 20, 30, 40, 50,
    ]);
  });
});
