import {
  claimIdentities,
  findByEventId,
  identityRowKey,
  type IdentityClaim,
} from '../../src/store/identity-claims';
import { freshStorage } from '../support/storage';

const claim = (
  eventId: string,
  sequenceNumber: number,
  partitionId = '0',
  tenant = 'acme',
): IdentityClaim => ({
  tenant,
  eventId,
  source: 'mcp://sql/prod',
  partitionId,
  sequenceNumber,
  eventPartitionKey: `${tenant}|2026112610`,
  eventRowKey: `row-${partitionId}-${sequenceNumber}`,
});

describe('identity claims (Azurite)', () => {
  it('claims new identities', async () => {
    const { tables } = await freshStorage();
    expect(await claimIdentities(tables.ids, [claim('a', 1), claim('b', 2)])).toEqual([
      { status: 'claimed' },
      { status: 'claimed' },
    ]);
  });

  it('recognises a redelivery of the same event as its own claim', async () => {
    const { tables } = await freshStorage();
    await claimIdentities(tables.ids, [claim('a', 1)]);
    expect(await claimIdentities(tables.ids, [claim('a', 1), claim('c', 3)])).toEqual([
      { status: 'own' },
      { status: 'claimed' },
    ]);
  });

  it('reports a producer retry as a duplicate of the first delivery', async () => {
    const { tables } = await freshStorage();
    await claimIdentities(tables.ids, [claim('a', 1)]);
    expect(await claimIdentities(tables.ids, [claim('a', 9, '3')])).toEqual([
      {
        status: 'duplicate',
        original: {
          partitionId: '0',
          sequenceNumber: 1,
          eventPartitionKey: 'acme|2026112610',
          eventRowKey: 'row-0-1',
        },
      },
    ]);
  });

  it('scopes identities to their tenant', async () => {
    const { tables } = await freshStorage();
    await claimIdentities(tables.ids, [claim('a', 1, '0', 'acme')]);
    expect(await claimIdentities(tables.ids, [claim('a', 2, '0', 'globex')])).toEqual([
      { status: 'claimed' },
    ]);
  });

  it('handles more than one transaction of claims per tenant', async () => {
    const { tables } = await freshStorage();
    const many = Array.from({ length: 250 }, (_, i) => claim(`id-${i}`, i));
    await claimIdentities(tables.ids, many.slice(0, 120));
    const outcomes = await claimIdentities(tables.ids, many);
    expect(outcomes.filter((o) => o.status === 'own')).toHaveLength(120);
    expect(outcomes.filter((o) => o.status === 'claimed')).toHaveLength(130);
  });

  it('finds an event by its id alone', async () => {
    const { tables } = await freshStorage();
    await claimIdentities(tables.ids, [claim('needle', 7), claim('hay', 8)]);
    const found = await findByEventId(tables.ids, 'acme', 'needle');
    expect(found.map((f) => f.sequenceNumber)).toEqual([7]);
  });

  it('derives row keys free of characters Table keys forbid', () => {
    expect(identityRowKey('mcp://a/b?c#d', 'x/y\\z')).toMatch(/^[0-9a-f]{32}-[0-9a-f]{16}$/);
  });
});
