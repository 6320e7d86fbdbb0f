import { QuerySyntaxError } from './ql-errors';
import { tokenize, type TermToken, type Token } from './ql-lexer';
import { resolveTerm, type ResolvedTerm, type TermSite } from './ql-terms';
import { allOf, anyOf, type Expr, type QueryPlan } from './ql-types';

/** The parse tree before time and tenant terms are lifted out of it. */
type Node =
  | { readonly kind: 'and' | 'or'; readonly items: readonly Node[] }
  | { readonly kind: 'not'; readonly item: Node }
  | {
      readonly kind: 'leaf';
      readonly term: ResolvedTerm;
      readonly token: TermToken;
      readonly name: string;
    };

/**
 * Parses a typed query.
 *
 * Grammar (NOT binds tighter than AND, AND tighter than OR; juxtaposition is AND):
 * ```
 * query   := [ or ]
 * or      := and ( OR and )*
 * and     := unary ( [AND] unary )*
 * unary   := NOT unary | '-' '(' or ')' | primary
 * primary := '(' or ')' | term
 * term    := ['-'] ( name op value | word | "phrase" )
 * ```
 * Time (`since`, `from`, `until`, `to`) and `tenant` terms become the plan's range and tenants; they
 * must be AND-ed at the top level, because they choose which partitions are read at all.
 *
 * @param now the clock relative times (`since:24h`) count back from.
 * @throws QuerySyntaxError naming the offset and the token that is wrong.
 */
export function parseQuery(text: string, now: Date): QueryPlan {
  const parser = new Parser(text, tokenize(text), now);
  const tree = parser.parse();
  return tree === undefined ? {} : toPlan(text, tree);
}

class Parser {
  private index = 0;

  constructor(
    private readonly query: string,
    private readonly tokens: readonly Token[],
    private readonly now: Date,
  ) {}

  parse(): Node | undefined {
    if (this.peek().kind === 'end') return undefined;
    const tree = this.parseOr();
    const next = this.peek();
    if (next.kind === 'rparen') this.fail(next, `unexpected ")" at ${next.pos}: no "(" to close`);
    return tree;
  }

  private parseOr(): Node {
    const items = [this.parseAnd()];
    while (this.peek().kind === 'or') {
      this.index++;
      items.push(this.parseAnd());
    }
    return items.length === 1 ? (items[0] as Node) : { kind: 'or', items };
  }

  private parseAnd(): Node {
    const items = [this.parseUnary()];
    for (;;) {
      const next = this.peek();
      if (next.kind === 'and') {
        this.index++;
        items.push(this.parseUnary());
      } else if (next.kind === 'term' || next.kind === 'lparen' || next.kind === 'not') {
        items.push(this.parseUnary());
      } else {
        break;
      }
    }
    return items.length === 1 ? (items[0] as Node) : { kind: 'and', items };
  }

  private parseUnary(): Node {
    if (this.peek().kind === 'not') {
      this.index++;
      return { kind: 'not', item: this.parseUnary() };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Node {
    const token = this.peek();
    switch (token.kind) {
      case 'lparen': {
        this.index++;
        const inner = this.parseOr();
        if (this.peek().kind !== 'rparen')
          this.fail(token, `unclosed "(" at ${token.pos}: add a ")"`);
        this.index++;
        return inner;
      }
      case 'term':
        this.index++;
        return this.leaf(token);
      case 'end': {
        const previous = this.tokens[this.index - 1];
        const after = previous === undefined ? '' : ` after "${previous.text}"`;
        return this.fail(token, `unexpected end of query at ${token.pos}: expected a term${after}`);
      }
      default:
        return this.fail(token, `unexpected "${token.text}" at ${token.pos}: expected a term`);
    }
  }

  private leaf(token: TermToken): Node {
    const name = token.field?.name ?? 'text';
    if (token.field === undefined && token.value === '') {
      this.fail(token, `empty search text at ${token.pos}`);
    }
    const site: TermSite = {
      fail: (part, problem, detail) => {
        const field = token.field;
        const [pos, text] =
          field === undefined || part === 'value'
            ? [token.valuePos, token.value]
            : part === 'field'
              ? [field.pos, field.name]
              : [field.opPos, field.opText];
        const message = `${problem} at ${pos}${detail === undefined ? '' : `: ${detail}`}`;
        throw new QuerySyntaxError(this.query, pos, text, message);
      },
    };
    const term = resolveTerm(
      { name, op: token.field?.op ?? ':', value: token.value, quoted: token.quoted },
      this.now,
      site,
    );
    const node: Node = { kind: 'leaf', term, token, name: name.toLowerCase() };
    return token.negated ? { kind: 'not', item: node } : node;
  }

  private peek(): Token {
    // tokenize always ends with an `end` token and parsing never moves past it.
    return this.tokens[Math.min(this.index, this.tokens.length - 1)] as Token;
  }

  private fail(token: Token, message: string): never {
    throw new QuerySyntaxError(this.query, token.pos, token.text, message);
  }
}

/** Lifts time and tenant terms out of the top-level AND into the plan; the rest becomes the filter. */
function toPlan(query: string, tree: Node): QueryPlan {
  const plan: QueryPlan = {};
  const filters: Expr[] = [];
  const topLevel = tree.kind === 'and' ? flattenAnd(tree) : [tree];
  for (const node of topLevel) {
    if (node.kind === 'leaf' && node.term.kind !== 'filter') {
      applyPartitionTerm(query, plan, node);
    } else {
      const misplaced = firstPartitionLeaf(node);
      if (misplaced !== undefined) {
        const { token, name } = misplaced;
        const pos = token.pos;
        throw new QuerySyntaxError(
          query,
          pos,
          token.text,
          `"${name}" at ${pos} must be AND-ed at the top level: time and tenant terms select partitions, so they cannot sit under OR or NOT`,
        );
      }
      filters.push(toExpr(node));
    }
  }
  const filter = allOf(filters);
  if (filter !== undefined) plan.filter = filter;
  return plan;
}

function flattenAnd(node: Node): Node[] {
  return node.kind === 'and' ? node.items.flatMap(flattenAnd) : [node];
}

function firstPartitionLeaf(node: Node): Extract<Node, { kind: 'leaf' }> | undefined {
  switch (node.kind) {
    case 'leaf':
      return node.term.kind === 'filter' ? undefined : node;
    case 'not':
      return firstPartitionLeaf(node.item);
    default:
      for (const item of node.items) {
        const found = firstPartitionLeaf(item);
        if (found !== undefined) return found;
      }
      return undefined;
  }
}

function applyPartitionTerm(
  query: string,
  plan: QueryPlan,
  node: Extract<Node, { kind: 'leaf' }>,
): void {
  const { term, token } = node;
  if (term.kind === 'tenants') {
    const tenants =
      plan.tenants === undefined
        ? [...term.tenants]
        : plan.tenants.filter((t) => term.tenants.includes(t));
    if (tenants.length === 0) {
      throw new QuerySyntaxError(
        query,
        token.valuePos,
        token.value,
        `tenant "${token.value}" at ${token.valuePos} excludes tenant "${(plan.tenants ?? []).join(',')}" given before: list alternatives in one term, e.g. tenant:a,b`,
      );
    }
    plan.tenants = tenants;
  } else if (term.kind === 'time') {
    if (term.bound === 'from') {
      if (plan.from === undefined || term.at > plan.from) plan.from = term.at;
    } else if (plan.to === undefined || term.at < plan.to) {
      plan.to = term.at;
    }
    if (plan.from !== undefined && plan.to !== undefined && plan.from >= plan.to) {
      throw new QuerySyntaxError(
        query,
        token.pos,
        token.text,
        `empty time range at ${token.pos}: from ${plan.from.toISOString()} is not before to ${plan.to.toISOString()}`,
      );
    }
  }
}

function toExpr(node: Node): Expr {
  switch (node.kind) {
    case 'leaf':
      if (node.term.kind !== 'filter')
        throw new TypeError('time and tenant terms are lifted into the plan before toExpr');
      return node.term.expr;
    case 'not':
      return { kind: 'not', item: toExpr(node.item) };
    case 'and':
      return allOf(node.items.map(toExpr)) as Expr;
    case 'or':
      return anyOf(node.items.map(toExpr));
  }
}
