import { context, trace, TraceFlags, createTraceState } from '@opentelemetry/api';
import { AuditEventBuilder, InvalidAuditEventError } from '../../../client';
import { UUID_V7_PATTERN } from '../../../client/events/uuidv7';
import { parseEventObject } from '../../../src/schema/parse';
import { enableTestContextManager } from '../support/otel-context';

const NOW = Date.parse('2025-03-14T09:26:53.589Z');
const actor = { id: 'agent-7f3a', type: 'agent' as const };

function builder(overrides: Partial<ConstructorParameters<typeof AuditEventBuilder>[0]> = {}) {
  let n = 0;
  return new AuditEventBuilder({
    source: '/sqlmcp/servers/prod-eu-01',
    tenantId: 'contoso',
    now: () => NOW,
    newId: () => `id-${++n}`,
    ...overrides,
  });
}

describe('AuditEventBuilder', () => {
  it('builds a tool.invoked event with the CloudEvents attributes filled in', () => {
    const event = builder().toolInvoked({
      actor,
      session: { id: 's-1' },
      tool: { name: 'read_query', arguments: { query: 'SELECT 1' } },
      outcome: { status: 'success', rowsReturned: 1, durationMs: 2.5 },
    });
    expect(event).toEqual({
      specversion: '1.0',
      id: 'id-1',
      source: '/sqlmcp/servers/prod-eu-01',
      type: 'com.sqlmcp.tool.invoked',
      time: '2025-03-14T09:26:53.589Z',
      datacontenttype: 'application/json',
      tenantid: 'contoso',
      data: {
        actor,
        session: { id: 's-1' },
        tool: { name: 'read_query', arguments: { query: 'SELECT 1' } },
        outcome: { status: 'success', rowsReturned: 1, durationMs: 2.5 },
      },
    });
  });

  it('builds an event of every type that the pipeline parser accepts', () => {
    const b = builder();
    const events = [
      b.toolInvoked({ actor, tool: { name: 't' }, outcome: { status: 'failure' } }),
      b.sessionStarted({ actor, session: { id: 's' }, client: { name: 'claude-desktop' } }),
      b.sessionEnded({ actor, session: { id: 's' } }),
      b.authFailed({ actor, outcome: { status: 'denied' } }),
      b.policyDenied({ actor, policy: { decision: 'deny', ruleId: 'r-1' } }),
      b.configChanged({
        actor,
        config: { key: 'policy.allowedTools', oldValue: [], newValue: ['x'] },
      }),
    ];
    expect(events.map((e) => [e.type, parseEventObject(e).ok])).toEqual([
      ['com.sqlmcp.tool.invoked', true],
      ['com.sqlmcp.session.started', true],
      ['com.sqlmcp.session.ended', true],
      ['com.sqlmcp.auth.failed', true],
      ['com.sqlmcp.policy.denied', true],
      ['com.sqlmcp.config.changed', true],
    ]);
  });

  it('makes UUIDv7 ids from its clock by default', () => {
    const b = new AuditEventBuilder({ source: '/s', tenantId: 'contoso', now: () => NOW });
    const event = b.sessionEnded({ actor, session: { id: 's' } });
    expect(event.id).toMatch(UUID_V7_PATTERN);
    expect(parseInt(event.id.replace(/-/g, '').slice(0, 12), 16)).toBe(NOW);
  });

  it('takes id, time, tenant, subject and partition key from the attributes', () => {
    const event = builder().sessionEnded(
      { actor, session: { id: 's' } },
      {
        id: 'given',
        time: new Date('2024-12-31T23:59:59.000Z'),
        tenantId: 'fabrikam',
        subject: 'SalesDb',
        partitionkey: 'fabrikam-sales',
      },
    );
    expect([event.id, event.time, event.tenantid, event.subject, event.partitionkey]).toEqual([
      'given',
      '2024-12-31T23:59:59.000Z',
      'fabrikam',
      'SalesDb',
      'fabrikam-sales',
    ]);
  });

  it('drops undefined optional fields instead of refusing them', () => {
    const event = builder().toolInvoked({
      actor: { ...actor, name: undefined },
      tool: { name: 't', arguments: undefined },
      outcome: { status: 'success', rowsReturned: undefined },
    });
    expect(event.data).toEqual({ actor, tool: { name: 't' }, outcome: { status: 'success' } });
  });

  it('throws InvalidAuditEventError with the pipeline rejection for a field the schema refuses', () => {
    const build = () =>
      builder().toolInvoked({
        actor,
        tool: { name: 't' },
        outcome: { status: 'success', rowsReturned: -1 },
      });
    expect(build).toThrow(InvalidAuditEventError);
    expect(build).toThrow(
      'invalid audit event com.sqlmcp.tool.invoked id-1: /data/outcome/rowsReturned: must be >= 0 (schema)',
    );
  });

  it('carries the rejection code and pointer on the error', () => {
    let caught: unknown;
    try {
      builder({ tenantId: 'Not_A_Tenant' }).sessionEnded({ actor, session: { id: 's' } });
    } catch (error) {
      caught = error;
    }
    expect((caught as InvalidAuditEventError).rejection).toEqual({
      code: 'invalid-tenant',
      pointer: '/tenantid',
      message:
        '/tenantid: must be a string matching ^[a-z0-9][a-z0-9-]{1,62}$ (2-63 lower-case letters, digits or hyphens, starting with a letter or digit)',
    });
  });

  it('refuses a NaN duration, which JSON would turn into null', () => {
    expect(() =>
      builder().toolInvoked({
        actor,
        tool: { name: 't' },
        outcome: { status: 'success', durationMs: NaN },
      }),
    ).toThrow('/data/outcome/durationMs: must be a number (schema)');
  });
});

describe('trace context', () => {
  let disable: () => void;
  beforeAll(() => {
    disable = enableTestContextManager();
  });
  afterAll(() => disable());

  const spanContext = {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: TraceFlags.SAMPLED,
  };

  it('has no traceparent outside a span', () => {
    const event = builder().sessionEnded({ actor, session: { id: 's' } });
    expect(event.traceparent).toBeUndefined();
  });

  it('takes traceparent from the active span', () => {
    const active = trace.setSpanContext(context.active(), spanContext);
    const event = context.with(active, () =>
      builder().sessionEnded({ actor, session: { id: 's' } }),
    );
    expect(event.traceparent).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(event.tracestate).toBeUndefined();
  });

  it('takes tracestate along with traceparent', () => {
    const active = trace.setSpanContext(context.active(), {
      ...spanContext,
      traceFlags: TraceFlags.NONE,
      traceState: createTraceState('vendor=abc,other=1'),
    });
    const event = context.with(active, () =>
      builder().sessionEnded({ actor, session: { id: 's' } }),
    );
    expect([event.traceparent, event.tracestate]).toEqual([
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00',
      'vendor=abc,other=1',
    ]);
  });

  it('takes traceparent from an explicit context', () => {
    const explicit = trace.setSpanContext(context.active(), spanContext);
    const event = builder().sessionEnded(
      { actor, session: { id: 's' } },
      { otelContext: explicit },
    );
    expect(event.traceparent).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
  });

  it('ignores an invalid span context', () => {
    const invalid = trace.setSpanContext(context.active(), {
      ...spanContext,
      traceId: '0'.repeat(32),
    });
    const event = context.with(invalid, () =>
      builder().sessionEnded({ actor, session: { id: 's' } }),
    );
    expect(event.traceparent).toBeUndefined();
  });

  it('prefers an explicit traceparent', () => {
    const active = trace.setSpanContext(context.active(), spanContext);
    const event = context.with(active, () =>
      builder().sessionEnded(
        { actor, session: { id: 's' } },
        { traceparent: '00-11111111111111111111111111111111-2222222222222222-01' },
      ),
    );
    expect(event.traceparent).toBe('00-11111111111111111111111111111111-2222222222222222-01');
  });
});
