/**
 * The prod stack with version-level WORM instead of a container time-based retention policy.
 */
import { ofType, runProgram, stackConfig, type ProgramRun } from './harness';

let run: ProgramRun;

beforeAll(async () => {
  run = await runProgram('prod', {
    ...stackConfig('prod'),
    'sql-mcp-audit:immutabilityMode': 'version-level',
  });
}, 120_000);

it('turns on blob versioning in every audit account, and only there', () => {
  const versioned = ofType(run, 'storage:BlobServiceProperties').filter(
    (service) => service.inputs['isVersioningEnabled'],
  );
  const auditAccounts = ofType(run, 'storage:ManagementPolicy').map(
    (policy) => policy.inputs['accountName'],
  );
  expect(versioned.map((service) => service.inputs['accountName']).sort()).toEqual(
    [...auditAccounts].sort(),
  );
});

it('enables version-level immutability on the archive containers only', () => {
  const enabled = ofType(run, 'storage:BlobContainer')
    .filter((container) => container.inputs['immutableStorageWithVersioning']?.enabled === true)
    .map((container) => container.inputs['containerName']);
  expect(enabled).toEqual(['audit-archive', 'audit-archive']);
});

it('gives every archive container a default version-level policy of the configured days', () => {
  const policies = ofType(run, 'storage:BlobContainerImmutabilityPolicy');
  expect(
    policies.map((policy) => [
      policy.inputs['containerName'],
      policy.inputs['immutabilityPeriodSinceCreationInDays'],
    ]),
  ).toEqual([
    ['audit-archive', 90],
    ['audit-archive', 90],
  ]);
});
