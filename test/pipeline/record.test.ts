import {
  encodeRecord,
  encodeRecordWithLeafHash,
  recordLeafHash,
  type AuditRecord,
} from '../../src/pipeline/record';
import { testEvent } from '../support/events';
import type { AuditEvent } from '../../src/schema/types';

function record(event: AuditEvent, index: number): AuditRecord {
  return {
    v: 1,
    event,
    derived: { statementKindDerived: false },
    log: {
      partition: '2',
      index,
      sequenceNumber: index + 7,
      enqueuedTime: '2026-11-26T10:00:00.000Z',
    },
  };
}

describe('record encoding', () => {
  it('gives the same bytes and leaf hash in one pass as encodeRecord and recordLeafHash', () => {
    for (let n = 0; n < 20; n++) {
      const value = record(testEvent(n) as unknown as AuditEvent, n);
      const { bytes, leafHash } = encodeRecordWithLeafHash(value);
      const expected = encodeRecord(value);
      expect(bytes.equals(expected)).toBe(true);
      expect(leafHash.equals(recordLeafHash(expected))).toBe(true);
    }
  });

  it('counts multi-byte characters when it sizes the buffer', () => {
    const event = testEvent(1) as unknown as AuditEvent;
    const value = record({ ...event, subject: 'Zürich – 東京 🙂' }, 3);
    const { bytes, leafHash } = encodeRecordWithLeafHash(value);
    expect(bytes.toString('utf8')).toBe(encodeRecord(value).toString('utf8'));
    expect(leafHash.toString('hex')).toBe(recordLeafHash(encodeRecord(value)).toString('hex'));
  });
});
