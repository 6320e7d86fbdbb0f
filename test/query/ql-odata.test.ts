import fc from 'fast-check';
import { evaluate, odataSubset, parseQuery, toODataFilter, type Expr } from '../../src/query/ql';

const NOW = new Date('2025-06-10T12:00:00.000Z');

function filterOf(query: string): Expr {
  const { filter } = parseQuery(query, NOW);
  if (filter === undefined) throw new Error(`${query} has no filter`);
  return filter;
}

/** typed query -> OData $filter (undefined when nothing can run server-side) */
const PUSHDOWN: readonly [string, string | undefined][] = [
  [
    'actor:agent-7 AND database:sales AND rows>1000 AND status:failure since:24h',
    "actorId eq 'agent-7' and database eq 'sales' and rowsReturned gt 1000L and status eq 'failure'",
  ],
  ['actor:"o\'brien"', "actorId eq 'o''brien'"],
  ["actor:it''s", "actorId eq 'it''''s'"],
  ['error:"\'; DROP TABLE x; --"', "errorCode eq '''; DROP TABLE x; --'"],
  ['status!=success', "status ne 'success'"],
  ['type:tool.invoked kind:ddl', "type eq 'com.sqlmcp.tool.invoked' and statementKind eq 'DDL'"],
  [
    'duration>=1.5s affected<=9007199254740991',
    'durationMs ge 1500L and rowsAffected le 9007199254740991L',
  ],
  ['object:salaries actor:x', "actorId eq 'x'"],
  ['object:salaries', undefined],
  ['drop table', undefined],
  ['actor:x (status:failure OR object:y)', "actorId eq 'x'"],
  [
    'actor:x (status:failure OR status:denied)',
    "actorId eq 'x' and (status eq 'failure' or status eq 'denied')",
  ],
  ['status:failure OR status:denied', "status eq 'failure' or status eq 'denied'"],
  ['-status:success actor:x', "actorId eq 'x'"],
  ['NOT (actor:a OR actor:b)', undefined],
  ['actor:agent-*', "actorId ge 'agent-' and actorId lt 'agent.'"],
  ['actor!=agent-*', undefined],
  [
    '(actor:a database:b) OR (actor:c object:z)',
    "(actorId eq 'a' and database eq 'b') or actorId eq 'c'",
  ],
  ['(actor:a object:z) OR object:y', undefined],
  [
    '(actor:a OR actor:b) (database:c OR database:d)',
    "(actorId eq 'a' or actorId eq 'b') and (database eq 'c' or database eq 'd')",
  ],
];

describe('toODataFilter', () => {
  it.each(PUSHDOWN)('%j', (query, expected) => {
    expect(toODataFilter(filterOf(query))).toBe(expected);
  });

  it('keeps at most 15 comparisons, the earliest first', () => {
    const query = Array.from({ length: 20 }, (_, i) => `rows!=${i}`).join(' ');
    const expected = Array.from({ length: 15 }, (_, i) => `rowsReturned ne ${i}L`).join(' and ');
    expect(toODataFilter(filterOf(query))).toBe(expected);
  });

  it('spends only the budget the caller leaves it', () => {
    expect(toODataFilter(filterOf('actor:a database:b tool:c'), { maxComparisons: 2 })).toBe(
      "actorId eq 'a' and database eq 'b'",
    );
  });

  it('leaves out an OR that does not fit the budget whole, and keeps what fits after it', () => {
    expect(
      toODataFilter(filterOf('(actor:a OR actor:b OR actor:c) database:d'), { maxComparisons: 2 }),
    ).toBe("database eq 'd'");
  });

  it('pushes nothing with a budget of zero', () => {
    expect(toODataFilter(filterOf('actor:a'), { maxComparisons: 0 })).toBeUndefined();
  });

  it('leaves out numbers that are not whole', () => {
    const expr: Expr = { kind: 'cmp', field: 'durationMs', op: 'gt', value: 1.5 };
    expect(toODataFilter(expr)).toBeUndefined();
  });

  it('leaves out numbers beyond the safe integer range', () => {
    const expr: Expr = { kind: 'cmp', field: 'rowsReturned', op: 'gt', value: 2 ** 60 };
    expect(toODataFilter(expr)).toBeUndefined();
  });
});

describe('odataSubset', () => {
  const leaf: fc.Arbitrary<Expr> = fc.oneof(
    fc.record({
      kind: fc.constant('cmp' as const),
      field: fc.constantFrom('actorId', 'status'),
      op: fc.constantFrom('eq' as const, 'ne' as const, 'ge' as const, 'lt' as const),
      value: fc.constantFrom('a', 'b', 'c'),
    }),
    fc.record({
      kind: fc.constant('cmp' as const),
      field: fc.constant('rowsReturned' as const),
      op: fc.constantFrom(
        'eq' as const,
        'ne' as const,
        'gt' as const,
        'ge' as const,
        'lt' as const,
        'le' as const,
      ),
      value: fc.integer({ min: 0, max: 4 }),
    }),
    fc.record({
      kind: fc.constant('cmp' as const),
      field: fc.constantFrom('objects', 'statementText'),
      op: fc.constant('contains' as const),
      value: fc.constantFrom('a', 'B'),
    }),
  );
  const expr = fc.letrec<{ expr: Expr }>((tie) => ({
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.record({ kind: fc.constant('not' as const), item: tie('expr') }),
      fc.record({
        kind: fc.constant('and' as const),
        items: fc.array(tie('expr'), { minLength: 2, maxLength: 3 }),
      }),
      fc.record({
        kind: fc.constant('or' as const),
        items: fc.array(tie('expr'), { minLength: 2, maxLength: 3 }),
      }),
    ),
  })).expr;
  const row = fc.record(
    {
      actorId: fc.constantFrom('a', 'b', 'c'),
      status: fc.constantFrom('a', 'b'),
      rowsReturned: fc.integer({ min: 0, max: 4 }),
      objects: fc.constantFrom(['dbo.a'], ['x', 'yb'], []),
      statementText: fc.constantFrom('A b', 'c'),
    },
    { requiredKeys: [] },
  );

  it('is implied by the expression: no row the expression keeps is filtered out server-side', () => {
    fc.assert(
      fc.property(expr, row, fc.integer({ min: 0, max: 6 }), (e, r, budget) => {
        const subset = odataSubset(e, { maxComparisons: budget });
        return !evaluate(e, r) || subset === undefined || evaluate(subset, r);
      }),
      { numRuns: 2000, seed: 20250610 },
    );
  });
});
