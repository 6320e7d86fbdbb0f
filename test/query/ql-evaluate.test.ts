import { evaluate, parseQuery, type Expr } from '../../src/query/ql';

const NOW = new Date('2025-06-10T12:00:00.000Z');

function matches(query: string, row: Record<string, unknown>): boolean {
  const { filter } = parseQuery(query, NOW);
  if (filter === undefined) throw new Error(`${query} has no filter`);
  return evaluate(filter, row);
}

const ROW = {
  actorId: 'agent-7',
  actorType: 'agent',
  database: 'sales',
  status: 'failure',
  type: 'com.sqlmcp.tool.invoked',
  rowsReturned: 1500,
  durationMs: 2300,
  objects: ['dbo.Orders', 'dbo.Customers'],
  statementText: 'SELECT * FROM dbo.Orders WHERE id = 1 OR 1=1',
};

/** query, row, expected */
const CASES: readonly [string, Record<string, unknown>, boolean][] = [
  ['actor:agent-7', ROW, true],
  ['actor:Agent-7', ROW, false],
  ['actor:agent', ROW, false],
  ['actor!=agent-7', ROW, false],
  ['actor!=agent-8', ROW, true],
  ['actor!=x', {}, false],
  ['-actor:x', {}, true],
  ['actor:x', { actorId: null }, false],
  ['actor:agent-*', ROW, true],
  ['actor:agent-*', { actorId: 'agent' }, false],
  ['actor:agent-*', { actorId: 'agents' }, false],
  ['actor:agent-*', { actorId: 'agent-' }, true],
  ['rows>1000', ROW, true],
  ['rows>1500', ROW, false],
  ['rows>=1500', ROW, true],
  ['rows<1500', ROW, false],
  ['rows<=1500', ROW, true],
  ['rows:1500', ROW, true],
  ['rows!=1500', ROW, false],
  ['rows>1000', { rowsReturned: BigInt(1001) }, true],
  ['rows>1000', { rowsReturned: BigInt('90071992547409930') }, true],
  ['rows>1000', { rowsReturned: '1001' }, true],
  ['rows>1000', { rowsReturned: { value: '1001', type: 'Int64' } }, true],
  ['rows>1000', { rowsReturned: 'many' }, false],
  ['rows>1000', { rowsReturned: true }, false],
  ['rows>1000', {}, false],
  ['duration>2s', ROW, true],
  ['duration>2.3s', ROW, false],
  ['status:failure', ROW, true],
  ['status:failure', { status: 1 }, false],
  ['type:tool.invoked', ROW, true],
  ['object:orders', ROW, true],
  ['object:ORDERS', ROW, true],
  ['object:invoices', ROW, false],
  ['object:orders', { objects: 'dbo.orders,dbo.customers' }, true],
  ['object:orders', { objects: '["dbo.orders"]' }, true],
  ['object!=orders', ROW, false],
  ['object:orders', {}, false],
  ['"or 1=1"', ROW, true],
  ['select where', ROW, true],
  ['select OR nothing', ROW, true],
  ['nothing OR missing', ROW, false],
  ['-"1=1"', ROW, false],
  ['actor:agent-7 AND (status:success OR rows>1000)', ROW, true],
  ['actor:agent-7 AND NOT (status:failure OR rows>1000)', ROW, false],
];

describe('evaluate', () => {
  it.each(CASES)('%j on %j is %j', (query, row, expected) => {
    expect(matches(query, row)).toBe(expected);
  });

  it('matches an equality against any element of an array column', () => {
    const expr: Expr = { kind: 'cmp', field: 'objects', op: 'eq', value: 'dbo.Orders' };
    expect(evaluate(expr, ROW)).toBe(true);
  });

  it('compares Int64 bigints exactly beyond 2^53', () => {
    const expr: Expr = { kind: 'cmp', field: 'rowsReturned', op: 'gt', value: 9007199254740991 };
    expect(evaluate(expr, { rowsReturned: BigInt('9007199254740993') })).toBe(true);
  });
});
