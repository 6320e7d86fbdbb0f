import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  appendLeaves,
  emptyFrontier,
  frontierToJson,
  hashCheckpointBody,
  parseCheckpoint,
  parseSignedNote,
  toBase64,
} from '../../src/integrity';
import { LocalKeyProvider } from '../../src/keys/local';
import type { KeyProvider, Signer } from '../../src/keys/types';
import {
  checkpointBlobName,
  listCheckpointRefs,
  readCheckpointHead,
  readCheckpointNote,
  sealPartitions,
  SealRefusedError,
  type SealOutcome,
} from '../../src/seal';
import { readLogState, writeLogState } from '../../src/store/log-state';
import { verifyCheckpointChain, type StoredCheckpoint } from '../../src/verify';
import { ingestHarness, type Harness } from '../support/ingest-harness';
import { testBody } from '../support/events';
import { seededLeafHashes } from '../integrity/support/trees';

const T0 = new Date('2026-11-26T11:00:00.000Z');
const later = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

const batchOf = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ sequenceNumber: from + i, body: testBody(from + i) }));

/** A key provider that counts its key operations. */
class CountingKeys implements Pick<KeyProvider, 'signer'> {
  signerCalls = 0;
  signatures = 0;
  constructor(private readonly inner: KeyProvider) {}
  async signer(): Promise<Signer> {
    this.signerCalls++;
    const signer = await this.inner.signer();
    return {
      ...signer,
      sign: async (data) => {
        this.signatures++;
        return signer.sign(data);
      },
    };
  }
}

function newKeys(): LocalKeyProvider {
  return new LocalKeyProvider(mkdtempSync(path.join(tmpdir(), 'mcp-audit-seal-keys-')));
}

async function harnessWith(keys = newKeys()): Promise<Harness & { keys: LocalKeyProvider }> {
  return { ...(await ingestHarness(undefined, undefined, { integrity: true, keys })), keys };
}

function summary(outcomes: SealOutcome[]): unknown[] {
  return outcomes.map((o) =>
    o.status === 'sealed'
      ? [o.partition, o.status, o.size, o.previousSize]
      : o.status === 'unchanged'
        ? [o.partition, o.status, o.size]
        : [o.partition, o.status, o.error.message],
  );
}

async function storedCheckpoints(harness: Harness, partition: string): Promise<StoredCheckpoint[]> {
  const stored: StoredCheckpoint[] = [];
  const { checkpoints } = harness.integrity.stores;
  for await (const ref of listCheckpointRefs(checkpoints, harness.integrity.log, partition)) {
    const note = await readCheckpointNote(checkpoints, harness.integrity.log, partition, ref.size);
    stored.push({ name: ref.name, nameSize: ref.size, note: note as string });
  }
  return stored;
}

describe('sealPartitions', () => {
  it('signs a checkpoint for every partition whose log grew, and nothing for the others', async () => {
    const harness = await harnessWith();
    await harness.deliver('0', batchOf(0, 30));
    await harness.deliver('1', batchOf(100, 5));
    expect(summary(await sealPartitions(harness.integrity, T0))).toEqual([
      ['0', 'sealed', 30, undefined],
      ['1', 'sealed', 5, undefined],
    ]);
    await harness.deliver('1', batchOf(105, 5));
    expect(summary(await sealPartitions(harness.integrity, later(20)))).toEqual([
      ['0', 'unchanged', 30],
      ['1', 'sealed', 10, 5],
    ]);
  });

  it('is idempotent: sealing again without new events signs nothing', async () => {
    const harness = await harnessWith();
    await harness.deliver('0', batchOf(0, 12));
    await sealPartitions(harness.integrity, T0);
    expect(summary(await sealPartitions(harness.integrity, later(20)))).toEqual([
      ['0', 'unchanged', 12],
    ]);
    expect((await storedCheckpoints(harness, '0')).map((c) => c.nameSize)).toEqual([12]);
  });

  it('writes the checkpoint once under its size, with the head naming the same note', async () => {
    const harness = await harnessWith();
    await harness.deliver('0', batchOf(0, 7));
    const [outcome] = await sealPartitions(harness.integrity, T0);
    const head = await readCheckpointHead(harness.integrity.stores.state, '0');
    const blob = checkpointBlobName(harness.integrity.log, '0', 7);
    const stored = await readCheckpointNote(
      harness.integrity.stores.checkpoints,
      harness.integrity.log,
      '0',
      7,
    );
    expect([
      blob,
      head?.size,
      head?.note === stored,
      outcome?.status === 'sealed' && outcome.note === stored,
    ]).toEqual(['default/0/0000000000000007.note', 7, true, true]);
  });

  it('chains each checkpoint to the previous one by the hash of its body', async () => {
    const harness = await harnessWith();
    await harness.deliver('0', batchOf(0, 10));
    await sealPartitions(harness.integrity, T0);
    await harness.deliver('0', batchOf(10, 10));
    await sealPartitions(harness.integrity, later(20));
    const [first, second] = await storedCheckpoints(harness, '0');
    const body1 = parseSignedNote(first!.note).text;
    const checkpoint2 = parseCheckpoint(parseSignedNote(second!.note).text);
    expect([parseCheckpoint(body1).previousHash, toBase64(checkpoint2.previousHash!)]).toEqual([
      undefined,
      toBase64(hashCheckpointBody(body1)),
    ]);
    const chain = await verifyCheckpointChain({
      partition: '0',
      origin: 'sql-mcp-audit/default/0',
      stored: await storedCheckpoints(harness, '0'),
      publicKeys: await harness.keys.publicJwks(),
      fromFirst: true,
    });
    expect([chain.verified.map((v) => v.checkpoint.size), chain.failures]).toEqual([[10, 20], []]);
  });

  it("never lets seal times go back, even when this host's clock is behind", async () => {
    const harness = await harnessWith();
    await harness.deliver('0', batchOf(0, 3));
    await sealPartitions(harness.integrity, later(60));
    await harness.deliver('0', batchOf(3, 3));
    await sealPartitions(harness.integrity, T0);
    const times = (await storedCheckpoints(harness, '0')).map((c) =>
      parseCheckpoint(parseSignedNote(c.note).text).time.toISOString(),
    );
    expect(times).toEqual(['2026-11-26T11:01:00.000Z', '2026-11-26T11:01:00.000Z']);
  });

  it('lets two sealers race: one signs, the other finds the log unchanged, and the chain does not fork', async () => {
    const harness = await harnessWith();
    await harness.deliver('0', batchOf(0, 40));
    await sealPartitions(harness.integrity, T0);
    await harness.deliver('0', batchOf(40, 40));
    const [a, b] = await Promise.all([
      sealPartitions(harness.integrity, later(20)),
      sealPartitions(harness.integrity, later(21)),
    ]);
    expect([...summary(a), ...summary(b)].map((row) => (row as unknown[])[1]).sort()).toEqual([
      'sealed',
      'unchanged',
    ]);
    const chain = await verifyCheckpointChain({
      partition: '0',
      origin: 'sql-mcp-audit/default/0',
      stored: await storedCheckpoints(harness, '0'),
      publicKeys: await harness.keys.publicJwks(),
      fromFirst: true,
      head: (await readCheckpointHead(harness.integrity.stores.state, '0'))!.note,
    });
    expect([chain.verified.map((v) => v.checkpoint.size), chain.failures]).toEqual([[40, 80], []]);
  });

  it('rolls a head forward whose note blob a crashed sealer did not write', async () => {
    const harness = await harnessWith();
    await harness.deliver('0', batchOf(0, 9));
    await sealPartitions(harness.integrity, T0);
    await harness.integrity.stores.checkpoints.deleteBlob(
      checkpointBlobName(harness.integrity.log, '0', 9),
    );
    expect(summary(await sealPartitions(harness.integrity, later(20)))).toEqual([
      ['0', 'unchanged', 9],
    ]);
    expect((await storedCheckpoints(harness, '0')).map((c) => c.nameSize)).toEqual([9]);
  });

  it('refuses to sign a frontier the stored tiles do not give', async () => {
    const harness = await harnessWith();
    await harness.deliver('0', batchOf(0, 16));
    const state = await readLogState(harness.clients.tables.state, '0');
    const forged = appendLeaves(emptyFrontier(), seededLeafHashes(16, 1)).frontier;
    await writeLogState(harness.clients.tables.state, state, {
      ...state,
      frontier: JSON.stringify(frontierToJson(forged)),
    });
    const [outcome] = await sealPartitions(harness.integrity, T0);
    expect(outcome?.status === 'failed' && outcome.error).toBeInstanceOf(SealRefusedError);
    expect(outcome?.status === 'failed' && outcome.error.message).toMatch(
      /^partition 0: refusing to seal: the tiles give root \S+ for 16 leaves, the frontier \S+$/,
    );
  });

  it('refuses a log state that went back behind its last checkpoint', async () => {
    const harness = await harnessWith();
    await harness.deliver('0', batchOf(0, 16));
    await sealPartitions(harness.integrity, T0);
    const state = await readLogState(harness.clients.tables.state, '0');
    await writeLogState(harness.clients.tables.state, state, {
      ...state,
      nextIndex: 8,
      frontier: JSON.stringify(
        frontierToJson(appendLeaves(emptyFrontier(), seededLeafHashes(8, 2)).frontier),
      ),
    });
    const [outcome] = await sealPartitions(harness.integrity, later(20));
    expect(outcome?.status === 'failed' && outcome.error.message).toBe(
      'partition 0: refusing to seal: the log state has 8 leaves but checkpoint 16 was signed: the state was rolled back',
    );
  });

  it('signs with the new key after a rotation, and the chain verifies with both keys', async () => {
    const harness = await harnessWith();
    await harness.deliver('0', batchOf(0, 5));
    await sealPartitions(harness.integrity, T0);
    const rotated = await harness.keys.rotate();
    await harness.deliver('0', batchOf(5, 5));
    const [outcome] = await sealPartitions(harness.integrity, later(20));
    expect(outcome?.status === 'sealed' && outcome.keyId).toBe(rotated.keyId);
    const chain = await verifyCheckpointChain({
      partition: '0',
      origin: 'sql-mcp-audit/default/0',
      stored: await storedCheckpoints(harness, '0'),
      publicKeys: await harness.keys.publicJwks(),
      fromFirst: true,
    });
    expect([new Set(chain.verified.map((v) => v.checkpoint.keyId)).size, chain.failures]).toEqual([
      2,
      [],
    ]);
  });

  it('uses one signer lookup and one signature per grown partition, whatever the number of events', async () => {
    const counts: [number, number][] = [];
    for (const events of [3, 300]) {
      const harness = await harnessWith();
      const keys = new CountingKeys(harness.keys);
      await harness.deliver('0', batchOf(0, events));
      await harness.deliver('1', batchOf(1000, events));
      await sealPartitions({ ...harness.integrity, keys }, T0);
      await sealPartitions({ ...harness.integrity, keys }, later(20));
      counts.push([keys.signerCalls, keys.signatures]);
    }
    expect(counts).toEqual([
      [1, 2],
      [1, 2],
    ]);
  });
});
