import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SENTINEL_COLUMN_NAMES } from '../../src/sentinel/columns';

/**
 * Static checks of the KQL shipped in sentinel/: every column a parser or rule names exists in the table
 * (SENTINEL_COLUMNS) or is an alias the parser adds, and every analytics rule has what a Sentinel scheduled
 * rule needs. The KQL itself runs only in a Log Analytics workspace.
 */
const ROOT = join(__dirname, '..', '..', 'sentinel');
const RULES_DIR = join(ROOT, 'analytics-rules');
const PARSERS_DIR = join(ROOT, 'parsers');

/** The aliases vimAuditEventSqlMcpAudit adds with `extend`. */
const PARSER_ALIASES = [
  'EventUid',
  'EventOriginalUid',
  'User',
  'Application',
  'Src',
  'IpAddr',
  'Dst',
  'Value',
  'Rule',
];
const KNOWN = new Set<string>([...SENTINEL_COLUMN_NAMES, ...PARSER_ALIASES]);

/** MITRE ATT&CK tactics as Sentinel spells them in rule templates. */
const TACTICS = new Set([
  'Reconnaissance',
  'ResourceDevelopment',
  'InitialAccess',
  'Execution',
  'Persistence',
  'PrivilegeEscalation',
  'DefenseEvasion',
  'CredentialAccess',
  'Discovery',
  'LateralMovement',
  'Collection',
  'CommandAndControl',
  'Exfiltration',
  'Impact',
]);

/** Identifiers shaped like this table's column families; each must be a known column or alias. */
const COLUMN_LIKE = /\b(?:Audit|Actor|Event|Target|Src|Dvc|Acting)[A-Za-z]*\b/g;

/** Column-like names that are neither declared nor computed by the query itself (`Name = ...`). */
function unknownColumns(kql: string): string[] {
  const withoutComments = kql.replace(/\/\/.*$/gm, '');
  const computed = new Set(
    [...withoutComments.matchAll(/\b([A-Za-z]+)\s*=(?!=)/g)].map((m) => m[1]),
  );
  return [...new Set(withoutComments.match(COLUMN_LIKE) ?? [])].filter(
    (name) => !KNOWN.has(name) && !computed.has(name),
  );
}

/** The column each custom detail reads (`Detail: Column` lines). */
function customDetailColumns(text: string): string[] {
  return [...text.matchAll(/^\s+[A-Za-z]+: ([A-Za-z]+)$/gm)].map((m) => m[1] as string);
}

/**
 * Top-level keys of a rule file: scalars, `|` blocks and `- item` lists. Enough for the rule templates in
 * this repository; nested maps (entityMappings, customDetails) are kept as their raw text.
 */
function readRule(text: string): Record<string, string | string[]> {
  const rule: Record<string, string | string[]> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([A-Za-z]+):\s*(.*)$/.exec(lines[i] as string);
    if (!match) continue;
    const [, key, value] = match as unknown as [string, string, string];
    const body: string[] = [];
    while (
      i + 1 < lines.length &&
      /^(\s+|$)/.test(lines[i + 1] as string) &&
      (lines[i + 1] as string) !== ''
    )
      body.push(lines[++i] as string);
    if (value === '|') rule[key] = body.map((line) => line.replace(/^ {2}/, '')).join('\n');
    else if (value === '' && body.every((line) => /^\s+- /.test(line)))
      rule[key] = body.map((line) => line.replace(/^\s+- /, ''));
    else rule[key] = value === '' ? body.join('\n') : value;
  }
  return rule;
}

const ruleFiles = readdirSync(RULES_DIR)
  .filter((file) => file.endsWith('.yaml'))
  .sort();
const rules = ruleFiles.map(
  (file) => [file, readRule(readFileSync(join(RULES_DIR, file), 'utf8'))] as const,
);

describe('sentinel/analytics-rules', () => {
  it('ships the four detections', () => {
    expect(ruleFiles).toEqual([
      'agent-bulk-read-off-hours.yaml',
      'agent-ddl.yaml',
      'auth-failure-burst.yaml',
      'policy-denial-burst.yaml',
    ]);
  });

  it('gives every rule a distinct GUID id', () => {
    const ids = rules.map(([, rule]) => rule.id as string);
    expect(
      ids.filter(
        (id) => !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id),
      ),
    ).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(rules)('%s has a name, severity, schedule, threshold and a scheduled kind', (_, rule) => {
    expect(rule.name).toMatch(/^SQL MCP - /);
    expect(['Informational', 'Low', 'Medium', 'High']).toContain(rule.severity);
    expect(
      [rule.queryFrequency, rule.queryPeriod].every((v) => /^\d+[mhd]$/.test(v as string)),
    ).toBe(true);
    expect([rule.triggerOperator, rule.triggerThreshold, rule.kind]).toEqual([
      'gt',
      '0',
      'Scheduled',
    ]);
  });

  it.each(rules)('%s names MITRE ATT&CK tactics and techniques', (_, rule) => {
    const tactics = rule.tactics as string[];
    expect(tactics.length).toBeGreaterThan(0);
    expect(tactics.filter((tactic) => !TACTICS.has(tactic))).toEqual([]);
    expect(
      (rule.relevantTechniques as string[]).filter((t) => !/^T\d{4}(\.\d{3})?$/.test(t)),
    ).toEqual([]);
  });

  it.each(rules)('%s queries through the ASIM parser, over no longer than it runs', (_, rule) => {
    const query = rule.query as string;
    expect(query).toContain('vimAuditEventSqlMcpAudit(starttime = ago(');
    expect(query).toContain(`ago(${rule.queryPeriod as string})`);
  });

  it.each(rules)('%s names only columns the table declares', (_, rule) => {
    expect(unknownColumns(rule.query as string)).toEqual([]);
  });

  it.each(rules)(
    '%s maps custom details and entities from columns the query returns or the table declares',
    (_, rule) => {
      const query = rule.query as string;
      const mapped = [
        ...customDetailColumns(String(rule.customDetails ?? '')),
        ...[...String(rule.entityMappings ?? '').matchAll(/columnName: ([A-Za-z]+)/g)].map(
          (m) => m[1] as string,
        ),
      ];
      expect(mapped.filter((name) => !query.includes(name))).toEqual([]);
    },
  );
});

describe('sentinel/parsers', () => {
  const vim = readFileSync(join(PARSERS_DIR, 'vimAuditEventSqlMcpAudit.kql'), 'utf8');
  const im = readFileSync(join(PARSERS_DIR, 'imAuditEventSqlMcpAudit.kql'), 'utf8');

  it('reads the table the export writes', () => {
    expect(vim).toMatch(/^\s+SqlMcpAudit_CL$/m);
  });

  it('names only columns the table declares', () => {
    expect(unknownColumns(vim)).toEqual([]);
  });

  it('takes the ASIM Audit Event filtering parameters', () => {
    const declared = [
      ...vim.matchAll(/^\s{4}([a-z_]+): (?:datetime|dynamic|string|bool) = /gm),
    ].map((m) => m[1]);
    expect(declared).toEqual([
      'starttime',
      'endtime',
      'srcipaddr_has_any_prefix',
      'eventtype_in',
      'eventresult',
      'actorusername_has_any',
      'operation_has_any',
      'object_has_any',
      'newvalue_has_any',
      'disabled',
    ]);
  });

  it('adds every alias the rules and the unifying parser rely on', () => {
    for (const alias of PARSER_ALIASES) expect(vim).toMatch(new RegExp(`^\\s+${alias} = `, 'm'));
  });

  it('makes the unfiltered parser a call of the filtering one', () => {
    expect(im.trim().split('\n').pop()).toBe('vimAuditEventSqlMcpAudit(disabled = disabled)');
  });
});
