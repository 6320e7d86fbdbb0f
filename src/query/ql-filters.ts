import { QueryParameterError } from './ql-errors';
import { parseQuery } from './ql-parser';
import { resolveTerm, type TermSite } from './ql-terms';
import { allOf, type Expr, type QueryPlan } from './ql-types';

/** HTTP filter parameters that compare one field for equality, in the order their filters are AND-ed. */
const FIELD_PARAMETERS = ['actor', 'database', 'tool', 'status', 'type', 'session'] as const;

/** Every parameter filtersToPlan reads; others (limit, continuationToken, ...) are left to the caller. */
export const FILTER_PARAMETERS = ['from', 'to', 'tenant', ...FIELD_PARAMETERS, 'q'] as const;

/**
 * The plan for `GET /api/events` filters. Each parameter means what the same term means in a typed
 * query (`actor=agent-7` is `actor:agent-7`, `from=24h` is `from:24h`), and `q` is a typed query AND-ed
 * with the rest, so one plan serves both. Empty values count as absent.
 *
 * @throws QueryParameterError for a bad parameter other than `q`; QuerySyntaxError for a bad `q`.
 */
export function filtersToPlan(
  params: Readonly<Record<string, string | undefined>>,
  now: Date,
): QueryPlan {
  const plan: QueryPlan = {};
  const filters: Expr[] = [];
  for (const parameter of ['from', 'to', 'tenant', ...FIELD_PARAMETERS] as const) {
    const value = params[parameter];
    if (value === undefined || value === '') continue;
    const term = resolveTerm(
      { name: parameter, op: ':', value, quoted: false },
      now,
      parameterSite(parameter, value),
    );
    if (term.kind === 'filter') filters.push(term.expr);
    else if (term.kind === 'tenants') plan.tenants = [...term.tenants];
    else if (term.bound === 'from') plan.from = term.at;
    else plan.to = term.at;
  }
  const q = params.q;
  const typed = q === undefined || q === '' ? {} : parseQuery(q, now);
  if (typed.from !== undefined && (plan.from === undefined || typed.from > plan.from))
    plan.from = typed.from;
  if (typed.to !== undefined && (plan.to === undefined || typed.to < plan.to)) plan.to = typed.to;
  if (plan.from !== undefined && plan.to !== undefined && plan.from >= plan.to) {
    const parameter = params.to === undefined || params.to === '' ? 'q' : 'to';
    throw new QueryParameterError(
      parameter,
      params[parameter] ?? '',
      `empty time range: from ${plan.from.toISOString()} is not before to ${plan.to.toISOString()}`,
    );
  }
  if (typed.tenants !== undefined) {
    const tenants =
      plan.tenants === undefined
        ? typed.tenants
        : plan.tenants.filter((t) => typed.tenants?.includes(t));
    if (tenants.length === 0) {
      throw new QueryParameterError(
        'q',
        q ?? '',
        `tenant ${typed.tenants.join(',')} in parameter q excludes tenant ${(plan.tenants ?? []).join(',')} in parameter tenant`,
      );
    }
    plan.tenants = tenants;
  }
  const filter = allOf(typed.filter === undefined ? filters : [...filters, typed.filter]);
  if (filter !== undefined) plan.filter = filter;
  return plan;
}

function parameterSite(parameter: string, value: string): TermSite {
  return {
    fail: (_part, problem, detail) => {
      throw new QueryParameterError(
        parameter,
        value,
        `${problem} in parameter ${parameter}${detail === undefined ? '' : `: ${detail}`}`,
      );
    },
  };
}
