import fc from 'fast-check';
import type { TableClient } from '@azure/data-tables';
import { encodeRecord, type AuditRecord } from '../../src/pipeline/record';
import type { AuditEvent } from '../../src/schema/types';
import {
  RECORD_CHUNK_UNITS,
  recordBytesOf,
  toHotEntity,
  type HotEntity,
} from '../../src/store/hot-entity';
import { recordLeafHash } from '../../src/pipeline/record';
import { writeNewRows } from '../../src/store/table-batch';
import { freshStorage } from '../support/storage';
import { testEvent } from '../support/events';

const recordWith = (statement: string, n = 1): AuditRecord => ({
  v: 1,
  event: testEvent(n, { statement }) as unknown as AuditEvent,
  derived: {
    statementKind: 'SELECT',
    statementKindDerived: true,
    fingerprintId: '0123456789abcdef',
  },
  log: { partition: '0', index: n, sequenceNumber: n, enqueuedTime: '2026-11-26T10:00:00.000Z' },
});

function rowOf(bytes: Buffer, n = 1): HotEntity {
  const record = JSON.parse(bytes.toString('utf8')) as AuditRecord;
  return toHotEntity(
    'acme|2026112610',
    String(n).padStart(6, '0'),
    record,
    bytes,
    recordLeafHash(bytes),
  ).entity;
}

const chunksOf = (entity: HotEntity): unknown[] =>
  Array.from({ length: Number(entity.recordChunks) }, (_, i) => entity[`r${i}`]);

describe('the record in a hot-store row', () => {
  it('travels as its canonical text, in one property when it fits', () => {
    const bytes = encodeRecord(recordWith('SELECT 1'));
    const entity = rowOf(bytes);
    expect([entity.recordChunks, entity.r0, recordBytesOf(entity).equals(bytes)]).toEqual([
      1,
      bytes.toString('utf8'),
      true,
    ]);
  });

  it('splits long text below the property limit, never inside a surrogate pair, and reads back exactly', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
        fc.integer({ min: -4, max: 4 }),
        fc.integer({ min: 0, max: 2 }),
        (piece, shift, boundary) => {
          // The piece (often astral characters: surrogate pairs) is placed across a chunk boundary.
          const at = encodeRecord(recordWith('@@')).toString('utf8').indexOf('@@');
          const padding = Math.max(0, (boundary + 1) * RECORD_CHUNK_UNITS - at + shift);
          const bytes = encodeRecord(recordWith(`${'x'.repeat(padding)}${piece.repeat(4)}`));
          const entity = rowOf(bytes);
          const chunks = chunksOf(entity) as string[];
          for (const chunk of chunks) {
            const last = chunk.charCodeAt(chunk.length - 1);
            expect([
              typeof chunk,
              chunk.length <= RECORD_CHUNK_UNITS,
              last >= 0xd800 && last <= 0xdbff,
            ]).toEqual(['string', true, false]);
          }
          expect(recordBytesOf(entity).equals(bytes)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps bytes that are not UTF-8 in binary chunks, read back exactly', () => {
    const text = encodeRecord(recordWith('SELECT 1'));
    const bytes = Buffer.concat([
      text.subarray(0, 20),
      Buffer.from([0xc3, 0x28]),
      text.subarray(20),
    ]);
    const record = JSON.parse(text.toString('utf8')) as AuditRecord;
    const { entity } = toHotEntity(
      'acme|2026112610',
      '000001',
      record,
      bytes,
      recordLeafHash(bytes),
    );
    expect([entity.r0 instanceof Uint8Array, recordBytesOf(entity).equals(bytes)]).toEqual([
      true,
      true,
    ]);
  });

  it('reads rows written in the binary form', () => {
    const bytes = encodeRecord(recordWith('SELECT 1'));
    const half = Math.floor(bytes.length / 2);
    const row = {
      rowKey: 'r',
      recordChunks: 2,
      r0: bytes.subarray(0, half),
      r1: bytes.subarray(half),
    };
    expect(recordBytesOf(row).equals(bytes)).toBe(true);
  });

  it('round-trips through Table storage (Azurite), astral characters across a chunk boundary included', async () => {
    const { tables } = await freshStorage();
    const events: TableClient = tables.events;
    // The first text puts an astral character (a surrogate pair) exactly across the first chunk boundary.
    const at = encodeRecord(recordWith('@@', 0)).toString('utf8').indexOf('@@');
    const texts = [
      `${'x'.repeat(RECORD_CHUNK_UNITS - 1 - at)}😀😀 "quoted \\ text" ${'ü'.repeat(RECORD_CHUNK_UNITS)}`,
      'SELECT 1',
    ];
    const written = texts.map((text, n) => {
      const bytes = encodeRecord(recordWith(text, n));
      return { bytes, entity: rowOf(bytes, n) };
    });
    await writeNewRows(
      events,
      written.map(({ entity, bytes }) => ({
        action: ['upsert', entity, 'Replace'],
        bytes: 1024 + 2 * bytes.length,
      })),
    );
    const read = await Promise.all(
      written.map(({ entity }) => events.getEntity(entity.partitionKey, entity.rowKey)),
    );
    expect([
      read.map((entity) => Number(entity.recordChunks)),
      (read[0]?.r0 as string).length,
    ]).toEqual([[5, 1], RECORD_CHUNK_UNITS - 1]);
    expect(
      read.map((entity, i) => recordBytesOf(entity).equals(written[i]?.bytes ?? Buffer.alloc(0))),
    ).toEqual([true, true]);
  });
});
