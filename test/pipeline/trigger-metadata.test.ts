import { deliveredFromTrigger, TriggerMetadataError } from '../../src/pipeline/trigger-metadata';

const metadata = {
  partitionContext: { partitionId: '2' },
  sequenceNumberArray: [10, 11],
  offsetArray: ['100', '200'],
  enqueuedTimeUtcArray: ['2026-11-26T10:00:00Z', '2026-11-26T10:00:01Z'],
  partitionKeyArray: ['acme', null],
};

describe('deliveredFromTrigger', () => {
  it('pairs each message with its coordinates', () => {
    const delivered = deliveredFromTrigger([Buffer.from('a'), 'b'], metadata);
    expect(
      delivered.map((d) => [
        Buffer.from(d.body).toString(),
        d.partitionId,
        d.sequenceNumber,
        d.offset,
        d.partitionKey,
      ]),
    ).toEqual([
      ['a', '2', 10, '100', 'acme'],
      ['b', '2', 11, '200', undefined],
    ]);
    expect(delivered[1]?.enqueuedTime.toISOString()).toBe('2026-11-26T10:00:01.000Z');
  });

  it('turns already-parsed JSON back into bytes', () => {
    const [delivered] = deliveredFromTrigger([{ a: 1 }], {
      ...metadata,
      sequenceNumberArray: [1],
      offsetArray: ['1'],
      enqueuedTimeUtcArray: ['2026-11-26T10:00:00Z'],
    });
    expect(Buffer.from(delivered?.body ?? []).toString()).toBe('{"a":1}');
  });

  it('names a missing metadata array', () => {
    expect(() => deliveredFromTrigger(['a'], { partitionContext: { partitionId: '0' } })).toThrow(
      new TriggerMetadataError('sequenceNumberArray is missing'),
    );
  });

  it('refuses metadata whose length does not match the messages', () => {
    expect(() => deliveredFromTrigger(['a'], metadata)).toThrow(
      'Event Hubs trigger metadata: sequenceNumberArray has 2 entries for 1 messages',
    );
  });

  it('refuses a missing partition id', () => {
    expect(() => deliveredFromTrigger(['a', 'b'], { ...metadata, partitionContext: {} })).toThrow(
      'Event Hubs trigger metadata: partitionContext.partitionId is missing',
    );
  });
});
