import type { DeliveredEvent } from '../../../src/pipeline/delivered';
import type { AuditEvent } from '../../../src/schema/types';

/** A valid tool call: an agent reading orders; `overrides` replaces top-level attributes, `data` is merged. */
export function toolEvent(id: string, overrides: Partial<AuditEvent> = {}): AuditEvent {
  const base: AuditEvent = {
    specversion: '1.0',
    id,
    source: '/sqlmcp/servers/prod-01',
    type: 'com.sqlmcp.tool.invoked',
    time: '2025-03-04T05:06:07.089Z',
    tenantid: 'contoso',
    datacontenttype: 'application/json',
    data: {
      actor: { id: 'agent-7', type: 'agent', name: 'report-bot', ip: '203.0.113.9' },
      client: { name: 'claude-desktop', version: '1.4.2' },
      session: { id: 'sess-42' },
      tool: { name: 'run_query', arguments: { sql: 'SELECT * FROM dbo.Orders' } },
      target: { server: 'sql-prod-01', database: 'sales', objects: ['dbo.Orders'] },
      statement: { text: 'SELECT * FROM dbo.Orders WHERE region = @r', parameters: { r: 'EU' } },
      outcome: { status: 'success', rowsReturned: 120000, durationMs: 850 },
      policy: { decision: 'allow', ruleId: 'read-sales' },
    },
  };
  return { ...base, ...overrides, data: { ...base.data, ...(overrides.data ?? {}) } };
}

/** Delivered events of one partition, consecutive sequence numbers from `firstSequenceNumber`. */
export function deliver(
  partitionId: string,
  firstSequenceNumber: number,
  bodies: readonly (AuditEvent | string)[],
  enqueuedTime = new Date('2025-03-04T05:06:30.000Z'),
): DeliveredEvent[] {
  return bodies.map((body, i) => ({
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8'),
    partitionId,
    sequenceNumber: firstSequenceNumber + i,
    offset: String((firstSequenceNumber + i) * 1000),
    enqueuedTime,
  }));
}
