import { describeSqlToolCall } from '../../../client';

describe('describeSqlToolCall', () => {
  it('takes the SQL text from the first of sql, query, statement', () => {
    expect(describeSqlToolCall({ name: 't', arguments: { statement: 'B', query: 'A' } })).toEqual({
      statement: { text: 'A' },
    });
  });

  it('takes named or positional parameters', () => {
    expect(describeSqlToolCall({ name: 't', arguments: { sql: 'X', params: [1, 'a'] } })).toEqual({
      statement: { text: 'X', parameters: [1, 'a'] },
    });
  });

  it('counts an array of rows', () => {
    const facts = describeSqlToolCall({
      name: 't',
      arguments: {},
      result: { structuredContent: { rows: [{}, {}] } },
    });
    expect(facts).toEqual({ rowsReturned: 2 });
  });

  it('reads rowCount and changes', () => {
    const facts = describeSqlToolCall({
      name: 't',
      arguments: undefined,
      result: { structuredContent: { rowCount: 7, changes: 3 } },
    });
    expect(facts).toEqual({ rowsReturned: 7, rowsAffected: 3 });
  });

  it('ignores counts that are not non-negative integers', () => {
    const facts = describeSqlToolCall({
      name: 't',
      arguments: { query: '' },
      result: { structuredContent: { rowCount: -1, rowsAffected: 1.5 } },
    });
    expect(facts).toEqual({});
  });
});
