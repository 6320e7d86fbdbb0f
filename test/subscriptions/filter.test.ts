import { QuerySyntaxError } from '../../src/query/ql';
import {
  filterMatches,
  parseSubscriptionFilter,
  MAX_FILTER_LENGTH,
} from '../../src/subscriptions/filter';

const NOW = new Date('2026-11-26T11:00:00Z');
const row = {
  tenant: 'acme',
  database: 'sales',
  status: 'denied',
  rowsReturned: 12,
  statementKind: 'SELECT',
};

function syntaxError(text: string): [number, string, string] {
  try {
    parseSubscriptionFilter(text, NOW);
  } catch (error) {
    if (error instanceof QuerySyntaxError) return [error.position, error.token, error.message];
    throw error;
  }
  throw new Error(`expected "${text}" to be refused`);
}

describe('parseSubscriptionFilter', () => {
  it('matches every event with an empty filter', () => {
    expect(filterMatches(parseSubscriptionFilter('', NOW), row)).toBe(true);
  });

  it('matches a row the query language matches', () => {
    expect(
      filterMatches(
        parseSubscriptionFilter('database:sales AND rows>10 AND status:denied', NOW),
        row,
      ),
    ).toBe(true);
  });

  it('does not match a row the query language does not match', () => {
    expect(filterMatches(parseSubscriptionFilter('database:sales AND rows>100', NOW), row)).toBe(
      false,
    );
  });

  it('lifts a tenant term out of the expression', () => {
    const filter = parseSubscriptionFilter('tenant:acme status:denied', NOW);
    expect([filter.tenants, filterMatches(filter, row)]).toEqual([['acme'], true]);
  });

  it.each([
    ['since:24h', 0, 'since:24h'],
    ['status:denied from:2026-01-01', 14, 'from:2026-01-01'],
    ['kind:DDL until:1h', 9, 'until:1h'],
    ['To:2026-12-01 kind:DDL', 0, 'To:2026-12-01'],
  ])('refuses the time term in "%s", at its position', (text, position, token) => {
    expect(syntaxError(text).slice(0, 2)).toEqual([position, token]);
  });

  it('reports a parse error at the bad token', () => {
    expect(syntaxError('status:denied AND (kind:DDL')).toEqual([
      18,
      '(',
      'unclosed "(" at 18: add a ")"',
    ]);
  });

  it(`refuses a filter longer than ${MAX_FILTER_LENGTH} characters`, () => {
    expect(syntaxError(`text:${'a'.repeat(MAX_FILTER_LENGTH)}`)[2]).toBe(
      `the filter is ${MAX_FILTER_LENGTH + 5} characters long; the limit is ${MAX_FILTER_LENGTH}`,
    );
  });
});
