import { parseQuery, QueryError, QuerySyntaxError } from '../../src/query/ql';

const NOW = new Date('2025-06-10T12:00:00.000Z');

function syntaxError(query: string): QuerySyntaxError {
  try {
    parseQuery(query, NOW);
  } catch (error) {
    if (error instanceof QuerySyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(query)} to be rejected`);
}

const FIELDS =
  'actor, user, actortype, database, server, tool, status, type, session, kind, rows, affected, duration, ip, error, policy, rule, fingerprint, object, text, since, from, until, to, tenant';
const TIME = 'a duration like 30m, 24h, 7d or an ISO 8601 time like 2025-06-01T00:00:00Z';
const PLACEMENT =
  'must be AND-ed at the top level: time and tenant terms select partitions, so they cannot sit under OR or NOT';

/** query, position, token, message */
const REJECTED: readonly [string, number, string, string][] = [
  ['databse:sales', 0, 'databse', `unknown field "databse" at 0: expected one of ${FIELDS}`],
  ['actor:x databse>3', 8, 'databse', `unknown field "databse" at 8: expected one of ${FIELDS}`],
  [
    'rows>many',
    5,
    'many',
    'invalid number "many" for "rows" at 5: expected a whole number like rows>1000',
  ],
  [
    'rows>-5',
    5,
    '-5',
    'invalid number "-5" for "rows" at 5: expected a whole number like rows>1000',
  ],
  [
    'rows>1.5',
    5,
    '1.5',
    'invalid number "1.5" for "rows" at 5: expected a whole number like rows>1000',
  ],
  [
    'duration>fast',
    9,
    'fast',
    'invalid duration "fast" for "duration" at 9: expected milliseconds or a value like 250ms, 2s, 1m',
  ],
  [
    'duration>0.5ms',
    9,
    '0.5ms',
    'invalid duration "0.5ms" for "duration" at 9: expected milliseconds or a value like 250ms, 2s, 1m',
  ],
  [
    'actor>5',
    5,
    '>',
    'operator ">" does not apply to "actor" at 5: only rows, affected and duration can be compared',
  ],
  [
    'kind>=DDL',
    4,
    '>=',
    'operator ">=" does not apply to "kind" at 4: only rows, affected and duration can be compared',
  ],
  [
    'object:<3',
    6,
    ':<',
    'operator "<" does not apply to "object" at 6: only rows, affected and duration can be compared',
  ],
  [
    'status:failed',
    7,
    'failed',
    'invalid status "failed" at 7: expected one of success, failure, denied',
  ],
  [
    'type:tool.called',
    5,
    'tool.called',
    'invalid type "tool.called" at 5: expected one of tool.invoked, session.started, session.ended, auth.failed, policy.denied, config.changed',
  ],
  [
    'actortype:robot',
    10,
    'robot',
    'invalid actortype "robot" at 10: expected one of user, agent, service',
  ],
  [
    'actor:',
    6,
    '',
    'missing value for "actor" at 6: write actor:<value>, in double quotes if it has spaces',
  ],
  [
    'actor: x',
    6,
    '',
    'missing value for "actor" at 6: write actor:<value>, in double quotes if it has spaces',
  ],
  [
    'actor:""',
    6,
    '',
    'missing value for "actor" at 6: write actor:<value>, in double quotes if it has spaces',
  ],
  ['actor:*', 6, '*', 'empty prefix "*" for "actor" at 6: put at least one character before *'],
  ['actor:"a b', 6, '"', 'unterminated quoted value at 6: add a closing "'],
  ['"drop table', 0, '"', 'unterminated quoted value at 0: add a closing "'],
  ['actor:"a"b', 9, 'b', 'unexpected "b" after closing quote at 9: add a space'],
  ['""', 0, '""', 'empty search text at 0'],
  ['(actor:x', 0, '(', 'unclosed "(" at 0: add a ")"'],
  ['database:y (actor:x OR (tool:t)', 11, '(', 'unclosed "(" at 11: add a ")"'],
  ['actor:x)', 7, ')', 'unexpected ")" at 7: no "(" to close'],
  ['actor:x AND', 11, '', 'unexpected end of query at 11: expected a term after "AND"'],
  ['NOT', 3, '', 'unexpected end of query at 3: expected a term after "NOT"'],
  ['actor:x OR ', 11, '', 'unexpected end of query at 11: expected a term after "OR"'],
  ['OR actor:x', 0, 'OR', 'unexpected "OR" at 0: expected a term'],
  ['actor:x AND OR y', 12, 'OR', 'unexpected "OR" at 12: expected a term'],
  ['()', 1, ')', 'unexpected ")" at 1: expected a term'],
  ['- actor:x', 0, '-', 'missing term after "-" at 0'],
  ['actor:x -', 8, '-', 'missing term after "-" at 8'],
  ['since:1h OR actor:x', 0, 'since:1h', `"since" at 0 ${PLACEMENT}`],
  ['actor:x OR since:1h', 11, 'since:1h', `"since" at 11 ${PLACEMENT}`],
  ['-tenant:contoso', 0, '-tenant:contoso', `"tenant" at 0 ${PLACEMENT}`],
  ['NOT until:1d', 4, 'until:1d', `"until" at 4 ${PLACEMENT}`],
  [
    'actor:x (database:y OR (tenant:contoso actor:z))',
    24,
    'tenant:contoso',
    `"tenant" at 24 ${PLACEMENT}`,
  ],
  [
    'since:yesterday',
    6,
    'yesterday',
    `invalid time "yesterday" for "since" at 6: expected ${TIME}`,
  ],
  [
    'from:2025-13-01',
    5,
    '2025-13-01',
    `invalid time "2025-13-01" for "from" at 5: expected ${TIME}`,
  ],
  [
    'from:2025-02-30',
    5,
    '2025-02-30',
    `invalid time "2025-02-30" for "from" at 5: expected ${TIME}`,
  ],
  [
    'from:2025-06-01T24:00Z',
    5,
    '2025-06-01T24:00Z',
    `invalid time "2025-06-01T24:00Z" for "from" at 5: expected ${TIME}`,
  ],
  [
    'from:2025-06-01T10:00',
    5,
    '2025-06-01T10:00',
    `invalid time "2025-06-01T10:00" for "from" at 5: expected ${TIME}`,
  ],
  ['to:', 3, '', `missing value for "to" at 3: expected ${TIME}`],
  ['since>1h', 5, '>', 'operator ">" does not apply to "since" at 5: write since:<time>'],
  [
    'from:2025-06-02 to:2025-06-01',
    16,
    'to:2025-06-01',
    'empty time range at 16: from 2025-06-02T00:00:00.000Z is not before to 2025-06-01T00:00:00.000Z',
  ],
  [
    'since:1d until:1d',
    9,
    'until:1d',
    'empty time range at 9: from 2025-06-09T12:00:00.000Z is not before to 2025-06-09T12:00:00.000Z',
  ],
  [
    'tenant!=contoso',
    6,
    '!=',
    'operator "!=" does not apply to "tenant" at 6: write tenant:<id> or tenant:<id>,<id>',
  ],
  [
    'tenant:Contoso',
    7,
    'Contoso',
    'invalid tenant "Contoso" at 7: expected 2-63 lower-case letters, digits or hyphens, starting with a letter or digit',
  ],
  [
    'tenant:a',
    7,
    'a',
    'invalid tenant "a" at 7: expected 2-63 lower-case letters, digits or hyphens, starting with a letter or digit',
  ],
  [
    'tenant:contoso,',
    7,
    'contoso,',
    'invalid tenant "" at 7: expected 2-63 lower-case letters, digits or hyphens, starting with a letter or digit',
  ],
  [
    'tenant:contoso tenant:fabrikam',
    22,
    'fabrikam',
    'tenant "fabrikam" at 22 excludes tenant "contoso" given before: list alternatives in one term, e.g. tenant:a,b',
  ],
];

describe('parseQuery rejects', () => {
  it.each(REJECTED)('%j', (query, position, token, message) => {
    const error = syntaxError(query);
    expect({
      position: error.position,
      token: error.token,
      message: error.message,
      query: error.query,
    }).toEqual({
      position,
      token,
      message,
      query,
    });
  });
});

describe('QuerySyntaxError', () => {
  it('is a QueryError and an Error named QuerySyntaxError', () => {
    const error = syntaxError('databse:sales');
    expect([error instanceof QueryError, error instanceof Error, error.name]).toEqual([
      true,
      true,
      'QuerySyntaxError',
    ]);
  });

  it('puts a caret under each character of the bad token', () => {
    expect(syntaxError('databse:sales').caret()).toBe('databse:sales\n^^^^^^^');
  });

  it('puts the caret after the last character when the query ends too early', () => {
    expect(syntaxError('actor:x AND').caret()).toBe('actor:x AND\n           ^');
  });

  it('shows only the line holding the bad token and keeps tabs for alignment', () => {
    expect(syntaxError('actor:x\n\tstatus:failed').caret()).toBe(
      '\tstatus:failed\n\t       ^^^^^^',
    );
  });

  it('stops the carets at the end of the line when the token spans lines', () => {
    expect(syntaxError('actor:"a\nb').caret()).toBe('actor:"a\n      ^');
  });
});
