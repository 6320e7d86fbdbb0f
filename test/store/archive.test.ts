import { appendToSegment, readSegment } from '../../src/store/archive';
import { RestError } from '@azure/core-rest-pipeline';
import { blockIdFor, decodeSegment, encodeFrame } from '../../src/store/segment-format';
import { freshStorage, TestTransport } from '../support/storage';

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

  it('appends to a segment it committed last with two requests: the list it left stands for the read', async () => {
    const transport = new TestTransport();
    const { containers } = await freshStorage(transport);
    const methods: string[] = [];
    transport.beforeRequest = (_ordinal, request) => {
      const url = new URL(request.url);
      methods.push(`${request.method} ${url.searchParams.get('comp') ?? ''}`);
    };
    await appendToSegment(containers.archive, { blobName: 'seg', records: [rec(0)] });
    const first = methods.splice(0);
    await appendToSegment(containers.archive, { blobName: 'seg', records: [rec(1)] });
    expect([first, methods]).toEqual([
      ['PUT block', 'GET blocklist', 'PUT blocklist'],
      ['PUT block', 'PUT blocklist'],
    ]);
    expect(indexesIn(await readSegment(containers.archive, 'seg'))).toEqual([0, 1]);
  });

  it('reads the list again when another writer committed since its own last commit', async () => {
    const ours = await freshStorage();
    const theirs = ours.blobService
      .getContainerClient(ours.containers.archive.containerName)
      .getBlockBlobClient('seg');
    await appendToSegment(ours.containers.archive, { blobName: 'seg', records: [rec(0)] });
    // A second host (its own clients) appends block 5-5 behind this process's back.
    const frame = encodeFrame([rec(5)]);
    await theirs.stageBlock(blockIdFor(5, 5), frame, frame.length);
    const list = await theirs.getBlockList('committed');
    await theirs.commitBlockList([
      ...(list.committedBlocks ?? []).map((b) => b.name),
      blockIdFor(5, 5),
    ]);
    await appendToSegment(ours.containers.archive, { blobName: 'seg', records: [rec(9)] });
    expect(indexesIn(await readSegment(ours.containers.archive, 'seg'))).toEqual([0, 5, 9]);
  });

  it.each([412, 404])(
    'writes the segment anew when it was deleted after its own last commit (commit refused with %i)',
    async (status) => {
      // The emulator refuses a commit conditioned on a deleted blob's ETag with 412; a 404 is answered at
      // the transport seam, for a service that reports the missing blob instead.
      const transport = new TestTransport();
      const { containers } = await freshStorage(transport);
      await appendToSegment(containers.archive, { blobName: 'seg', records: [rec(0)] });
      await containers.archive.getBlockBlobClient('seg').delete();
      let refused = 0;
      transport.beforeRequest = (_ordinal, request) => {
        if (status === 404 && request.url.includes('comp=blocklist') && request.method === 'PUT') {
          if (refused++ === 0)
            throw new RestError('The specified blob does not exist.', { statusCode: 404 });
        }
      };
      await appendToSegment(containers.archive, { blobName: 'seg', records: [rec(1)] });
      expect([indexesIn(await readSegment(containers.archive, 'seg')), refused > 0]).toEqual([
        [1],
        status === 404,
      ]);
    },
  );

  it('still skips a redelivered batch after its own commit (a skip is decided on a fresh read)', async () => {
    const transport = new TestTransport();
    const { containers } = await freshStorage(transport);
    await appendToSegment(containers.archive, { blobName: 'seg', records: [rec(0), rec(1)] });
    const before = transport.attempts;
    await appendToSegment(containers.archive, { blobName: 'seg', records: [rec(0), rec(1)] });
    // Stage, read, and no commit.
    expect(transport.attempts - before).toBe(2);
    expect(indexesIn(await readSegment(containers.archive, 'seg'))).toEqual([0, 1]);
  });
});
