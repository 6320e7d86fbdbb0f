import { QuerySyntaxError } from './ql-errors';

/** The operator between a field name and its value, as typed (`:>` and friends are folded into `>`). */
export type TermOperator = ':' | '=' | '!=' | '>' | '>=' | '<' | '<=';

export interface TermToken {
  readonly kind: 'term';
  /** Offset of the term, including a leading `-`. */
  readonly pos: number;
  /** The term as typed. */
  readonly text: string;
  /** Written with a leading `-`. */
  readonly negated: boolean;
  /** Absent for free text (a bare word or a quoted phrase). */
  readonly field?: {
    readonly name: string;
    readonly pos: number;
    readonly op: TermOperator;
    readonly opPos: number;
    /** The operator as typed, e.g. `:>=` for op `>=`. */
    readonly opText: string;
  };
  readonly value: string;
  readonly valuePos: number;
  /** The value was written in double quotes (so `*` in it is literal). */
  readonly quoted: boolean;
}

export interface PunctuationToken {
  readonly kind: 'lparen' | 'rparen' | 'and' | 'or' | 'not' | 'end';
  readonly pos: number;
  readonly text: string;
}

export type Token = TermToken | PunctuationToken;

const OPERATORS: readonly TermOperator[] = ['!=', '>=', '<=', '>', '<', ':', '='];
const ORDERING_AFTER_COLON: readonly TermOperator[] = ['>=', '<=', '>', '<'];
const KEYWORDS = new Map<string, 'and' | 'or' | 'not'>([
  ['and', 'and'],
  ['or', 'or'],
  ['not', 'not'],
]);
const FIELD_NAME = /[A-Za-z][A-Za-z0-9_]*/y;

function isSpace(ch: string): boolean {
  return /\s/.test(ch);
}

/** Unquoted values and bare words end at whitespace or a parenthesis. */
function isWordEnd(ch: string | undefined): boolean {
  return ch === undefined || ch === '(' || ch === ')' || isSpace(ch);
}

/**
 * Splits a query into tokens. Keywords (AND, OR, NOT) are case-insensitive and only count when unquoted
 * and standing alone; a `-` glued to a term or to `(` negates it.
 */
export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const ch = query.charAt(i);
    if (isSpace(ch)) {
      i++;
    } else if (ch === '(' || ch === ')') {
      tokens.push({ kind: ch === '(' ? 'lparen' : 'rparen', pos: i, text: ch });
      i++;
    } else if (ch === '-') {
      const next = query[i + 1];
      if (next === '(') {
        tokens.push({ kind: 'not', pos: i, text: '-' });
        i++;
      } else if (isWordEnd(next)) {
        throw new QuerySyntaxError(query, i, '-', `missing term after "-" at ${i}`);
      } else {
        const term = readTerm(query, i + 1, i, true);
        tokens.push(term);
        i = term.pos + term.text.length;
      }
    } else {
      const term = readTerm(query, i, i, false);
      const keyword =
        term.field === undefined && !term.quoted
          ? KEYWORDS.get(term.text.toLowerCase())
          : undefined;
      tokens.push(keyword === undefined ? term : { kind: keyword, pos: term.pos, text: term.text });
      i = term.pos + term.text.length;
    }
  }
  tokens.push({ kind: 'end', pos: query.length, text: '' });
  return tokens;
}

function readTerm(query: string, start: number, termPos: number, negated: boolean): TermToken {
  if (query[start] === '"') {
    const { value, end } = readQuoted(query, start);
    return {
      kind: 'term',
      pos: termPos,
      text: query.slice(termPos, end),
      negated,
      value,
      valuePos: start,
      quoted: true,
    };
  }
  FIELD_NAME.lastIndex = start;
  const name = FIELD_NAME.exec(query)?.[0];
  if (name !== undefined) {
    const opPos = start + name.length;
    let op = OPERATORS.find((candidate) => query.startsWith(candidate, opPos));
    if (op !== undefined) {
      let valuePos = opPos + op.length;
      if (op === ':') {
        const folded = ORDERING_AFTER_COLON.find((candidate) =>
          query.startsWith(candidate, valuePos),
        );
        if (folded !== undefined) {
          op = folded;
          valuePos += folded.length;
        }
      }
      const field = { name, pos: start, op, opPos, opText: query.slice(opPos, valuePos) };
      if (query[valuePos] === '"') {
        const { value, end } = readQuoted(query, valuePos);
        return {
          kind: 'term',
          pos: termPos,
          text: query.slice(termPos, end),
          negated,
          field,
          value,
          valuePos,
          quoted: true,
        };
      }
      const end = wordEnd(query, valuePos);
      return {
        kind: 'term',
        pos: termPos,
        text: query.slice(termPos, end),
        negated,
        field,
        value: query.slice(valuePos, end),
        valuePos,
        quoted: false,
      };
    }
  }
  const end = wordEnd(query, start);
  return {
    kind: 'term',
    pos: termPos,
    text: query.slice(termPos, end),
    negated,
    value: query.slice(start, end),
    valuePos: start,
    quoted: false,
  };
}

function wordEnd(query: string, from: number): number {
  let end = from;
  while (!isWordEnd(query[end])) end++;
  return end;
}

/** Reads `"..."` starting at the opening quote; `\"` and `\\` are escapes, any other `\` is literal. */
function readQuoted(query: string, open: number): { value: string; end: number } {
  let value = '';
  let i = open + 1;
  while (i < query.length) {
    const ch = query.charAt(i);
    if (ch === '\\' && (query[i + 1] === '"' || query[i + 1] === '\\')) {
      value += query.charAt(i + 1);
      i += 2;
    } else if (ch === '"') {
      const end = i + 1;
      if (!isWordEnd(query[end])) {
        const junk = query.charAt(end);
        throw new QuerySyntaxError(
          query,
          end,
          junk,
          `unexpected "${junk}" after closing quote at ${end}: add a space`,
        );
      }
      return { value, end };
    } else {
      value += ch;
      i++;
    }
  }
  throw new QuerySyntaxError(
    query,
    open,
    '"',
    `unterminated quoted value at ${open}: add a closing "`,
  );
}
