/**
 * Partition-key routing of the local Event Hubs endpoint (a local AMQP endpoint speaking the
 * Event Hubs protocol, not Azure): lookup3 vectors, golden partitions, and agreement with the
 * mapper that ships inside @azure/event-hubs.
 */
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { partitionForKey } from '../../src/eventhubs-local';
import { lookup3HashLittle2 } from '../../src/eventhubs-local/partition-key';
import vectors from '../data/eventhubs-local/partition-keys.json';

interface PartitionKeyMapper {
  mapPartitionKeyToId(key: string, partitionCount: number): number;
}

/**
 * The SDK's own mapper, used by EventHubBufferedProducerClient. It is internal to the package,
 * hence the file path; it serves only as an oracle here.
 */
let sdkMapper: PartitionKeyMapper;
beforeAll(async () => {
  const sdkFolder = dirname(require.resolve('@azure/event-hubs'));
  sdkMapper = (await import(
    join(sdkFolder, 'impl', 'partitionKeyToIdMapper.js')
  )) as PartitionKeyMapper;
});

describe('lookup3HashLittle2', () => {
  for (const vector of vectors.hashVectors.vectors) {
    it(`matches lookup3.c: ${vector.description}`, () => {
      const { b, c } = lookup3HashLittle2(Buffer.from(vector.input, 'utf8'));
      expect({ c: c.toString(16).padStart(8, '0'), b: b.toString(16).padStart(8, '0') }).toEqual({
        c: vector.c,
        b: vector.b,
      });
    });
  }
});

describe('partitionForKey', () => {
  for (const vector of vectors.partitionVectors.vectors) {
    it(`routes ${vector.description} to partition ${vector.partitionId} of ${vector.partitionCount}`, () => {
      expect(partitionForKey(vector.key, vector.partitionCount)).toBe(vector.partitionId);
    });
  }

  it('agrees with the @azure/event-hubs mapper for arbitrary keys and partition counts', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 64 }),
        fc.integer({ min: 1, max: 1024 }),
        (key, count) => {
          expect(partitionForKey(key, count)).toBe(
            String(sdkMapper.mapPartitionKeyToId(key, count)),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses a partition count of 0', () => {
    expect(() => partitionForKey('k', 0)).toThrow(
      new RangeError('partitionCount must be an integer >= 1, got 0'),
    );
  });

  it('refuses a fractional partition count', () => {
    expect(() => partitionForKey('k', 2.5)).toThrow(
      new RangeError('partitionCount must be an integer >= 1, got 2.5'),
    );
  });
});
