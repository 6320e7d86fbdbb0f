import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { types } from '@pulumi/azure-native';
import {
  AZURE_POLICY_LIMITS,
  CHECKPOINT_RULE_NAME,
  generateAzureManagementPolicy,
  loadRetentionPolicy,
  shippedRetentionPolicy,
  validateAzureManagementPolicy,
  type AzureManagementPolicy,
} from '../../lifecycle';
import { DATA_DIR, applyEdits, fixturePolicyJson } from './fixtures';

const GOLDEN = join(DATA_DIR, 'management-policy.golden.json');

describe('generateAzureManagementPolicy for the shipped policy', () => {
  const generated = generateAzureManagementPolicy(shippedRetentionPolicy());

  it('equals the golden file test/data/lifecycle/management-policy.golden.json', () => {
    // Regenerate after an intended policy change with UPDATE_GOLDEN=1, then review the diff.
    if (process.env.UPDATE_GOLDEN === '1') {
      writeFileSync(GOLDEN, `${JSON.stringify(generated, null, 2)}\n`);
    }
    expect(generated).toEqual(JSON.parse(readFileSync(GOLDEN, 'utf8')));
  });

  it('passes the management policy validator', () => {
    expect(validateAzureManagementPolicy(generated)).toBe(generated);
  });

  it('stays within Azure limits', () => {
    expect(generated.rules.length).toBeLessThanOrEqual(AZURE_POLICY_LIMITS.rules);
    for (const rule of generated.rules) {
      expect(rule.definition.filters.prefixMatch?.length ?? 0).toBeLessThanOrEqual(
        AZURE_POLICY_LIMITS.prefixesPerRule,
      );
      expect(rule.definition.filters.blobIndexMatch?.length ?? 0).toBeLessThanOrEqual(
        AZURE_POLICY_LIMITS.tagConditionsPerRule,
      );
    }
  });

  it('never deletes a blob tagged as held', () => {
    const heldRules = generated.rules.filter((rule) =>
      rule.definition.filters.blobIndexMatch?.some((tag) => tag.value.endsWith('.held')),
    );
    expect(heldRules.map((rule) => rule.name)).toEqual([
      'retentionStandardHeld',
      'retentionShortHeld',
      'retentionLongHeld',
    ]);
    expect(
      heldRules.filter((rule) => rule.definition.actions.baseBlob.delete !== undefined),
    ).toEqual([]);
  });

  it('deletes archive and dead-letter blobs only by their retention tag', () => {
    const deleting = generated.rules.filter(
      (rule) => rule.definition.actions.baseBlob.delete !== undefined,
    );
    for (const rule of deleting) {
      expect(rule.definition.filters.blobIndexMatch).toEqual([
        { name: 'retention', op: '==', value: expect.stringMatching(/^[a-z][a-z0-9]*$/) },
      ]);
    }
    expect(deleting.map((rule) => rule.name)).toEqual([
      'retentionStandard',
      'retentionShort',
      'retentionLong',
    ]);
  });

  it('keeps checkpoints forever and never sends them to Archive', () => {
    const checkpoints = generated.rules.find((rule) => rule.name === CHECKPOINT_RULE_NAME);
    expect(checkpoints?.definition).toEqual({
      filters: { blobTypes: ['blockBlob'], prefixMatch: ['audit-checkpoints/'] },
      actions: { baseBlob: { tierToCool: { daysAfterModificationGreaterThan: 30 } } },
    });
  });

  it('can be passed to Pulumi as ManagementPolicy args', () => {
    // A compile-time check first of all: tsc rejects this line if the shapes drift apart.
    const args: types.input.storage.ManagementPolicySchemaArgs = generated;
    expect(args.rules).toBe(generated.rules);
  });
});

describe('generateAzureManagementPolicy', () => {
  function ruleNames(policy: AzureManagementPolicy): string[] {
    return policy.rules.map((rule) => rule.name);
  }

  it('omits the held rule of a class that has no tiers', () => {
    const generated = generateAzureManagementPolicy(loadRetentionPolicy(fixturePolicyJson()));
    expect(ruleNames(generated)).toEqual([
      'retentionStandard',
      'retentionStandardHeld',
      'retentionShort',
      'retentionShortHeld',
      'retentionLong',
      'retentionLongHeld',
      'retentionEphemeral',
      'auditCheckpoints',
    ]);
    expect(generated.rules[6]?.definition.actions.baseBlob).toEqual({
      delete: { daysAfterModificationGreaterThan: 14 },
    });
  });

  it('leaves out checkpoint deletion while any legal hold is active', () => {
    const generated = generateAzureManagementPolicy(loadRetentionPolicy(fixturePolicyJson()));
    expect(generated.rules[7]?.definition.actions.baseBlob).toEqual({
      tierToCool: { daysAfterModificationGreaterThan: 30 },
    });
  });

  it('deletes checkpoints on schedule once every hold is released', () => {
    const json = fixturePolicyJson();
    applyEdits(json, { legalHolds: [] });
    const generated = generateAzureManagementPolicy(loadRetentionPolicy(json));
    expect(generated.rules[7]?.definition.actions.baseBlob).toEqual({
      tierToCool: { daysAfterModificationGreaterThan: 30 },
      delete: { daysAfterModificationGreaterThan: 3650 },
    });
  });

  it('generates no checkpoint rule when checkpoints neither tier nor expire', () => {
    const json = fixturePolicyJson();
    applyEdits(json, { 'checkpoints.tiers': {}, 'checkpoints.delete': null });
    const generated = generateAzureManagementPolicy(loadRetentionPolicy(json));
    expect(ruleNames(generated)).not.toContain(CHECKPOINT_RULE_NAME);
  });
});
