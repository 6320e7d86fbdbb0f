import { parseQuery, type Expr, type QueryPlan } from '../../src/query/ql';

const NOW = new Date('2025-06-10T12:00:00.000Z');

/** Plans with dates written as ISO strings, so the table below reads like the JSON a plan prints as. */
interface ExpectedPlan {
  from?: string;
  to?: string;
  tenants?: string[];
  filter?: Expr;
}

function readable(plan: QueryPlan): ExpectedPlan {
  const out: ExpectedPlan = {};
  if (plan.from !== undefined) out.from = plan.from.toISOString();
  if (plan.to !== undefined) out.to = plan.to.toISOString();
  if (plan.tenants !== undefined) out.tenants = plan.tenants;
  if (plan.filter !== undefined) out.filter = plan.filter;
  return out;
}

const eq = (field: string, value: string | number): Expr =>
  ({ kind: 'cmp', field, op: 'eq', value }) as Expr;
const cmp = (field: string, op: string, value: string | number): Expr =>
  ({ kind: 'cmp', field, op, value }) as Expr;
const and = (...items: Expr[]): Expr => ({ kind: 'and', items });
const or = (...items: Expr[]): Expr => ({ kind: 'or', items });
const not = (item: Expr): Expr => ({ kind: 'not', item });
const text = (value: string): Expr => cmp('statementText', 'contains', value);

const ACCEPTED: readonly [string, ExpectedPlan][] = [
  ['', {}],
  ['   ', {}],
  ['actor:agent-7', { filter: eq('actorId', 'agent-7') }],
  ['user:maria.garcia', { filter: eq('actorId', 'maria.garcia') }],
  [
    'actor:agent-7 AND database:sales AND rows>1000 AND status:failure since:24h',
    {
      from: '2025-06-09T12:00:00.000Z',
      filter: and(
        eq('actorId', 'agent-7'),
        eq('database', 'sales'),
        cmp('rowsReturned', 'gt', 1000),
        eq('status', 'failure'),
      ),
    },
  ],
  [
    'database:sales tool:read_query',
    { filter: and(eq('database', 'sales'), eq('toolName', 'read_query')) },
  ],
  ['actor:x and database:y', { filter: and(eq('actorId', 'x'), eq('database', 'y')) }],
  [
    'status:failure OR status:denied',
    { filter: or(eq('status', 'failure'), eq('status', 'denied')) },
  ],
  ['a OR b c', { filter: or(text('a'), and(text('b'), text('c'))) }],
  ['a b OR c', { filter: or(and(text('a'), text('b')), text('c')) }],
  ['NOT status:success', { filter: not(eq('status', 'success')) }],
  ['-status:success', { filter: not(eq('status', 'success')) }],
  ['status!=success', { filter: cmp('status', 'ne', 'success') }],
  ['actor=x', { filter: eq('actorId', 'x') }],
  ['-(actor:a OR actor:b)', { filter: not(or(eq('actorId', 'a'), eq('actorId', 'b'))) }],
  ['((actor:x))', { filter: eq('actorId', 'x') }],
  [
    'server:sql-prod-01 AND NOT (status:success OR status:denied)',
    {
      filter: and(
        eq('server', 'sql-prod-01'),
        not(or(eq('status', 'success'), eq('status', 'denied'))),
      ),
    },
  ],
  [
    'rows>=10 rows<=20 affected<5 affected:>1 rows:0',
    {
      filter: and(
        cmp('rowsReturned', 'ge', 10),
        cmp('rowsReturned', 'le', 20),
        cmp('rowsAffected', 'lt', 5),
        cmp('rowsAffected', 'gt', 1),
        eq('rowsReturned', 0),
      ),
    },
  ],
  ['rows!=3', { filter: cmp('rowsReturned', 'ne', 3) }],
  [
    'duration>=1.5s duration<250ms duration:1m duration>120',
    {
      filter: and(
        cmp('durationMs', 'ge', 1500),
        cmp('durationMs', 'lt', 250),
        eq('durationMs', 60000),
        cmp('durationMs', 'gt', 120),
      ),
    },
  ],
  ['type:tool.invoked', { filter: eq('type', 'com.sqlmcp.tool.invoked') }],
  ['type:com.sqlmcp.auth.failed', { filter: eq('type', 'com.sqlmcp.auth.failed') }],
  ['TYPE:Policy.Denied', { filter: eq('type', 'com.sqlmcp.policy.denied') }],
  [
    'kind:ddl actortype:Agent policy:DENY',
    {
      filter: and(
        eq('statementKind', 'DDL'),
        eq('actorType', 'agent'),
        eq('policyDecision', 'deny'),
      ),
    },
  ],
  ['object:salaries', { filter: cmp('objects', 'contains', 'salaries') }],
  ['object!=salaries', { filter: not(cmp('objects', 'contains', 'salaries')) }],
  ['drop table', { filter: and(text('drop'), text('table')) }],
  ['"drop table"', { filter: text('drop table') }],
  ['-waitfor', { filter: not(text('waitfor')) }],
  ["users'--", { filter: text("users'--") }],
  ['text:"union select"', { filter: text('union select') }],
  ['"or"', { filter: text('or') }],
  ['actor:"say \\"hi\\" \\\\ back"', { filter: eq('actorId', 'say "hi" \\ back') }],
  ['actor:"agent*"', { filter: eq('actorId', 'agent*') }],
  [
    'actor:agent-*',
    { filter: and(cmp('actorId', 'ge', 'agent-'), cmp('actorId', 'lt', 'agent.')) },
  ],
  [
    'actor!=agent-*',
    { filter: not(and(cmp('actorId', 'ge', 'agent-'), cmp('actorId', 'lt', 'agent.'))) },
  ],
  [
    'ip:10.0.0.1 error:208 rule:agents-read-only fingerprint:fp_ab12 session:01972f39-b300',
    {
      filter: and(
        eq('actorIp', '10.0.0.1'),
        eq('errorCode', '208'),
        eq('policyRuleId', 'agents-read-only'),
        eq('fingerprintId', 'fp_ab12'),
        eq('sessionId', '01972f39-b300'),
      ),
    },
  ],
  ['tenant:contoso', { tenants: ['contoso'] }],
  ['tenant:contoso,fabrikam,contoso', { tenants: ['contoso', 'fabrikam'] }],
  ['tenant:contoso,fabrikam tenant:fabrikam', { tenants: ['fabrikam'] }],
  ['since:7d until:1d', { from: '2025-06-03T12:00:00.000Z', to: '2025-06-09T12:00:00.000Z' }],
  ['since:30m', { from: '2025-06-10T11:30:00.000Z' }],
  ['since:45s', { from: '2025-06-10T11:59:15.000Z' }],
  ['since:2w', { from: '2025-05-27T12:00:00.000Z' }],
  [
    'from:2025-06-01 to:2025-06-02T12:30:00+02:00',
    { from: '2025-06-01T00:00:00.000Z', to: '2025-06-02T10:30:00.000Z' },
  ],
  ['since:2025-06-01T00:00:00.123Z', { from: '2025-06-01T00:00:00.123Z' }],
  ['from:2025-06-01T10:00Z', { from: '2025-06-01T10:00:00.000Z' }],
  ['since:7d since:1d', { from: '2025-06-09T12:00:00.000Z' }],
  ['to:1d until:2d', { to: '2025-06-08T12:00:00.000Z' }],
  [
    '(since:1h actor:x) database:y',
    { from: '2025-06-10T11:00:00.000Z', filter: and(eq('actorId', 'x'), eq('database', 'y')) },
  ],
  [
    'since:1h tenant:contoso (actor:a OR actor:b)',
    {
      from: '2025-06-10T11:00:00.000Z',
      tenants: ['contoso'],
      filter: or(eq('actorId', 'a'), eq('actorId', 'b')),
    },
  ],
  ['Actor:x', { filter: eq('actorId', 'x') }],
  ['actor:x\n\tdatabase:y', { filter: and(eq('actorId', 'x'), eq('database', 'y')) }],
];

describe('parseQuery accepts', () => {
  it.each(ACCEPTED)('%j', (query, expected) => {
    expect(readable(parseQuery(query, NOW))).toEqual(expected);
  });
});
