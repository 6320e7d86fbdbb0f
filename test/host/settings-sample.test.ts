import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

function sourceFiles(folder: string): string[] {
  const full = path.join(ROOT, folder);
  return readdirSync(full).flatMap((name) => {
    const file = path.join(full, name);
    if (statSync(file).isDirectory()) return sourceFiles(path.join(folder, name));
    return name.endsWith('.ts') ? [file] : [];
  });
}

/**
 * Every app setting the code names literally: `env.NAME`, `env['NAME']`, a helper called with the settings
 * and a literal name (`setting(env, 'NAME')`), a constant naming a setting (`*_SETTING = 'NAME'`, the values
 * of a `*SETTING_NAMES` object), and `%NAME%` binding expressions.
 */
function settingsReadBy(files: readonly string[]): Set<string> {
  const names = new Set<string>();
  const patterns = [
    /\benv\??\.([A-Za-z_][A-Za-z0-9_]*)/g,
    /\benv\[\s*['"`]([A-Za-z_][A-Za-z0-9_]*)['"`]\s*\]/g,
    /\(\s*[A-Za-z_.]*(?:env|[sS]ettings)\s*,\s*'([A-Za-z_][A-Za-z0-9_]*)'/g,
    /_SETTING\s*=\s*'([A-Za-z_][A-Za-z0-9_]*)'/g,
  ];
  // Binding expressions are only meaningful in the function declarations (elsewhere '%a%' is SQL).
  const binding = /'%([A-Za-z_][A-Za-z0-9_]*)%'/g;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of patterns)
      for (const match of text.matchAll(pattern)) names.add(match[1] as string);
    if (file.startsWith(path.join(ROOT, 'functions'))) {
      for (const match of text.matchAll(binding)) names.add(match[1] as string);
    }
    for (const block of text.matchAll(/SETTING_NAMES\s*=\s*\{([^}]*)\}/g)) {
      for (const value of (block[1] as string).matchAll(/:\s*'([A-Za-z_][A-Za-z0-9_]*)'/g))
        names.add(value[1] as string);
    }
  }
  return names;
}

describe('local.settings.sample.json', () => {
  const sample = (
    JSON.parse(readFileSync(path.join(ROOT, 'local.settings.sample.json'), 'utf8')) as {
      Values: Record<string, string>;
    }
  ).Values;
  const files = [...sourceFiles('src'), ...sourceFiles('functions')];

  it('lists every setting the code reads', () => {
    const missing = [...settingsReadBy(files)].filter((name) => !(name in sample)).sort();
    expect(missing).toEqual([]);
  });

  it('finds the settings the scan is known to have to find', () => {
    const found = settingsReadBy(files);
    for (const name of [
      'AUDIT_API_KEYS',
      'EVENTHUB_CONNECTION',
      'KEY_PROVIDER',
      'REDACTION_POLICY',
      'SENTINEL_DCR_RULE_ID',
      'EVENTHUB_CONSUMER_GROUP',
      'AUDIT_URL',
    ]) {
      expect([name, found.has(name)]).toEqual([name, true]);
    }
  });

  it('points storage at Azurite and names the local Event Hubs endpoint', () => {
    expect([
      sample.AzureWebJobsStorage,
      sample.FUNCTIONS_WORKER_RUNTIME,
      sample.EVENTHUB_NAME,
      sample.EVENTHUB_CONSUMER_GROUP,
      sample.KEY_PROVIDER,
    ]).toEqual(['UseDevelopmentStorage=true', 'node', 'audit', '$Default', 'local']);
  });
});
