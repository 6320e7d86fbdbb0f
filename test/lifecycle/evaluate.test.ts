import {
  AzureManagementPolicyError,
  evaluateLifecycle,
  generateAzureManagementPolicy,
  shippedRetentionPolicy,
  type AzureManagementPolicy,
  type BlobFacts,
  type BlobTier,
  type LifecycleAction,
  type RetentionPolicy,
} from '../../lifecycle';
import { DAY_MS, daysAfter, fixturePolicy, readData, segment } from './fixtures';

const shipped = shippedRetentionPolicy();
const golden = readData('management-policy.golden.json') as AzureManagementPolicy;
const fixture = fixturePolicy();

/** The hour segment 2026-01-01T00 is last written when its hour ends. */
const WRITTEN = new Date('2026-01-01T01:00:00Z');
const NAME = 'contoso/0/2026/01/01/00.seg';

function summary(actions: readonly LifecycleAction[]): string[] {
  return actions.map((a) =>
    a.blockedBy === undefined ? a.action : `${a.action} (blocked: ${a.blockedBy})`,
  );
}

function at(
  policy: RetentionPolicy | AzureManagementPolicy,
  blob: BlobFacts,
  days: number,
): string[] {
  return summary(evaluateLifecycle(policy, [blob], daysAfter(WRITTEN, days)));
}

/** A segment of `retention` class as it would be at `days`: in `tier` since `since` days. */
function agedSegment(retention: string, tier: BlobTier, since?: number): BlobFacts {
  return segment(NAME, WRITTEN, retention, {
    tier,
    ...(since === undefined ? {} : { tierChangedOn: daysAfter(WRITTEN, since) }),
  });
}

describe('evaluateLifecycle across every boundary', () => {
  // Each row: day, the tier the segment is in by then (and since when), the expected actions.
  const standardRows: [number, BlobTier, number | undefined, string[]][] = [
    [29, 'Hot', undefined, []],
    [30, 'Hot', undefined, []],
    [31, 'Hot', undefined, ['tierToCool']],
    [89, 'Cool', 31, []],
    [90, 'Cool', 31, []],
    [91, 'Cool', 31, ['tierToCold']],
    [179, 'Cold', 91, []],
    [180, 'Cold', 91, []],
    [181, 'Cold', 91, ['tierToArchive']],
    [2554, 'Archive', 181, []],
    [2555, 'Archive', 181, []],
    [2556, 'Archive', 181, ['delete']],
  ];
  const shortRows: [number, BlobTier, number | undefined, string[]][] = [
    [29, 'Hot', undefined, []],
    [30, 'Hot', undefined, []],
    [31, 'Hot', undefined, ['tierToCool']],
    [89, 'Cool', 31, []],
    [90, 'Cool', 31, []],
    [91, 'Cool', 31, ['delete']],
  ];
  const longRows: [number, BlobTier, number | undefined, string[]][] = [
    ...standardRows.slice(0, 9),
    [3649, 'Archive', 181, []],
    [3650, 'Archive', 181, []],
    [3651, 'Archive', 181, ['delete']],
  ];

  describe.each([
    ['standard', standardRows],
    ['short', shortRows],
    ['long', longRows],
  ] as const)('class %s', (className, rows) => {
    it.each(rows)('on day %i in %s (since day %s) does %j', (day, tier, since, expected) => {
      expect(at(shipped, agedSegment(className, tier, since), day)).toEqual(expected);
    });

    it.each(rows)(
      'on day %i in %s (since day %s) does %j from the golden JSON too',
      (day, tier, since, expected) => {
        expect(at(golden, agedSegment(className, tier, since), day)).toEqual(expected);
      },
    );
  });

  it('acts only strictly after the number of days', () => {
    const blob = agedSegment('standard', 'Hot');
    const thirtyDays = new Date(WRITTEN.getTime() + 30 * DAY_MS);
    expect(evaluateLifecycle(shipped, [blob], thirtyDays)).toEqual([]);
    expect(summary(evaluateLifecycle(shipped, [blob], new Date(thirtyDays.getTime() + 1)))).toEqual(
      ['tierToCool'],
    );
  });

  it('explains an action with the rule, the age and the threshold', () => {
    const [action] = evaluateLifecycle(
      shipped,
      [agedSegment('standard', 'Hot')],
      daysAfter(WRITTEN, 31),
    );
    expect(action).toEqual({
      blob: agedSegment('standard', 'Hot'),
      action: 'tierToCool',
      rule: 'retentionStandard',
      reason: 'retentionStandard: 31.00 days since last modification > 30',
    });
  });
});

describe('evaluateLifecycle over a whole life, one run a day', () => {
  function life(
    policy: RetentionPolicy | AzureManagementPolicy,
    retention: string,
    lastDay: number,
  ) {
    let blob: BlobFacts | undefined = segment(NAME, WRITTEN, retention);
    const events: [number, string][] = [];
    let charges = 0;
    for (let day = 1; day <= lastDay && blob !== undefined; day += 1) {
      const now = daysAfter(WRITTEN, day);
      const current: BlobFacts = blob;
      for (const action of evaluateLifecycle(policy, [current], now)) {
        if (action.blockedBy !== undefined) continue;
        events.push([day, action.action]);
        if (action.earlyDeletion !== undefined) charges += 1;
        const tiers = { tierToCool: 'Cool', tierToCold: 'Cold', tierToArchive: 'Archive' } as const;
        blob =
          action.action === 'delete'
            ? undefined
            : { ...current, tier: tiers[action.action], tierChangedOn: now };
      }
    }
    return { events, charges };
  }

  it.each([
    [
      'standard',
      2600,
      [
        [31, 'tierToCool'],
        [91, 'tierToCold'],
        [181, 'tierToArchive'],
        [2556, 'delete'],
      ],
    ],
    [
      'short',
      100,
      [
        [31, 'tierToCool'],
        [91, 'delete'],
      ],
    ],
    [
      'long',
      3700,
      [
        [31, 'tierToCool'],
        [91, 'tierToCold'],
        [181, 'tierToArchive'],
        [3651, 'delete'],
      ],
    ],
  ] as const)(
    'moves a %s segment on the expected days without early deletion',
    (retention, lastDay, expected) => {
      expect(life(golden, retention, lastDay)).toEqual({ events: expected, charges: 0 });
    },
  );
});

describe('evaluateLifecycle picks the cheapest due action', () => {
  it.each([
    [100, ['tierToCold']],
    [200, ['tierToArchive']],
    [2600, ['delete']],
  ])('on day %i a segment still in Hot gets only %j', (day, expected) => {
    expect(at(shipped, agedSegment('standard', 'Hot'), day)).toEqual(expected);
  });

  const overlapping: AzureManagementPolicy = {
    rules: [
      {
        name: 'coolEverything',
        enabled: true,
        type: 'Lifecycle',
        definition: {
          filters: { blobTypes: ['blockBlob'], prefixMatch: ['audit-archive/'] },
          actions: { baseBlob: { tierToCool: { daysAfterModificationGreaterThan: 10 } } },
        },
      },
      {
        name: 'deleteScratch',
        enabled: true,
        type: 'Lifecycle',
        definition: {
          filters: {
            blobTypes: ['blockBlob'],
            blobIndexMatch: [{ name: 'retention', op: '==', value: 'scratch' }],
          },
          actions: { baseBlob: { delete: { daysAfterCreationGreaterThan: 20 } } },
        },
      },
    ],
  };

  it('across rules: the expensive action while it is the only one due', () => {
    const [action] = evaluateLifecycle(
      overlapping,
      [agedSegment('scratch', 'Hot')],
      daysAfter(WRITTEN, 15),
    );
    expect([action?.rule, action?.action]).toEqual(['coolEverything', 'tierToCool']);
  });

  it('across rules: the cheaper action of another rule once it is due', () => {
    const [action] = evaluateLifecycle(
      overlapping,
      [agedSegment('scratch', 'Hot')],
      daysAfter(WRITTEN, 25),
    );
    expect(action?.rule).toBe('deleteScratch');
    expect(action?.reason).toBe('deleteScratch: 25.00 days since creation > 20');
  });

  it('counts creation and modification ages separately', () => {
    const rewritten = { ...agedSegment('scratch', 'Hot'), lastModified: daysAfter(WRITTEN, 8) };
    expect(at(overlapping, rewritten, 17)).toEqual([]);
    expect(at(overlapping, rewritten, 21)).toEqual(['delete']);
  });
});

describe('evaluateLifecycle selects blobs as Azure does', () => {
  it('never moves a blob to a warmer tier', () => {
    expect(at(shipped, agedSegment('standard', 'Archive', 0), 40)).toEqual([]);
    expect(at(shipped, agedSegment('standard', 'Cold', 0), 100)).toEqual([]);
  });

  it('leaves an untagged segment alone', () => {
    expect(at(shipped, segment(NAME, WRITTEN, undefined), 3000)).toEqual([]);
  });

  it('matches tag values case-sensitively', () => {
    expect(at(shipped, agedSegment('Standard', 'Hot'), 3000)).toEqual([]);
  });

  it('applies class rules to dead letters too', () => {
    const deadLetter = { ...agedSegment('short', 'Cool', 31), container: 'audit-deadletter' };
    expect(at(shipped, deadLetter, 91)).toEqual(['delete']);
  });

  it('does not apply class rules to other containers', () => {
    const elsewhere = { ...agedSegment('standard', 'Hot'), container: 'audit-archive2' };
    expect(at(shipped, elsewhere, 3000)).toEqual([]);
  });

  it('tiers checkpoints by the checkpoint rule only', () => {
    const checkpoint = {
      ...segment('000001.json', WRITTEN, undefined),
      container: 'audit-checkpoints',
    };
    expect(at(shipped, checkpoint, 31)).toEqual(['tierToCool']);
    expect(
      at(
        shipped,
        { ...checkpoint, tier: 'Cool' as const, tierChangedOn: daysAfter(WRITTEN, 31) },
        5000,
      ),
    ).toEqual([]);
  });

  it('ignores disabled rules', () => {
    const disabled = structuredClone(golden);
    for (const rule of disabled.rules) rule.enabled = false;
    expect(at(disabled, agedSegment('standard', 'Hot'), 3000)).toEqual([]);
  });

  it('refuses a management policy outside the mirrored subset', () => {
    const lastAccess = structuredClone(golden) as unknown as {
      rules: { definition: { actions: { baseBlob: Record<string, unknown> } } }[];
    };
    lastAccess.rules[0]!.definition.actions.baseBlob.tierToCool = {
      daysAfterLastAccessTimeGreaterThan: 30,
    };
    expect(() =>
      evaluateLifecycle(lastAccess as unknown as AzureManagementPolicy, [], WRITTEN),
    ).toThrow(AzureManagementPolicyError);
  });

  it('evaluates the generated policy: the retention policy and its management policy agree', () => {
    const blobs = (['standard', 'short', 'long', 'standard.held'] as const).flatMap((retention) =>
      (['Hot', 'Cool', 'Cold', 'Archive'] as const).map((tier) => agedSegment(retention, tier, 0)),
    );
    for (const day of [31, 91, 181, 400, 2556, 3651]) {
      const now = daysAfter(WRITTEN, day);
      expect(evaluateLifecycle(shipped, blobs, now)).toEqual(
        evaluateLifecycle(generateAzureManagementPolicy(shipped), blobs, now),
      );
    }
  });
});

describe('evaluateLifecycle and legal holds', () => {
  const ACME = 'acme/0/2026/01/01/00.seg';

  function held(tags: Record<string, string>, tier: BlobTier, since: number): BlobFacts {
    return segment(ACME, WRITTEN, undefined, {
      tags,
      tier,
      tierChangedOn: daysAfter(WRITTEN, since),
    });
  }

  it('reports the deletion a held tag prevents, naming the hold', () => {
    const blob = held({ retention: 'standard.held', legalhold: 'LH-acme' }, 'Archive', 181);
    expect(evaluateLifecycle(golden, [blob], daysAfter(WRITTEN, 2556))).toEqual([
      {
        blob,
        action: 'delete',
        rule: 'retentionStandard',
        reason: 'retentionStandard: 2556.00 days since last modification > 2555; held by LH-acme',
        blockedBy: 'legal-hold',
        legalHolds: ['LH-acme'],
      },
    ]);
  });

  it('keeps tiering a held blob', () => {
    const [action] = evaluateLifecycle(
      golden,
      [held({ retention: 'standard.held' }, 'Cool', 31)],
      daysAfter(WRITTEN, 200),
    );
    expect([action?.rule, action?.action, action?.blockedBy]).toEqual([
      'retentionStandardHeld',
      'tierToArchive',
      undefined,
    ]);
  });

  it('blocks the deletion and still performs the due move of a held blob', () => {
    const actions = evaluateLifecycle(
      golden,
      [held({ retention: 'standard.held' }, 'Cold', 91)],
      daysAfter(WRITTEN, 3000),
    );
    expect(summary(actions)).toEqual(['delete (blocked: legal-hold)', 'tierToArchive']);
    expect(actions[0]?.reason).toBe(
      'retentionStandard: 3000.00 days since last modification > 2555; held (retention=standard.held)',
    );
  });

  it('blocks a deletion the policy holds although the tags lag behind', () => {
    const blob = held({ retention: 'standard' }, 'Archive', 181);
    const actions = evaluateLifecycle(fixture, [blob], daysAfter(WRITTEN, 2556));
    expect(actions).toEqual([
      {
        blob,
        action: 'delete',
        rule: 'retentionStandard',
        reason:
          'retentionStandard: 2556.00 days since last modification > 2555; held by LH-acme, ' +
          'but the blob is not tagged retention=standard.held, so Azure would delete it',
        blockedBy: 'legal-hold',
        legalHolds: ['LH-acme'],
      },
    ]);
  });

  it('shows that Azure alone would delete a held blob whose tags lag behind', () => {
    const blob = held({ retention: 'standard' }, 'Archive', 181);
    expect(at(generateAzureManagementPolicy(fixture), blob, 2556)).toEqual(['delete']);
  });

  it('performs the held schedule while blocking the deletion of a lagging blob', () => {
    const blob = held({ retention: 'standard' }, 'Cold', 91);
    expect(at(fixture, blob, 3000)).toEqual(['delete (blocked: legal-hold)', 'tierToArchive']);
  });

  it('deletes once the hold is released', () => {
    const released = segment('initech/0/2026/01/01/00.seg', WRITTEN, 'standard', {
      tier: 'Archive',
      tierChangedOn: daysAfter(WRITTEN, 181),
    });
    expect(at(fixture, released, 2556)).toEqual(['delete']);
  });

  it('combines the holds named on the tag and the holds of the policy', () => {
    const blob = segment('acme/0/2026/03/01/00.seg', new Date('2026-03-01T01:00:00Z'), undefined, {
      tags: { retention: 'standard.held', legalhold: 'LH-acme' },
      tier: 'Archive',
    });
    const [action] = evaluateLifecycle(fixture, [blob], new Date('2033-06-01T00:00:00Z'));
    expect(action?.legalHolds).toEqual(['LH-acme', 'LH-march']);
  });
});

describe('evaluateLifecycle and early deletion', () => {
  const archivedRecently = agedSegment('standard', 'Archive', 2456);

  it('deletes and reports the charge by default, as Azure does', () => {
    const [action] = evaluateLifecycle(shipped, [archivedRecently], daysAfter(WRITTEN, 2556));
    expect(action).toEqual({
      blob: archivedRecently,
      action: 'delete',
      rule: 'retentionStandard',
      reason:
        'retentionStandard: 2556.00 days since last modification > 2555; ' +
        'early deletion from Archive after 100.00 of 180 days: 80.00 days charged',
      earlyDeletion: { tier: 'Archive', daysInTier: 100, minimumDays: 180, chargeableDays: 80 },
    });
  });

  it('defers the deletion when asked', () => {
    const [action] = evaluateLifecycle(shipped, [archivedRecently], daysAfter(WRITTEN, 2556), {
      earlyDeletion: 'defer',
    });
    expect(action?.blockedBy).toBe('early-deletion');
    expect(action?.reason).toBe(
      'retentionStandard: 2556.00 days since last modification > 2555; ' +
        'deferred: early deletion from Archive after 100.00 of 180 days',
    );
  });

  it('applies to moves out of Cool too', () => {
    const [action] = evaluateLifecycle(
      shipped,
      [agedSegment('standard', 'Cool', 85)],
      daysAfter(WRITTEN, 95),
    );
    expect([action?.action, action?.earlyDeletion]).toEqual([
      'tierToCold',
      { tier: 'Cool', daysInTier: 10, minimumDays: 30, chargeableDays: 20 },
    ]);
  });

  it('counts from creation for a blob written straight into its tier', () => {
    const [action] = evaluateLifecycle(
      shipped,
      [agedSegment('short', 'Cool')],
      daysAfter(WRITTEN, 91),
    );
    expect(action?.earlyDeletion).toBeUndefined();
    const uploadedLate = { ...agedSegment('short', 'Cool'), createdOn: daysAfter(WRITTEN, 80) };
    const [late] = evaluateLifecycle(shipped, [uploadedLate], daysAfter(WRITTEN, 91));
    expect(late?.earlyDeletion?.chargeableDays).toBe(19);
  });

  it('charges nothing once the minimum is reached exactly', () => {
    const [action] = evaluateLifecycle(
      shipped,
      [agedSegment('standard', 'Archive', 2376)],
      daysAfter(WRITTEN, 2556),
    );
    expect([action?.action, action?.earlyDeletion]).toEqual(['delete', undefined]);
  });
});
