/**
 * A single-pass SQL tokenizer shared by statement classification and fingerprinting. It is deliberately
 * dialect-tolerant rather than exact: it must never throw and must classify the statements SQL MCP
 * servers send (T-SQL first, then PostgreSQL and MySQL) the way a reviewer would read them.
 *
 * Lexical choices, where dialects disagree:
 * - 'text' is a string with '' as the escaped quote; E'text' (PostgreSQL) also honours backslash escapes.
 *   N'', X'', B'' and U&'' prefixes belong to the string. $$text$$ and $tag$text$tag$ are strings.
 * - "name", [name] and `name` are quoted identifiers (doubled closing character escapes it).
 * - -- comments run to the end of the line; block comments nest (T-SQL and PostgreSQL do).
 * - # starts or continues a word (T-SQL temporary tables), so MySQL's # comments are not recognised.
 * - @name, @@name and :name are named parameters or variables; ? and $1 are positional parameters.
 * Unterminated strings, identifiers and comments run to the end of the text.
 *
 * The scanner allocates nothing per token: `next()` returns the kind and leaves the token's span in
 * `start`/`end`.
 */

export const END = 0;
export const WORD = 1;
export const QUOTED_IDENTIFIER = 2;
export const STRING = 3;
export const NUMBER = 4;
export const POSITIONAL_PARAMETER = 5;
export const NAMED_PARAMETER = 6;
export const PUNCTUATION = 7;
export type TokenKind = number;

const CH_TAB = 9;
const CH_LF = 10;
const CH_CR = 13;
const CH_SPACE = 32;
const CH_BANG = 33;
const CH_DQUOTE = 34;
const CH_HASH = 35;
const CH_DOLLAR = 36;
const CH_QUOTE = 39;
const CH_STAR = 42;
const CH_PLUS = 43;
const CH_MINUS = 45;
const CH_DOT = 46;
const CH_SLASH = 47;
const CH_COLON = 58;
const CH_LESS = 60;
const CH_EQUALS = 61;
const CH_GREATER = 62;
const CH_QUESTION = 63;
const CH_AT = 64;
const CH_LBRACKET = 91;
const CH_BACKSLASH = 92;
const CH_RBRACKET = 93;
const CH_UNDERSCORE = 95;
const CH_BACKTICK = 96;
const CH_BAR = 124;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function isWordStart(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    c === CH_UNDERSCORE ||
    c === CH_HASH ||
    c >= 0x80
  );
}

function isWordPart(c: number): boolean {
  return isWordStart(c) || isDigit(c) || c === CH_DOLLAR;
}

function isSpace(c: number): boolean {
  return (
    c === CH_SPACE ||
    c === CH_TAB ||
    c === CH_LF ||
    c === CH_CR ||
    c === 11 ||
    c === 12 ||
    c === 0xa0
  );
}

/**
 * Whether the characters `c` `d` form one of the two-character operators kept as one token, so that
 * fingerprints do not split them: :: <= >= <> != || -> => += -= *= /=. Compared by code, not through
 * a set of two-character strings, because it runs for every punctuation token.
 */
function isTwoCharacterOperator(c: number, d: number): boolean {
  switch (d) {
    case CH_EQUALS:
      return (
        c === CH_LESS ||
        c === CH_GREATER ||
        c === CH_BANG ||
        c === CH_PLUS ||
        c === CH_MINUS ||
        c === CH_STAR ||
        c === CH_SLASH
      );
    case CH_GREATER:
      return c === CH_LESS || c === CH_MINUS || c === CH_EQUALS;
    case CH_COLON:
      return c === CH_COLON;
    case CH_BAR:
      return c === CH_BAR;
    default:
      return false;
  }
}

export class SqlScanner {
  /** Start and end (exclusive) of the last token returned by next(). */
  start = 0;
  end = 0;
  /** Whether whitespace or a comment separated the last token from the one before it. */
  spaceBefore = false;
  private position = 0;

  constructor(readonly text: string) {}

  /** The last token's text. */
  token(): string {
    return this.text.slice(this.start, this.end);
  }

  /** True when the last token is the single punctuation character `c`. */
  isPunctuation(c: string): boolean {
    return this.end - this.start === 1 && this.text[this.start] === c;
  }

  /** The code of the last token when it is a single character (punctuation), else -1. */
  singleCharacter(): number {
    return this.end - this.start === 1 ? this.text.charCodeAt(this.start) : -1;
  }

  /** Where scanning would continue; pass to rewind() to look ahead and come back. */
  mark(): number {
    return this.position;
  }

  rewind(mark: number): void {
    this.position = mark;
  }

  /** Advances past whitespace and comments to the next token and returns its kind. */
  next(): TokenKind {
    const text = this.text;
    const length = text.length;
    this.spaceBefore = this.skipSpaceAndComments();
    const start = this.position;
    this.start = start;
    if (start >= length) {
      this.end = length;
      return END;
    }
    const c = text.charCodeAt(start);
    const d = start + 1 < length ? text.charCodeAt(start + 1) : -1;
    let kind: TokenKind;
    if (c === CH_QUOTE) {
      this.position = this.skipQuoted(start + 1, CH_QUOTE, false);
      kind = STRING;
    } else if (isWordStart(c)) {
      kind = this.scanWordOrPrefixedString(start);
    } else if (isDigit(c) || (c === CH_DOT && isDigit(d))) {
      this.position = this.skipNumber(start);
      kind = NUMBER;
    } else if (c === CH_DQUOTE) {
      this.position = this.skipQuoted(start + 1, CH_DQUOTE, false);
      kind = QUOTED_IDENTIFIER;
    } else if (c === CH_LBRACKET) {
      this.position = this.skipQuoted(start + 1, CH_RBRACKET, false);
      kind = QUOTED_IDENTIFIER;
    } else if (c === CH_BACKTICK) {
      this.position = this.skipQuoted(start + 1, CH_BACKTICK, false);
      kind = QUOTED_IDENTIFIER;
    } else if (c === CH_AT || (c === CH_COLON && d !== -1 && isWordStart(d))) {
      let i = start + 1;
      while (i < length && (isWordPart(text.charCodeAt(i)) || text.charCodeAt(i) === CH_AT)) i++;
      this.position = i;
      kind = NAMED_PARAMETER;
    } else if (c === CH_QUESTION) {
      this.position = start + 1;
      kind = POSITIONAL_PARAMETER;
    } else if (c === CH_DOLLAR) {
      kind = this.scanDollar(start);
    } else {
      this.position = isTwoCharacterOperator(c, d) ? start + 2 : start + 1;
      kind = PUNCTUATION;
    }
    this.end = this.position;
    return kind;
  }

  /** Returns true when anything was skipped. */
  private skipSpaceAndComments(): boolean {
    const text = this.text;
    const length = text.length;
    const begin = this.position;
    let i = begin;
    while (i < length) {
      const c = text.charCodeAt(i);
      if (isSpace(c)) {
        i++;
      } else if (c === CH_MINUS && text.charCodeAt(i + 1) === CH_MINUS) {
        i += 2;
        while (i < length && text.charCodeAt(i) !== CH_LF) i++;
      } else if (c === CH_SLASH && text.charCodeAt(i + 1) === CH_STAR) {
        i = this.skipBlockComment(i + 2);
      } else {
        break;
      }
    }
    this.position = i;
    return i > begin;
  }

  private skipBlockComment(from: number): number {
    const text = this.text;
    const length = text.length;
    let depth = 1;
    let i = from;
    while (i < length && depth > 0) {
      const c = text.charCodeAt(i);
      if (c === CH_STAR && text.charCodeAt(i + 1) === CH_SLASH) {
        depth--;
        i += 2;
      } else if (c === CH_SLASH && text.charCodeAt(i + 1) === CH_STAR) {
        depth++;
        i += 2;
      } else {
        i++;
      }
    }
    return i;
  }

  /** Skips to just past the closing `close`; a doubled `close` is an escaped one. */
  private skipQuoted(from: number, close: number, backslashEscapes: boolean): number {
    const text = this.text;
    const length = text.length;
    let i = from;
    while (i < length) {
      const c = text.charCodeAt(i);
      if (backslashEscapes && c === CH_BACKSLASH) {
        i += 2;
      } else if (c === close) {
        if (text.charCodeAt(i + 1) === close) {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    return length;
  }

  private scanWordOrPrefixedString(start: number): TokenKind {
    const text = this.text;
    const length = text.length;
    let i = start + 1;
    while (i < length && isWordPart(text.charCodeAt(i))) i++;
    if (i < length && text.charCodeAt(i) === CH_QUOTE && i - start <= 2) {
      const prefix = text.slice(start, i).toUpperCase();
      if (prefix === 'N' || prefix === 'X' || prefix === 'B' || prefix === 'E') {
        this.position = this.skipQuoted(i + 1, CH_QUOTE, prefix === 'E');
        return STRING;
      }
    }
    if (
      i - start === 1 &&
      (text[start] === 'U' || text[start] === 'u') &&
      text.startsWith("&'", i)
    ) {
      this.position = this.skipQuoted(i + 2, CH_QUOTE, false);
      return STRING;
    }
    this.position = i;
    return WORD;
  }

  private skipNumber(start: number): number {
    const text = this.text;
    const length = text.length;
    let i = start;
    const second = text.charCodeAt(start + 1);
    if (text.charCodeAt(start) === 48 && (second === 120 || second === 88)) {
      i = start + 2;
      while (i < length && isHexDigit(text.charCodeAt(i))) i++;
      return i;
    }
    while (i < length && isDigit(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) === CH_DOT) {
      i++;
      while (i < length && isDigit(text.charCodeAt(i))) i++;
    }
    const e = text.charCodeAt(i);
    if (e === 101 || e === 69) {
      let j = i + 1;
      const sign = text.charCodeAt(j);
      if (sign === 43 || sign === CH_MINUS) j++;
      if (isDigit(text.charCodeAt(j))) {
        i = j;
        while (i < length && isDigit(text.charCodeAt(i))) i++;
      }
    }
    return i;
  }

  /** `$1` is a positional parameter; `$$…$$` and `$tag$…$tag$` are PostgreSQL dollar-quoted strings. */
  private scanDollar(start: number): TokenKind {
    const text = this.text;
    const length = text.length;
    let i = start + 1;
    if (isDigit(text.charCodeAt(i))) {
      while (i < length && isDigit(text.charCodeAt(i))) i++;
      this.position = i;
      return POSITIONAL_PARAMETER;
    }
    while (i < length && isWordPart(text.charCodeAt(i)) && text.charCodeAt(i) !== CH_DOLLAR) i++;
    if (text.charCodeAt(i) === CH_DOLLAR) {
      const tag = text.slice(start, i + 1);
      const close = text.indexOf(tag, i + 1);
      this.position = close === -1 ? length : close + tag.length;
      return STRING;
    }
    this.position = start + 1;
    return PUNCTUATION;
  }
}
