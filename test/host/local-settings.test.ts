import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  effectiveSettings,
  LocalSettingsError,
  readLocalSettings,
} from '../../src/host/local-settings';

const folderWith = (content?: string): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'local-settings-'));
  if (content !== undefined) writeFileSync(path.join(dir, 'local.settings.json'), content);
  return dir;
};

describe('readLocalSettings', () => {
  it('returns no settings when there is no file', () => {
    expect(readLocalSettings(folderWith())).toEqual({});
  });

  it('returns the Values, numbers and booleans as text', () => {
    const dir = folderWith(
      JSON.stringify({ IsEncrypted: false, Values: { A: 'x', N: 3, B: true } }),
    );
    expect(readLocalSettings(dir)).toEqual({ A: 'x', N: '3', B: 'true' });
  });

  it('names the file when it is not JSON', () => {
    const dir = folderWith('{ nope');
    expect(() => readLocalSettings(dir)).toThrow(LocalSettingsError);
    expect(() => readLocalSettings(dir)).toThrow(
      `${path.join(dir, 'local.settings.json')}: is not valid JSON:`,
    );
  });

  it('refuses an object value and says how to write it', () => {
    const dir = folderWith(JSON.stringify({ Values: { AUDIT_API_KEYS: { k: '*' } } }));
    expect(() => readLocalSettings(dir)).toThrow(
      `${path.join(dir, 'local.settings.json')}: Values.AUDIT_API_KEYS must be a string; write JSON settings (such as AUDIT_API_KEYS) as a JSON string`,
    );
  });
});

describe('effectiveSettings', () => {
  it('lets the environment win over the file, and ignores blank variables', () => {
    const dir = folderWith(JSON.stringify({ Values: { A: 'file', B: 'file', C: 'file' } }));
    const settings = effectiveSettings({ A: 'env', B: '' }, dir);
    expect([settings.A, settings.B, settings.C]).toEqual(['env', 'file', 'file']);
  });
});
