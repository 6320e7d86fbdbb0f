import {
  filtersToPlan,
  parseQuery,
  QueryParameterError,
  QuerySyntaxError,
} from '../../src/query/ql';

const NOW = new Date('2025-06-10T12:00:00.000Z');

function parameterError(params: Record<string, string | undefined>): QueryParameterError {
  try {
    filtersToPlan(params, NOW);
  } catch (error) {
    if (error instanceof QueryParameterError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(params)} to be rejected`);
}

describe('filtersToPlan', () => {
  it('turns every filter parameter into the plan, q AND-ed last', () => {
    const plan = filtersToPlan(
      {
        from: '2025-06-01T00:00:00Z',
        to: '2025-06-10T00:00:00Z',
        tenant: 'contoso,fabrikam',
        actor: 'agent-7',
        database: 'sales',
        tool: 'read_query',
        status: 'failure',
        type: 'tool.invoked',
        session: 's-1',
        q: 'rows>10 since:7d tenant:fabrikam',
      },
      NOW,
    );
    expect(plan).toEqual({
      from: new Date('2025-06-03T12:00:00.000Z'),
      to: new Date('2025-06-10T00:00:00.000Z'),
      tenants: ['fabrikam'],
      filter: {
        kind: 'and',
        items: [
          { kind: 'cmp', field: 'actorId', op: 'eq', value: 'agent-7' },
          { kind: 'cmp', field: 'database', op: 'eq', value: 'sales' },
          { kind: 'cmp', field: 'toolName', op: 'eq', value: 'read_query' },
          { kind: 'cmp', field: 'status', op: 'eq', value: 'failure' },
          { kind: 'cmp', field: 'type', op: 'eq', value: 'com.sqlmcp.tool.invoked' },
          { kind: 'cmp', field: 'sessionId', op: 'eq', value: 's-1' },
          { kind: 'cmp', field: 'rowsReturned', op: 'gt', value: 10 },
        ],
      },
    });
  });

  it('gives the same plan as the typed query with the same terms', () => {
    expect(
      filtersToPlan({ actor: 'agent-7', status: 'failure', from: '24h', tenant: 'contoso' }, NOW),
    ).toEqual(parseQuery('since:24h tenant:contoso actor:agent-7 status:failure', NOW));
  });

  it('treats empty values as absent and ignores parameters it does not know', () => {
    expect(
      filtersToPlan(
        { actor: '', q: '', limit: '50', continuationToken: 'abc', status: undefined },
        NOW,
      ),
    ).toEqual({});
  });

  it('reads a trailing * in a parameter as a prefix, as in a query', () => {
    expect(filtersToPlan({ actor: 'agent-*' }, NOW)).toEqual(parseQuery('actor:agent-*', NOW));
  });

  it('keeps the later from and the earlier to when both the parameters and q bound time', () => {
    const plan = filtersToPlan({ from: '7d', to: '1h', q: 'since:30d until:2d' }, NOW);
    expect([plan.from?.toISOString(), plan.to?.toISOString()]).toEqual([
      '2025-06-03T12:00:00.000Z',
      '2025-06-08T12:00:00.000Z',
    ]);
  });

  it.each([
    [
      { status: 'failed' },
      'status',
      'failed',
      'invalid status "failed" in parameter status: expected one of success, failure, denied',
    ],
    [
      { type: 'tool.called' },
      'type',
      'tool.called',
      'invalid type "tool.called" in parameter type: expected one of tool.invoked, session.started, session.ended, auth.failed, policy.denied, config.changed',
    ],
    [
      { from: 'yesterday' },
      'from',
      'yesterday',
      'invalid time "yesterday" for "from" in parameter from: expected a duration like 30m, 24h, 7d or an ISO 8601 time like 2025-06-01T00:00:00Z',
    ],
    [
      { tenant: 'Contoso' },
      'tenant',
      'Contoso',
      'invalid tenant "Contoso" in parameter tenant: expected 2-63 lower-case letters, digits or hyphens, starting with a letter or digit',
    ],
    [
      { actor: '*' },
      'actor',
      '*',
      'empty prefix "*" for "actor" in parameter actor: put at least one character before *',
    ],
    [
      { from: '2025-06-02', to: '2025-06-01' },
      'to',
      '2025-06-01',
      'empty time range: from 2025-06-02T00:00:00.000Z is not before to 2025-06-01T00:00:00.000Z',
    ],
    [
      { from: '2025-06-02', q: 'until:2025-06-01' },
      'q',
      'until:2025-06-01',
      'empty time range: from 2025-06-02T00:00:00.000Z is not before to 2025-06-01T00:00:00.000Z',
    ],
    [
      { tenant: 'contoso', q: 'tenant:fabrikam' },
      'q',
      'tenant:fabrikam',
      'tenant fabrikam in parameter q excludes tenant contoso in parameter tenant',
    ],
  ])('rejects %j', (params, parameter, value, message) => {
    const error = parameterError(params);
    expect({ parameter: error.parameter, value: error.value, message: error.message }).toEqual({
      parameter,
      value,
      message,
    });
  });

  it('reports a bad q as a QuerySyntaxError with its offset in q', () => {
    let caught: unknown;
    try {
      filtersToPlan({ actor: 'x', q: 'databse:sales' }, NOW);
    } catch (error) {
      caught = error;
    }
    expect(
      caught instanceof QuerySyntaxError ? [caught.query, caught.position, caught.token] : caught,
    ).toEqual(['databse:sales', 0, 'databse']);
  });
});
