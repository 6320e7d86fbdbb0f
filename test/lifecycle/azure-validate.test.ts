import {
  AzureManagementPolicyError,
  formatIssue,
  isValidContainerName,
  validateAzureManagementPolicy,
} from '../../lifecycle';
import { applyEdits, readData } from './fixtures';

interface InvalidVector {
  description: string;
  set?: Record<string, unknown>;
  unset?: string[];
  errors: string[];
}

const vectors = readData('azure-policy-invalid.json') as {
  base: { rules: unknown[] };
  vectors: InvalidVector[];
};

function baseRule(): Record<string, unknown> {
  return structuredClone(vectors.base.rules[0]) as Record<string, unknown>;
}

function issuesOf(policy: unknown): string[] {
  try {
    validateAzureManagementPolicy(policy);
  } catch (error) {
    if (error instanceof AzureManagementPolicyError) return error.issues.map(formatIssue);
    throw error;
  }
  throw new Error('the policy was accepted');
}

describe('validateAzureManagementPolicy', () => {
  it('accepts the base policy of the negative vectors', () => {
    const policy = structuredClone(vectors.base);
    expect(validateAzureManagementPolicy(policy)).toBe(policy);
  });

  it('accepts exactly 100 rules', () => {
    const rules = Array.from({ length: 100 }, (_, index) => ({ ...baseRule(), name: `r${index}` }));
    expect(validateAzureManagementPolicy({ rules }).rules).toHaveLength(100);
  });

  it('rejects 101 rules', () => {
    const rules = Array.from({ length: 101 }, (_, index) => ({ ...baseRule(), name: `r${index}` }));
    expect(issuesOf({ rules })).toEqual(['rules: has 101 rules, at most 100 are allowed']);
  });

  it('accepts exactly 10 prefixes and 10 tag conditions', () => {
    const rule = baseRule();
    applyEdits(rule, {
      'definition.filters.prefixMatch': Array.from(
        { length: 10 },
        (_, i) => `audit-archive/t${i}/`,
      ),
      'definition.filters.blobIndexMatch': Array.from({ length: 10 }, (_, i) => ({
        name: `t${i}`,
        op: '==',
        value: 'x',
      })),
    });
    expect(validateAzureManagementPolicy({ rules: [rule] }).rules).toHaveLength(1);
  });

  it('rejects two rules with the same name', () => {
    expect(issuesOf({ rules: [baseRule(), baseRule()] })).toEqual([
      'rules[1].name: duplicates the name of an earlier rule ("retentionStandard")',
    ]);
  });

  it('treats rule names as case-sensitive', () => {
    const other = { ...baseRule(), name: 'RetentionStandard' };
    expect(validateAzureManagementPolicy({ rules: [baseRule(), other] }).rules).toHaveLength(2);
  });

  it('throws an error whose message lists the problems', () => {
    expect(() => validateAzureManagementPolicy({ rules: [] })).toThrow(
      'invalid Azure management policy (1 problem):\n  rules: must contain at least one rule',
    );
  });

  describe.each(vectors.vectors)('rejects $description', (vector) => {
    it('with exactly the expected errors', () => {
      let policy: unknown = structuredClone(vectors.base);
      if (vector.set !== undefined && '$root' in vector.set) {
        policy = vector.set.$root;
      } else {
        applyEdits(policy, vector.set, vector.unset);
      }
      expect(issuesOf(policy)).toEqual(vector.errors);
    });
  });
});

describe('isValidContainerName', () => {
  it.each(['audit-archive', 'abc', 'a1-b2', 'a'.repeat(63)])('accepts %s', (name) => {
    expect(isValidContainerName(name)).toBe(true);
  });

  it.each(['ab', 'Audit', '-abc', 'abc-', 'a--b', 'a_b', 'a'.repeat(64), ''])(
    'rejects "%s"',
    (name) => {
      expect(isValidContainerName(name)).toBe(false);
    },
  );
});
