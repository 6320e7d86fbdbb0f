/**
 * Link-address classification of the local Event Hubs endpoint (a local AMQP endpoint speaking
 * the Event Hubs protocol, not Azure).
 */
import { classifyAddress, requiredClaimPath } from '../../src/eventhubs-local/addresses';

describe('classifyAddress', () => {
  const cases: Array<[string | undefined, ReturnType<typeof classifyAddress>]> = [
    ['$cbs', { kind: 'cbs' }],
    ['$management', { kind: 'management' }],
    ['audit/$management', { kind: 'management' }],
    ['audit', { kind: 'hub' }],
    ['AUDIT', { kind: 'hub' }],
    ['amqps://ns.servicebus.windows.net/audit', { kind: 'hub' }],
    ['audit/Partitions/3', { kind: 'partition', partitionId: '3' }],
    [
      'audit/ConsumerGroups/$Default/Partitions/0',
      { kind: 'consumer-group', consumerGroup: '$default', partitionId: '0' },
    ],
    ['orders', { kind: 'unknown' }],
    ['audit/Partitions', { kind: 'unknown' }],
    ['audit/Subscriptions/x', { kind: 'unknown' }],
    ['', { kind: 'unknown' }],
    [undefined, { kind: 'unknown' }],
  ];
  for (const [address, expected] of cases) {
    it(`reads ${JSON.stringify(address)} as ${JSON.stringify(expected)}`, () => {
      expect(classifyAddress(address, 'audit')).toEqual(expected);
    });
  }
});

describe('requiredClaimPath', () => {
  it('asks for a claim on the hub to publish to it', () => {
    expect(requiredClaimPath({ kind: 'hub' }, 'Audit')).toBe('audit');
  });

  it('asks for a claim on the partition (or above) to publish to a partition', () => {
    expect(requiredClaimPath({ kind: 'partition', partitionId: '2' }, 'audit')).toBe(
      'audit/partitions/2',
    );
  });

  it('asks for a claim on <hub>/$management for management requests', () => {
    expect(requiredClaimPath({ kind: 'management' }, 'audit')).toBe('audit/$management');
  });

  it('asks for no claim to reach $cbs', () => {
    expect(requiredClaimPath({ kind: 'cbs' }, 'audit')).toBeUndefined();
  });
});
