/**
 * How the deployment must agree with the retention policy (lifecycle/policy.json). The storage lifecycle
 * policy itself is not written in infra/: index.ts deploys lifecycle's generateAzureManagementPolicy.
 */
import type { RetentionPolicy } from '../lifecycle';
import { InfraConfigError, type InfraConfig } from './config';

/**
 * Archive segments are deleted by the lifecycle policy when their class's retention ends. A longer
 * immutability period would make those deletions fail until it ends, keeping data past its retention:
 * refuse such a configuration before anything is deployed.
 */
export function checkImmutabilityFitsRetention(
  immutability: InfraConfig['immutability'],
  policy: RetentionPolicy,
): void {
  if (immutability.mode === 'none') return;
  for (const [className, retentionClass] of Object.entries(policy.classes)) {
    if (immutability.retentionDays > retentionClass.delete.afterDays) {
      throw new InfraConfigError(
        'immutabilityDays',
        immutability.retentionDays,
        `must not exceed the retention of class "${className}" in lifecycle/policy.json ` +
          `(${retentionClass.delete.afterDays} days), or its archive segments could not be deleted on time`,
      );
    }
  }
}
