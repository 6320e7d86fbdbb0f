import { evaluate, parseQuery, QuerySyntaxError, TIME_TERMS, type Expr } from '../query/ql';
import { tokenize } from '../query/ql-lexer';

/** Subscription filters are short queries; longer ones are refused at creation. */
export const MAX_FILTER_LENGTH = 2048;

/** A subscription filter, parsed: `tenants` from a `tenant:` term, `expr` for everything else. */
export interface SubscriptionFilter {
  readonly text: string;
  readonly tenants?: readonly string[];
  readonly expr?: Expr;
}

/**
 * Parses a subscription filter in the query language (docs/query.md). Time terms are refused: they choose
 * a range of past events, while a subscription matches each new event as it is accepted.
 * @param now only used to resolve relative values, which a valid filter never contains.
 * @throws QuerySyntaxError naming the offset and the token that is wrong.
 */
export function parseSubscriptionFilter(text: string, now: Date): SubscriptionFilter {
  if (text.length > MAX_FILTER_LENGTH) {
    throw new QuerySyntaxError(
      text,
      MAX_FILTER_LENGTH,
      text.slice(MAX_FILTER_LENGTH, MAX_FILTER_LENGTH + 1),
      `the filter is ${text.length} characters long; the limit is ${MAX_FILTER_LENGTH}`,
    );
  }
  const plan = parseQuery(text, now);
  if (plan.from !== undefined || plan.to !== undefined) {
    const term = tokenize(text).find(
      (token) =>
        token.kind === 'term' &&
        token.field !== undefined &&
        (TIME_TERMS as readonly string[]).includes(token.field.name.toLowerCase()),
    );
    const pos = term?.pos ?? 0;
    const shown = term?.text ?? text;
    throw new QuerySyntaxError(
      text,
      pos,
      shown,
      `"${shown}" at ${pos} selects past events by time; a subscription filter is applied to each new event as it arrives: remove it`,
    );
  }
  return {
    text,
    ...(plan.tenants === undefined ? {} : { tenants: plan.tenants }),
    ...(plan.filter === undefined ? {} : { expr: plan.filter }),
  };
}

/** Whether a hot-store row (src/store/hot-entity.ts plainRow) of the subscription's tenant matches. */
export function filterMatches(
  filter: SubscriptionFilter,
  row: Readonly<Record<string, unknown>>,
): boolean {
  return filter.expr === undefined || evaluate(filter.expr, row);
}
