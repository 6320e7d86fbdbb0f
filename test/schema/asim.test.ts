import { deriveFacts } from '../../src/normalize/facts';
import {
  ASIM_EVENT_RESULTS,
  ASIM_EVENT_SEVERITIES,
  ASIM_EVENT_TYPES,
  ASIM_OBJECT_TYPES,
  toAsimClassification,
  UNUSED_ASIM_VALUES,
  type AsimClassification,
} from '../../src/schema/asim';
import { ACTOR_TYPES, OUTCOME_STATUSES, type AuditEvent } from '../../src/schema/types';
import { EXAMPLE_EVENT_FILES, exampleEvent, type ExampleEventFile } from './examples';

function classify(event: AuditEvent): AsimClassification {
  return toAsimClassification(event, deriveFacts(event));
}

function toolCall(
  text: string | undefined,
  change: (event: AuditEvent) => void = () => {},
): AuditEvent {
  const event = exampleEvent('tool-invoked.json');
  if (text === undefined) {
    delete event.data.statement;
  } else {
    event.data.statement = { text };
  }
  change(event);
  return event;
}

describe('toAsimClassification of the examples', () => {
  it.each<[ExampleEventFile, AsimClassification]>([
    [
      'tool-invoked.json',
      {
        EventType: 'Read',
        EventResult: 'Success',
        EventSeverity: 'Informational',
        Operation: 'SELECT',
        Object: 'dbo.Orders',
        ObjectType: 'Cloud Resource',
      },
    ],
    [
      'session-started.json',
      {
        EventType: 'Other',
        EventResult: 'NA',
        EventSeverity: 'Informational',
        Operation: 'session.started',
        Object: 'SalesDb',
        ObjectType: 'Cloud Resource',
      },
    ],
    [
      'session-ended.json',
      {
        EventType: 'Other',
        EventResult: 'Success',
        EventSeverity: 'Informational',
        Operation: 'session.ended',
        Object: 'sess-5d1e0b7c',
        ObjectType: 'Other',
      },
    ],
    [
      'auth-failed.json',
      {
        EventType: 'Other',
        EventResult: 'Failure',
        EventSeverity: 'Medium',
        Operation: 'auth.failed',
        Object: '/sqlmcp/servers/prod-eu-01',
        ObjectType: 'Other',
      },
    ],
    [
      'policy-denied.json',
      {
        EventType: 'Delete',
        EventResult: 'Failure',
        EventSeverity: 'Medium',
        Operation: 'DROP',
        Object: 'no-ddl-for-agents',
        ObjectType: 'Policy Rule',
      },
    ],
    [
      'config-changed.json',
      {
        EventType: 'Set',
        EventResult: 'NA',
        EventSeverity: 'Low',
        Operation: 'config.changed',
        Object: 'policy.allowedTools',
        ObjectType: 'Configuration Atom',
      },
    ],
  ])('%s', (file, expected) => {
    expect(classify(exampleEvent(file))).toEqual(expected);
  });
});

describe('EventType of statements', () => {
  it.each([
    ['SELECT 1', 'Read'],
    ['INSERT INTO t VALUES (1)', 'Create'],
    ['UPDATE t SET a = 1', 'Set'],
    ['MERGE INTO t USING s ON 1 = 1 WHEN MATCHED THEN DELETE', 'Set'],
    ['DELETE FROM t', 'Delete'],
    ['CREATE TABLE t (a int)', 'Create'],
    ['DROP TABLE t', 'Delete'],
    ['TRUNCATE TABLE t', 'Clear'],
    ['ALTER TABLE t ADD b int', 'Set'],
    ['ENABLE TRIGGER trg ON t', 'Enable'],
    ['DISABLE TRIGGER trg ON t', 'Disable'],
    ['EXEC dbo.p', 'Execute'],
    ['GRANT SELECT ON t TO u', 'Set'],
    ['SET NOCOUNT ON', 'Other'],
  ])('%s is %s', (text, eventType) => {
    expect(classify(toolCall(text)).EventType).toBe(eventType);
  });

  it('is Execute for a tool call without SQL', () => {
    expect(classify(toolCall(undefined)).EventType).toBe('Execute');
  });

  it('is Set for a producer-sent DDL kind without text', () => {
    const event = toolCall(undefined, (e) => (e.data.statement = { kind: 'DDL' }));
    expect(classify(event).EventType).toBe('Set');
  });

  it('is Other for a policy denial without tool or statement', () => {
    const event = exampleEvent('policy-denied.json');
    delete event.data.tool;
    delete event.data.statement;
    expect(classify(event).EventType).toBe('Other');
  });
});

describe('EventResult', () => {
  it.each([
    ['success', 'Success'],
    ['failure', 'Failure'],
    ['denied', 'Failure'],
  ] as const)('outcome %s is %s', (status, result) => {
    expect(classify(toolCall('SELECT 1', (e) => (e.data.outcome = { status }))).EventResult).toBe(
      result,
    );
  });

  it('is Failure for a policy denial without an outcome', () => {
    const event = exampleEvent('policy-denied.json');
    delete event.data.outcome;
    expect(classify(event).EventResult).toBe('Failure');
  });
});

describe('EventSeverity', () => {
  it.each([
    ['an agent dropping a table', 'agent', 'DROP TABLE t', 'success', 'High'],
    ['an agent truncating a table', 'agent', 'TRUNCATE TABLE t', 'success', 'High'],
    ['an agent granting a permission', 'agent', 'GRANT SELECT ON t TO u', 'success', 'High'],
    ['an agent failing to drop a table', 'agent', 'DROP TABLE t', 'failure', 'Medium'],
    ['an agent creating a table', 'agent', 'CREATE TABLE t (a int)', 'success', 'Medium'],
    ['a user dropping a table', 'user', 'DROP TABLE t', 'success', 'Low'],
    ['a service altering a table', 'service', 'ALTER TABLE t ADD b int', 'success', 'Low'],
    ['a failed read', 'agent', 'SELECT 1', 'failure', 'Low'],
    ['a denied read', 'user', 'SELECT 1', 'denied', 'Medium'],
    ['a successful read', 'agent', 'SELECT 1', 'success', 'Informational'],
  ] as const)('%s is %s', (_name, actorType, text, status, severity) => {
    const event = toolCall(text, (e) => {
      e.data.actor.type = actorType;
      e.data.outcome = { status };
    });
    expect(classify(event).EventSeverity).toBe(severity);
  });
});

describe('Operation and Object', () => {
  it('uses the tool name when there is no statement', () => {
    expect(classify(toolCall(undefined)).Operation).toBe('execute_sql');
  });

  it('falls back from objects to database to server', () => {
    const event = toolCall('SELECT 1', (e) => (e.data.target = { server: 'srv' }));
    expect([classify(event).Object, classify(event).ObjectType]).toEqual(['srv', 'Cloud Resource']);
  });

  it('uses the tool name as object without a target', () => {
    const event = toolCall('SELECT 1', (e) => delete e.data.target);
    expect([classify(event).Object, classify(event).ObjectType]).toEqual(['execute_sql', 'Other']);
  });
});

describe('ASIM enumerations', () => {
  // Every combination of event type, actor type, outcome and a spread of statements.
  const statements = [
    undefined,
    'SELECT 1',
    'INSERT INTO t VALUES (1)',
    'UPDATE t SET a = 1',
    'DELETE FROM t',
    'MERGE INTO t USING s ON 1 = 1 WHEN MATCHED THEN DELETE',
    'CREATE TABLE t (a int)',
    'DROP TABLE t',
    'TRUNCATE TABLE t',
    'ALTER TABLE t ADD b int',
    'ENABLE TRIGGER trg ON t',
    'DISABLE TRIGGER trg ON t',
    'EXEC p',
    'GRANT SELECT ON t TO u',
    'SET NOCOUNT ON',
  ];
  const classifications: AsimClassification[] = [];
  for (const file of EXAMPLE_EVENT_FILES) {
    for (const actorType of ACTOR_TYPES) {
      for (const status of [...OUTCOME_STATUSES, undefined]) {
        for (const text of statements) {
          const event = exampleEvent(file);
          event.data.actor.type = actorType;
          if (status === undefined) delete event.data.outcome;
          else event.data.outcome = { status };
          if (text === undefined) delete event.data.statement;
          else event.data.statement = { text };
          classifications.push(classify(event));
        }
      }
    }
  }

  it.each([
    ['EventType', ASIM_EVENT_TYPES, UNUSED_ASIM_VALUES.EventType],
    ['EventResult', ASIM_EVENT_RESULTS, UNUSED_ASIM_VALUES.EventResult],
    ['EventSeverity', ASIM_EVENT_SEVERITIES, []],
    ['ObjectType', ASIM_OBJECT_TYPES, []],
  ] as const)(
    'every %s value is reached or deliberately unused, never both',
    (field, all, unused) => {
      const reached = new Set(classifications.map((c) => c[field]));
      expect(all.filter((value) => !reached.has(value))).toEqual([...unused]);
    },
  );
});
