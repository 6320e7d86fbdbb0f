import fc from 'fast-check';
import {
  deadLetterBlobName,
  eventPartitionKey,
  eventRowKey,
  eventTimeOfRowKey,
  hourBucket,
  segmentBlobName,
} from '../../src/store/names';

const time = new Date('2026-11-26T09:05:07.123Z');

describe('storage key encoding', () => {
  it('buckets times by UTC hour', () => {
    expect(hourBucket(time)).toBe('2026112609');
  });

  it('buckets each time by its own hour however hours alternate', () => {
    const times = fc.sample(
      fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }),
      300,
    );
    for (const at of [...times, time, new Date(time.getTime() + 3_600_000), time]) {
      const iso = at.toISOString();
      expect(hourBucket(at)).toBe(
        iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13),
      );
      expect(segmentBlobName('t', '0', at, 'c')).toBe(
        `t/0/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}.c.seg`,
      );
    }
  });

  it('refuses an invalid date as toISOString does', () => {
    expect(() => hourBucket(new Date(Number.NaN))).toThrow(RangeError);
  });

  it('partitions the hot store by tenant and hour of event time', () => {
    expect(eventPartitionKey('acme', time)).toBe('acme|2026112609');
  });

  it('orders rows by event time, then partition, then sequence number, at fixed width', () => {
    expect(eventRowKey(time, '3', 42)).toBe('001795683907123|0003|0000000000000000042');
    const keys = [
      eventRowKey(new Date(time.getTime() + 1), '0', 0),
      eventRowKey(time, '10', 1),
      eventRowKey(time, '2', 9),
    ];
    expect([...keys].sort()).toEqual([keys[2], keys[1], keys[0]]);
  });

  it('reads the event time back from a row key, and refuses other keys', () => {
    expect(eventTimeOfRowKey(eventRowKey(time, '3', 42))).toBe(time.getTime());
    expect(() => eventTimeOfRowKey('tenant|2026112609')).toThrow('not a hot-store row key');
  });

  it('names archive segments by tenant, partition, enqueued hour and retention class', () => {
    expect(segmentBlobName('acme', '3', time, 'standard')).toBe(
      'acme/3/2026/11/26/09.standard.seg',
    );
  });

  it('names dead letters by tenant, hour and Event Hubs coordinates', () => {
    expect(deadLetterBlobName('_unknown', '1', 7, time)).toBe(
      '_unknown/2026/11/26/09/1-0000000000000000007.json',
    );
  });

  it('never produces a Table key with a forbidden character', () => {
    for (const key of [eventPartitionKey('a-b', time), eventRowKey(time, '0', 1)]) {
      // eslint-disable-next-line no-control-regex -- the forbidden characters include controls
      expect(key).not.toMatch(/[/\\#?\u0000-\u001f\u007f-\u009f]/);
    }
  });
});
