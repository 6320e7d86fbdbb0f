import { shippedRetentionPolicy } from '../../lifecycle';
import { InfraConfigError } from '../../infra/config';
import { checkImmutabilityFitsRetention } from '../../infra/lifecycle';

describe('checkImmutabilityFitsRetention', () => {
  const policy = shippedRetentionPolicy();
  const shortest = Math.min(
    ...Object.values(policy.classes).map((retentionClass) => retentionClass.delete.afterDays),
  );

  it('accepts an immutability period as long as the shortest retention class', () => {
    expect(() =>
      checkImmutabilityFitsRetention({ mode: 'time-based', retentionDays: shortest }, policy),
    ).not.toThrow();
  });

  it('refuses a period that outlives a retention class, naming the class', () => {
    const [className, retentionClass] = Object.entries(policy.classes).find(
      ([, candidate]) => candidate.delete.afterDays === shortest,
    ) as [string, { delete: { afterDays: number } }];
    expect(() =>
      checkImmutabilityFitsRetention(
        { mode: 'version-level', retentionDays: shortest + 1 },
        policy,
      ),
    ).toThrow(
      new InfraConfigError(
        'immutabilityDays',
        shortest + 1,
        `must not exceed the retention of class "${className}" in lifecycle/policy.json ` +
          `(${retentionClass.delete.afterDays} days), or its archive segments could not be deleted on time`,
      ),
    );
  });

  it('has nothing to check when the archive is mutable', () => {
    expect(() =>
      checkImmutabilityFitsRetention({ mode: 'none', retentionDays: 0 }, policy),
    ).not.toThrow();
  });
});
