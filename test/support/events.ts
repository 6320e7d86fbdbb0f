/** Small, valid v1 events for pipeline tests (the simulator makes realistic traffic; these are minimal). */
export interface TestEventOptions {
  tenant?: string;
  id?: string;
  source?: string;
  time?: string;
  actor?: string;
  database?: string;
  rows?: number;
  status?: 'success' | 'failure' | 'denied';
  statement?: string;
}

export function testEvent(n: number, options: TestEventOptions = {}): Record<string, unknown> {
  const statement =
    options.statement ?? `SELECT id, total FROM dbo.orders WHERE customer_id = ${n}`;
  return {
    specversion: '1.0',
    id: options.id ?? `evt-${String(n).padStart(6, '0')}`,
    source: options.source ?? '/sqlmcp/servers/test-01',
    type: 'com.sqlmcp.tool.invoked',
    time: options.time ?? new Date(Date.UTC(2026, 10, 26, 10, 0, 0) + n * 1000).toISOString(),
    datacontenttype: 'application/json',
    tenantid: options.tenant ?? 'acme',
    data: {
      actor: {
        id: options.actor ?? 'agent-7',
        type: 'agent',
        name: 'Report agent',
        ip: '10.0.0.7',
      },
      client: { name: 'test-client', version: '1.0.0' },
      session: { id: `sess-${Math.floor(n / 10)}` },
      tool: { name: 'execute_sql', arguments: { query: statement } },
      target: {
        server: 'sql-test-01',
        database: options.database ?? 'sales',
        objects: ['dbo.orders'],
      },
      statement: { text: statement, parameters: { customer: n } },
      outcome: {
        status: options.status ?? 'success',
        rowsReturned: options.rows ?? 10,
        durationMs: 12,
      },
      policy: { decision: 'allow', ruleId: 'default' },
    },
  };
}

export function testBody(n: number, options: TestEventOptions = {}): Buffer {
  return Buffer.from(JSON.stringify(testEvent(n, options)), 'utf8');
}
