import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { toBase64 } from '../../src/integrity';
import {
  ClaimedRecordMismatchError,
  proveConsistency,
  proveEvent,
  sealPartitions,
  type ConsistencyResult,
  type EventProofResult,
} from '../../src/seal';
import {
  PROOF_FORMAT,
  verifyConsistencyDocument,
  verifyProofDocument,
  type ProofDocument,
} from '../../src/verify';
import { ingestHarness, type Harness } from '../support/ingest-harness';
import { testBody } from '../support/events';

const T0 = new Date('2026-11-26T11:00:00.000Z');

const batchOf = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    sequenceNumber: from + i,
    body: testBody(from + i, { tenant: (from + i) % 2 === 0 ? 'globex' : 'acme' }),
  }));

let harness: Harness;

beforeAll(async () => {
  harness = await ingestHarness(undefined, undefined, { integrity: true });
  await harness.deliver('0', batchOf(0, 20));
  await sealPartitions(harness.integrity, T0);
  await harness.deliver('0', batchOf(20, 20));
  await sealPartitions(harness.integrity, new Date(T0.getTime() + 20_000));
  await harness.deliver('0', batchOf(40, 5));
});

function proved(result: EventProofResult): ProofDocument {
  if (result.status !== 'proved') throw new Error(`expected a proof, got ${result.status}`);
  return result.document;
}

describe('proveEvent', () => {
  it('proves an event against the latest checkpoint in one self-contained document', async () => {
    const document = proved(await proveEvent(harness.integrity, ['acme'], 'evt-000013'));
    expect({
      ...document,
      record: '…',
      leafHash: '…',
      inclusionProof: document.inclusionProof.length,
      checkpoint: '…',
    }).toEqual({
      format: PROOF_FORMAT,
      eventId: 'evt-000013',
      tenant: 'acme',
      region: 'default',
      partition: '0',
      logIndex: 13,
      record: '…',
      leafHash: '…',
      treeSize: 40,
      inclusionProof: 6,
      checkpoint: '…',
    });
  });

  it('gives a document that verifies offline, from a file, with only the public keys', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'mcp-audit-proof-'));
    const file = path.join(folder, 'proof.json');
    writeFileSync(
      file,
      JSON.stringify(proved(await proveEvent(harness.integrity, ['acme'], 'evt-000013'))),
    );
    writeFileSync(
      path.join(folder, 'jwks.json'),
      JSON.stringify(await harness.integrity.keys.publicJwks()),
    );
    const keys = JSON.parse(readFileSync(path.join(folder, 'jwks.json'), 'utf8'));
    const { record, checkpoint } = verifyProofDocument(
      JSON.parse(readFileSync(file, 'utf8')),
      keys,
    );
    expect([record.event.id, record.log.index, checkpoint.size, checkpoint.origin]).toEqual([
      'evt-000013',
      13,
      40,
      'sql-mcp-audit/default/0',
    ]);
  });

  it('answers not-sealed for an event past the latest checkpoint', async () => {
    expect(await proveEvent(harness.integrity, ['acme'], 'evt-000041')).toEqual({
      status: 'not-sealed',
      partition: '0',
      logIndex: 41,
      latestCheckpointSize: 40,
    });
  });

  it("does not find another tenant's event", async () => {
    expect(await proveEvent(harness.integrity, ['acme'], 'evt-000012')).toEqual({
      status: 'not-found',
    });
  });

  it('proves an event whose hot-store row is gone from its archive segment', async () => {
    const entity = await harness.clients.tables.events
      .listEntities({ queryOptions: { filter: "eventId eq 'evt-000007'" } })
      .next();
    await harness.clients.tables.events.deleteEntity(
      String(entity.value.partitionKey),
      String(entity.value.rowKey),
    );
    const document = proved(await proveEvent(harness.integrity, ['acme'], 'evt-000007'));
    expect(
      verifyProofDocument(document, await harness.integrity.keys.publicJwks()).record.log.index,
    ).toBe(7);
  });

  it('refuses to prove a record that is not the claimed event', async () => {
    const table = harness.clients.tables.events;
    const row = (
      await table.listEntities({ queryOptions: { filter: "eventId eq 'evt-000009'" } }).next()
    ).value;
    const other = (
      await table.listEntities({ queryOptions: { filter: "eventId eq 'evt-000011'" } }).next()
    ).value;
    const {
      partitionKey,
      rowKey,
      etag: _etag,
      timestamp: _timestamp,
      ...columns
    } = other as Record<string, unknown>;
    void partitionKey;
    void rowKey;
    await table.upsertEntity(
      { ...columns, partitionKey: row.partitionKey, rowKey: row.rowKey } as never,
      'Replace',
    );
    await expect(proveEvent(harness.integrity, ['acme'], 'evt-000009')).rejects.toThrow(
      ClaimedRecordMismatchError,
    );
  });
});

describe('proveConsistency', () => {
  function document(result: ConsistencyResult) {
    if (result.status !== 'proved') throw new Error(`expected a proof, got ${result.status}`);
    return result.document;
  }

  it('proves the latest checkpoint extends an earlier one, verifiable with only the keys', async () => {
    const proof = document(await proveConsistency(harness.integrity, '0', 20, undefined));
    const { from, to } = verifyConsistencyDocument(
      proof,
      await harness.integrity.keys.publicJwks(),
    );
    expect([from.size, to.size, proof.proof.length]).toEqual([20, 40, 5]);
  });

  it('names a size that has no checkpoint', async () => {
    expect(await proveConsistency(harness.integrity, '0', 21, 40)).toEqual({
      status: 'not-found',
      missingSize: 21,
    });
  });

  it('rejects a document whose proof was altered', async () => {
    const proof = document(await proveConsistency(harness.integrity, '0', 20, 40));
    const altered = { ...proof, proof: [toBase64(Buffer.alloc(32)), ...proof.proof.slice(1)] };
    expect(() => verifyConsistencyDocument(altered, { keys: [] })).toThrow(
      /^proof does not verify: from.checkpoint: checkpoint names key .+, which is not in the key set/,
    );
    const keys = await harness.integrity.keys.publicJwks();
    expect(() => verifyConsistencyDocument(altered, keys)).toThrow(
      /^proof does not verify: consistency proof: root1 mismatch: expected [0-9a-f]{64}, calculated [0-9a-f]{64}$/,
    );
  });
});
