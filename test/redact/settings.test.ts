import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_REDACTION_POLICY } from '../../src/redact/policy';
import { redactionPolicyFromSettings, RedactionSettingError } from '../../src/redact/settings';

describe('redactionPolicyFromSettings', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'redaction-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses the default policy when neither setting is present', () => {
    expect(redactionPolicyFromSettings({})).toBe(DEFAULT_REDACTION_POLICY);
  });

  it('treats empty settings as absent', () => {
    expect(redactionPolicyFromSettings({ REDACTION_POLICY: ' ', REDACTION_POLICY_FILE: '' })).toBe(
      DEFAULT_REDACTION_POLICY,
    );
  });

  it('reads an inline policy', () => {
    const policy = { default: [{ path: '/data/actor/name', action: 'mask' }] };
    expect(redactionPolicyFromSettings({ REDACTION_POLICY: JSON.stringify(policy) })).toEqual(
      policy,
    );
  });

  it('reads a policy file', () => {
    const file = join(dir, 'policy.json');
    const policy = { tenants: { contoso: [{ path: '/data/actor/ip', action: 'drop' }] } };
    writeFileSync(file, JSON.stringify(policy));
    expect(redactionPolicyFromSettings({ REDACTION_POLICY_FILE: file })).toEqual(policy);
  });

  it('refuses both settings at once', () => {
    expect(() =>
      redactionPolicyFromSettings({ REDACTION_POLICY: '{}', REDACTION_POLICY_FILE: '/x.json' }),
    ).toThrow(
      new RedactionSettingError(
        'REDACTION_POLICY',
        'set together with REDACTION_POLICY_FILE; set only one of them',
      ),
    );
  });

  it('names the setting when the inline JSON is malformed', () => {
    expect(() => redactionPolicyFromSettings({ REDACTION_POLICY: '{default:' })).toThrow(
      expect.objectContaining({
        name: 'RedactionSettingError',
        setting: 'REDACTION_POLICY',
        message: expect.stringMatching(/^REDACTION_POLICY: is not valid JSON \(.+\)$/),
      }),
    );
  });

  it('names the setting, rule and field when a rule is bad', () => {
    expect(() =>
      redactionPolicyFromSettings({
        REDACTION_POLICY: '{"default":[{"path":"/data/actor/ip","action":"erase"}]}',
      }),
    ).toThrow(
      new RedactionSettingError(
        'REDACTION_POLICY',
        'redaction policy default[0].action: must be one of drop, mask, hmac, keep (got "erase")',
      ),
    );
  });

  it('names the file when its policy is bad', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{"tenants":{"x":[]}}');
    expect(() => redactionPolicyFromSettings({ REDACTION_POLICY_FILE: file })).toThrow(
      new RedactionSettingError(
        'REDACTION_POLICY_FILE',
        `${file}: redaction policy tenants.x: is not a valid tenant id (must match ^[a-z0-9][a-z0-9-]{1,62}$)`,
      ),
    );
  });

  it('names the file when it cannot be read', () => {
    const file = join(dir, 'missing.json');
    expect(() => redactionPolicyFromSettings({ REDACTION_POLICY_FILE: file })).toThrow(
      expect.objectContaining({
        setting: 'REDACTION_POLICY_FILE',
        message: expect.stringMatching(
          new RegExp(`^REDACTION_POLICY_FILE: cannot read ${file}: ENOENT`),
        ),
      }),
    );
  });
});
