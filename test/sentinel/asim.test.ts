import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deriveFacts } from '../../src/normalize/facts';
import { encodeRecord, recordLeafHash, type AuditRecord } from '../../src/pipeline/record';
import {
  ACTOR_TYPES,
  AUDIT_EVENT_TYPES,
  OUTCOME_STATUSES,
  STATEMENT_KINDS,
  type AuditEvent,
  type AuditEventType,
  type OutcomeStatus,
} from '../../src/schema/types';
import { toAsimRow } from '../../src/sentinel/asim';
import {
  ASIM_EVENT_RESULTS,
  ASIM_EVENT_SEVERITIES,
  ASIM_EVENT_TYPES,
  ASIM_OBJECT_TYPES,
} from '../../src/schema/asim';
import {
  ASIM_APP_TYPES,
  ASIM_USER_TYPES,
  ASIM_USERNAME_TYPES,
  ASIM_VALUE_TYPES,
} from '../../src/sentinel/asim-schema';
import { SENTINEL_COLUMNS, type AsimAuditEventRow } from '../../src/sentinel/columns';
import { SENTINEL_FIELD_LIMIT_BYTES, TRUNCATION_MARKER } from '../../src/sentinel/field-limit';
import { toolEvent } from './support/events';

interface GoldenVector {
  description: string;
  record: AuditRecord;
  leafHash: string;
  row: AsimAuditEventRow;
}

/** ASIM's allowed values, copied from Microsoft's reference: the oracle the mapping is checked against. */
const ASIM = JSON.parse(
  readFileSync(join(__dirname, '..', 'data', 'sentinel', 'asim-enumerations.json'), 'utf8'),
) as Record<
  | 'EventType'
  | 'EventResult'
  | 'EventSeverity'
  | 'ObjectType'
  | 'ValueType'
  | 'UserType'
  | 'UsernameType'
  | 'AppType',
  string[]
>;

const golden = JSON.parse(
  readFileSync(join(__dirname, '..', 'data', 'sentinel', 'asim-rows.json'), 'utf8'),
) as GoldenVector[];

const LOG: AuditRecord['log'] = {
  partition: '0',
  index: 7,
  sequenceNumber: 70,
  enqueuedTime: '2025-03-04T05:06:30.000Z',
};

function recordOf(event: AuditEvent, log: AuditRecord['log'] = LOG): AuditRecord {
  return { v: 1, event, derived: deriveFacts(event), log };
}

function leafHashOf(record: AuditRecord): string {
  return recordLeafHash(encodeRecord(record)).toString('hex');
}

describe('toAsimRow: golden rows (test/data/sentinel/asim-rows.json)', () => {
  it.each(golden.map((vector) => [vector.description, vector] as const))(
    '%s: the vector leaf hash is the record hash',
    (_, vector) => {
      expect(leafHashOf(vector.record)).toBe(vector.leafHash);
    },
  );

  it.each(golden.map((vector) => [vector.description, vector] as const))('%s', (_, vector) => {
    expect(toAsimRow(vector.record, vector.leafHash)).toStrictEqual(vector.row);
  });
});

describe('toAsimRow: columns', () => {
  const columnNames = new Set<string>(SENTINEL_COLUMNS.map((column) => column.name));
  const required = SENTINEL_COLUMNS.filter((column) => column.required).map(
    (column) => column.name,
  );

  it.each(golden.map((vector) => [vector.description, vector] as const))(
    '%s: every key is a declared column',
    (_, vector) => {
      const row = toAsimRow(vector.record, vector.leafHash);
      expect(Object.keys(row).filter((key) => !columnNames.has(key))).toEqual([]);
    },
  );

  it.each(golden.map((vector) => [vector.description, vector] as const))(
    '%s: every required column is set',
    (_, vector) => {
      const row = toAsimRow(vector.record, vector.leafHash) as Record<string, unknown>;
      expect(required.filter((name) => row[name] === undefined)).toEqual([]);
    },
  );

  it('the golden rows together use every declared column', () => {
    const used = new Set(
      golden.flatMap((vector) => Object.keys(toAsimRow(vector.record, vector.leafHash))),
    );
    expect([...columnNames].filter((name) => !used.has(name))).toEqual([]);
  });

  it('values have the declared column types', () => {
    for (const vector of golden) {
      const row = toAsimRow(vector.record, vector.leafHash) as Record<string, unknown>;
      for (const column of SENTINEL_COLUMNS) {
        const value = row[column.name];
        if (value === undefined) continue;
        if (column.type === 'datetime') expect(new Date(value as string).toISOString()).toBe(value);
        else if (column.type === 'string') expect(typeof value).toBe('string');
        else expect(typeof value).toBe('number');
      }
    }
  });
});

describe('toAsimRow: ASIM enumerations (test/data/sentinel/asim-enumerations.json)', () => {
  /** Every event shape the schema allows that changes the classification. */
  function variants(): AuditEvent[] {
    const statements: (AuditEvent['data']['statement'] | undefined)[] = [
      undefined,
      ...STATEMENT_KINDS.map((kind) => ({ kind })),
      ...[
        'CREATE TABLE t (a int)',
        'DROP TABLE t',
        'TRUNCATE TABLE t',
        'ALTER TABLE t ADD b int',
        'ENABLE TRIGGER x ON t',
        'DISABLE TRIGGER x ON t',
        'RENAME TABLE t TO u',
        'GRANT SELECT ON t TO bob',
        'EXEC dbo.Purge',
      ].map((text) => ({ text })),
    ];
    const statuses: (OutcomeStatus | undefined)[] = [undefined, ...OUTCOME_STATUSES];
    const events: AuditEvent[] = [];
    let n = 0;
    for (const type of AUDIT_EVENT_TYPES as readonly AuditEventType[]) {
      for (const statement of statements) {
        for (const status of statuses) {
          for (const actorType of ACTOR_TYPES) {
            for (const decision of [undefined, 'allow', 'deny'] as const) {
              for (const withTool of [true, false]) {
                const base = toolEvent(`v-${n++}`, { type });
                const data: AuditEvent['data'] = {
                  ...base.data,
                  actor: {
                    id: 'a',
                    type: actorType,
                    name: actorType === 'user' ? 'alice@contoso.com' : 'bot',
                  },
                  config: { key: 'k', oldValue: 1, newValue: 2 },
                };
                if (statement === undefined) delete data.statement;
                else data.statement = statement;
                if (status === undefined) delete data.outcome;
                else data.outcome = { status };
                if (decision === undefined) delete data.policy;
                else data.policy = { decision };
                if (!withTool) delete data.tool;
                events.push({ ...base, data });
              }
            }
          }
        }
      }
    }
    return events;
  }

  const rows = variants().map((event) => {
    const record = recordOf(event);
    return toAsimRow(record, leafHashOf(record));
  });

  function outside(values: readonly (string | undefined)[], allowed: readonly string[]): string[] {
    return [...new Set(values.filter((v): v is string => v !== undefined))].filter(
      (v) => !allowed.includes(v),
    );
  }

  it('covers every event type, statement kind, outcome, actor type, policy decision and tool presence', () => {
    expect(rows).toHaveLength(
      AUDIT_EVENT_TYPES.length * (STATEMENT_KINDS.length + 10) * 4 * 3 * 3 * 2,
    );
  });

  it('emits only ASIM AuditEvent EventType values', () => {
    expect(
      outside(
        rows.map((row) => row.EventType),
        ASIM.EventType,
      ),
    ).toEqual([]);
  });

  it('emits only ASIM EventResult values', () => {
    expect(
      outside(
        rows.map((row) => row.EventResult),
        ASIM.EventResult,
      ),
    ).toEqual([]);
  });

  it('emits only ASIM EventSeverity values', () => {
    expect(
      outside(
        rows.map((row) => row.EventSeverity),
        ASIM.EventSeverity,
      ),
    ).toEqual([]);
  });

  it('emits only ASIM ObjectType values', () => {
    expect(
      outside(
        rows.map((row) => row.ObjectType),
        ASIM.ObjectType,
      ),
    ).toEqual([]);
  });

  it('emits only ASIM UserType values', () => {
    expect(
      outside(
        rows.map((row) => row.ActorUserType),
        ASIM.UserType,
      ),
    ).toEqual([]);
  });

  it('emits only ASIM UsernameType values', () => {
    expect(
      outside(
        rows.map((row) => row.ActorUsernameType),
        ASIM.UsernameType,
      ),
    ).toEqual([]);
  });

  it('emits only ASIM AppType values', () => {
    expect(
      outside(
        rows.flatMap((row) => [row.ActingAppType, row.TargetAppType]),
        ASIM.AppType,
      ),
    ).toEqual([]);
  });

  it('emits only ASIM ValueType values', () => {
    expect(
      outside(
        rows.map((row) => row.ValueType),
        ASIM.ValueType,
      ),
    ).toEqual([]);
  });

  it('reaches every EventType the SQL statements call for', () => {
    expect([...new Set(rows.map((row) => row.EventType))].sort()).toEqual(
      ['Clear', 'Create', 'Delete', 'Disable', 'Enable', 'Execute', 'Other', 'Read', 'Set'].sort(),
    );
  });

  it('names the schema and version on every row', () => {
    expect(new Set(rows.map((row) => `${row.EventSchema} ${row.EventSchemaVersion}`))).toEqual(
      new Set(['AuditEvent 0.1']),
    );
  });

  it('declares the enumerations the code uses exactly as ASIM lists them', () => {
    expect({
      EventType: ASIM_EVENT_TYPES,
      EventResult: ASIM_EVENT_RESULTS,
      EventSeverity: ASIM_EVENT_SEVERITIES,
      ObjectType: ASIM_OBJECT_TYPES,
      ValueType: ASIM_VALUE_TYPES,
      UserType: ASIM_USER_TYPES,
      UsernameType: ASIM_USERNAME_TYPES,
      AppType: ASIM_APP_TYPES,
    }).toEqual({
      EventType: ASIM.EventType,
      EventResult: ASIM.EventResult,
      EventSeverity: ASIM.EventSeverity,
      ObjectType: ASIM.ObjectType,
      ValueType: ASIM.ValueType,
      UserType: ASIM.UserType,
      UsernameType: ASIM.UsernameType,
      AppType: ASIM.AppType,
    });
  });
});

describe('toAsimRow: field limits', () => {
  it('cuts long SQL to the field limit with the marker', () => {
    const text = `SELECT '${'x'.repeat(100_000)}'`;
    const record = recordOf(
      toolEvent('long', { data: { statement: { text } } as AuditEvent['data'] }),
    );
    const row = toAsimRow(record, leafHashOf(record));
    expect(Buffer.byteLength(row.AuditStatement as string, 'utf8')).toBe(
      SENTINEL_FIELD_LIMIT_BYTES,
    );
    expect((row.AuditStatement as string).endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(
      text.startsWith((row.AuditStatement as string).slice(0, -TRUNCATION_MARKER.length)),
    ).toBe(true);
  });

  it('cuts long configuration values too', () => {
    const record = recordOf({
      specversion: '1.0',
      id: 'cfg',
      source: '/s',
      type: 'com.sqlmcp.config.changed',
      time: '2025-03-04T05:06:07Z',
      tenantid: 'contoso',
      data: {
        actor: { id: 'ops', type: 'service' },
        config: { key: 'k', newValue: 'é'.repeat(40_000) },
      },
    });
    const row = toAsimRow(record, leafHashOf(record));
    expect(Buffer.byteLength(row.NewValue as string, 'utf8')).toBeLessThanOrEqual(
      SENTINEL_FIELD_LIMIT_BYTES,
    );
    expect((row.NewValue as string).endsWith(TRUNCATION_MARKER)).toBe(true);
  });

  it('leaves SrcIpAddr out when the address was redacted to something that is not an IP', () => {
    const event = toolEvent('redacted-ip');
    event.data.actor.ip = 'sha256:4f2a';
    const record = recordOf(event);
    expect(toAsimRow(record, leafHashOf(record)).SrcIpAddr).toBeUndefined();
  });

  it('refuses a leaf hash that is not 64 lower-case hex digits', () => {
    const record = recordOf(toolEvent('bad-hash'));
    expect(() => toAsimRow(record, 'ABC')).toThrow(
      'leaf hash must be 64 lower-case hex digits, got "ABC"',
    );
  });

  it('is deterministic: the same record gives the same row', () => {
    const record = recordOf(toolEvent('same'));
    expect(toAsimRow(record, leafHashOf(record))).toStrictEqual(
      toAsimRow(structuredClone(record), leafHashOf(record)),
    );
  });
});
