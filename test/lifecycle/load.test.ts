import {
  RetentionPolicyError,
  formatIssue,
  loadRetentionPolicy,
  shippedRetentionPolicy,
} from '../../lifecycle';
import { applyEdits, fixturePolicyJson, readData } from './fixtures';

interface InvalidVector {
  description: string;
  set?: Record<string, unknown>;
  unset?: string[];
  errors: string[];
}

const invalid = (readData('retention-policy-invalid.json') as { vectors: InvalidVector[] }).vectors;

function issuesOf(json: unknown): string[] {
  try {
    loadRetentionPolicy(json);
  } catch (error) {
    if (error instanceof RetentionPolicyError) return error.issues.map(formatIssue);
    throw error;
  }
  throw new Error('the policy was accepted');
}

describe('loadRetentionPolicy', () => {
  it('accepts the shipped lifecycle/policy.json', () => {
    const policy = shippedRetentionPolicy();
    expect(Object.keys(policy.classes)).toEqual(['standard', 'short', 'long']);
    expect(policy.classes.standard?.delete.afterDays).toBe(2555);
    expect(policy.classes.long?.delete.afterDays).toBe(3650);
    expect(policy.assignment.defaultClass).toBe('standard');
    expect(policy.checkpoints.delete).toBeNull();
  });

  it('accepts the fixture policy', () => {
    const policy = loadRetentionPolicy(fixturePolicyJson());
    expect(policy.legalHolds.map((hold) => hold.id)).toEqual([
      'LH-acme',
      'LH-march',
      'LH-globex-evt',
      'LH-initech',
    ]);
  });

  it('fills in an omitted tiers object and an omitted legalHolds list', () => {
    const json = fixturePolicyJson();
    applyEdits(json, {}, ['legalHolds']);
    const policy = loadRetentionPolicy(json);
    expect(policy.classes.ephemeral?.tiers).toEqual({});
    expect(policy.legalHolds).toEqual([]);
  });

  it('returns a copy that later edits of the input do not reach', () => {
    const json = fixturePolicyJson();
    const policy = loadRetentionPolicy(json);
    applyEdits(json, { 'classes.standard.delete.afterDays': 1 });
    expect(policy.classes.standard?.delete.afterDays).toBe(2555);
  });

  it('accepts two tiers on the same day (the colder one wins, the warmer never runs)', () => {
    const json = fixturePolicyJson();
    applyEdits(json, {
      'classes.standard.tiers.cool.afterDays': 90,
      'classes.standard.hot.days': 30,
    });
    expect(loadRetentionPolicy(json).classes.standard?.tiers.cool?.afterDays).toBe(90);
  });

  it('rejects a document that is not an object', () => {
    expect(issuesOf([])).toEqual(['(root): must be an object']);
  });

  it('reports every problem in one error whose message lists them', () => {
    const json = fixturePolicyJson();
    applyEdits(json, { version: 2, 'classes.short.hot.days': 45 });
    expect(() => loadRetentionPolicy(json)).toThrow(
      'invalid retention policy (2 problems):\n' +
        '  version: must be 1\n' +
        '  classes.short.hot.days: must be <= tiers.cool.afterDays (30)',
    );
  });

  it('rejects a policy whose management policy would exceed 100 rules', () => {
    const json = fixturePolicyJson();
    const classes: Record<string, unknown> = {};
    for (let index = 0; index < 50; index += 1) {
      classes[`c${index}`] = {
        hot: { days: 1 },
        tiers: { cool: { afterDays: 1 } },
        delete: { afterDays: 3650 },
      };
    }
    applyEdits(json, { classes, 'assignment.rules': [], 'assignment.defaultClass': 'c0' });
    expect(issuesOf(json)).toEqual([
      '(generated management policy): rules: has 101 rules, at most 100 are allowed',
    ]);
  });

  describe.each(invalid)('rejects $description', (vector) => {
    it('with exactly the expected errors', () => {
      const json = fixturePolicyJson();
      applyEdits(json, vector.set, vector.unset);
      expect(issuesOf(json)).toEqual(vector.errors);
    });
  });
});
