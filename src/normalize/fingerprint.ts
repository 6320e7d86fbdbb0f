import { detachedCopy, RecentMap } from './recent-map';
import {
  END,
  NUMBER,
  POSITIONAL_PARAMETER,
  PUNCTUATION,
  SqlScanner,
  STRING,
  WORD,
  type TokenKind,
} from './sql-scanner';

/**
 * Words upper-cased in fingerprints: SQL keywords and the built-in aggregates, so `select count(*)` and
 * `SELECT COUNT(*)` share a fingerprint. Any other word is an identifier and keeps its case.
 */
const KEYWORDS: ReadonlySet<string> = new Set(
  (
    'ADD ALL ALTER AND ANY APPLY AS ASC AUTHORIZATION AVG BACKUP BEGIN BETWEEN BREAK BY CALL CASCADE CASE ' +
    'CAST CHECK CLUSTERED COLLATE COLUMN COMMENT COMMIT CONSTRAINT CONTINUE CONVERT COUNT CREATE CROSS ' +
    'CURRENT CURSOR DATABASE DECLARE DEFAULT DELETE DENY DESC DISABLE DISTINCT DROP ELSE ENABLE END ' +
    'ESCAPE EXCEPT EXEC EXECUTE EXISTS EXPLAIN FETCH FIRST FOR FOREIGN FROM FULL FUNCTION GO GRANT GROUP ' +
    'HAVING IF ILIKE IN INDEX INNER INSERT INTERSECT INTO IS JOIN KEY LATERAL LEFT LIKE LIMIT MATCHED MAX ' +
    'MERGE MIN NEXT NOCOUNT NOLOCK NONCLUSTERED NOT NULL OF OFFSET ON ONLY OPTION OR ORDER OUTER OUTPUT ' +
    'OVER PARTITION PERCENT PRIMARY PROC PROCEDURE RECURSIVE REFERENCES RENAME REPLACE RETURN RETURNING ' +
    'REVOKE RIGHT ROLLBACK ROW ROWS SCHEMA SELECT SET SOURCE SUM TABLE TARGET THEN TIES TO TOP ' +
    'TRANSACTION TRIGGER TRUNCATE UNION UNIQUE UPDATE USING VALUES VIEW WHEN WHERE WITH'
  ).split(' '),
);

const CH_LPAREN = 40;
const CH_RPAREN = 41;
const CH_COMMA = 44;
const CH_MINUS = 45;
const CH_DOT = 46;

/** Words that are literals, replaced like numbers and strings. */
const BOOLEAN_LITERALS: ReadonlySet<string> = new Set(['TRUE', 'FALSE']);

/** What fingerprinting needs to know about a word as written. */
interface WordForm {
  /** What replaces the word when it is not part of a qualified name: ?, the keyword upper-cased, or itself. */
  readonly unqualified: string;
  readonly isBoolean: boolean;
  readonly isIn: boolean;
  readonly isValues: boolean;
}

function wordFormOf(word: string): WordForm {
  const upper = word.toUpperCase();
  const isBoolean = BOOLEAN_LITERALS.has(upper);
  return {
    unqualified: isBoolean ? '?' : KEYWORDS.has(upper) ? upper : word,
    isBoolean,
    isIn: upper === 'IN',
    isValues: upper === 'VALUES',
  };
}

/**
 * Statements repeat the same keywords and identifiers, so the form of each word as written is
 * remembered rather than upper-cased and looked up twice per occurrence. A form depends only on the
 * word, so a remembered one is what wordFormOf would compute. Bounded: words longer than
 * MAX_REMEMBERED_WORD are not remembered, and at most two generations of WORD_GENERATION_ENTRIES are.
 */
const MAX_REMEMBERED_WORD = 64;
const WORD_GENERATION_ENTRIES = 4096;
const wordForms = new RecentMap<string, WordForm>(WORD_GENERATION_ENTRIES);

function wordForm(word: string): WordForm {
  if (word.length > MAX_REMEMBERED_WORD) {
    return wordFormOf(word);
  }
  let form = wordForms.get(word);
  if (form === undefined) {
    // The form may hold the word itself, so it is made from the copy too.
    const key = detachedCopy(word);
    form = wordFormOf(key);
    wordForms.set(key, form);
  }
  return form;
}

/**
 * A fingerprint of `sql` in the manner of pg_stat_statements and pt-fingerprint: statements that differ
 * only in literal values, letter case of keywords, whitespace or comments share a fingerprint.
 * - string, number, hexadecimal and boolean literals, and positional parameters (? and $1), become `?`;
 *   named parameters and variables (@id, :id) are kept, as are identifiers (quoted ones verbatim);
 * - `IN (?, ?, ?)` (a list of literals only) becomes `IN (?...)`;
 * - `VALUES (…), (…), (…)` keeps its first row and becomes `VALUES (…), ...`;
 * - comments are removed; any run of whitespace and comments becomes one space (none is added where
 *   none was); leading and trailing whitespace and trailing semicolons are dropped;
 * - keywords are upper-cased. NULL is a keyword, not a literal (so `IS NULL` keeps its meaning).
 */
export function fingerprintStatement(sql: string): string {
  const scanner = new SqlScanner(sql);
  let out = '';
  let previousWasIn = false;
  let depth = 0;
  let valuesDepth = -1;
  let previousDot = false;
  for (let kind = scanner.next(); kind !== END; kind = scanner.next()) {
    const space = scanner.spaceBefore && out !== '' ? ' ' : '';
    const single = kind === PUNCTUATION ? scanner.singleCharacter() : -1;
    if (single === CH_LPAREN) {
      if (previousWasIn && collapseLiteralList(scanner)) {
        out += space + '(?...)';
      } else {
        out += space + '(';
        depth++;
      }
    } else if (single === CH_RPAREN) {
      out += space + ')';
      depth = Math.max(0, depth - 1);
      if (depth === valuesDepth) {
        if (skipFurtherRows(scanner)) {
          out += ', ...';
        }
        valuesDepth = -1;
      }
    } else if (kind === WORD) {
      const word = scanner.token();
      const form = wordForm(word);
      // A part of a qualified name (schema.proc, t.key) is an identifier even when it reads as a keyword.
      const qualified = previousDot || scanner.text.charCodeAt(scanner.end) === CH_DOT;
      out += space + (qualified ? word : form.unqualified);
      previousDot = false;
      if (form.isValues) {
        valuesDepth = depth;
      }
      previousWasIn = form.isIn;
      continue;
    } else {
      out += space + (isLiteral(kind) ? '?' : scanner.token());
    }
    // After a look-ahead that was rewound, the scanner's last token is the one looked at last; this
    // reads it, not `single`, so that fingerprints stay what they have always been.
    previousDot = kind === PUNCTUATION && scanner.singleCharacter() === CH_DOT;
    previousWasIn = false;
  }
  return stripTrailingSemicolons(out);
}

function isLiteral(kind: TokenKind): boolean {
  return kind === STRING || kind === NUMBER || kind === POSITIONAL_PARAMETER;
}

function isLiteralToken(scanner: SqlScanner, kind: TokenKind): boolean {
  return isLiteral(kind) || (kind === WORD && wordForm(scanner.token()).isBoolean);
}

/**
 * Precondition: the scanner has just returned the `(` after IN. When the list holds only literals
 * (optionally negated), consumes it through `)` and returns true; otherwise rewinds and returns false.
 */
function collapseLiteralList(scanner: SqlScanner): boolean {
  const mark = scanner.mark();
  for (;;) {
    let kind = scanner.next();
    if (kind === PUNCTUATION && scanner.singleCharacter() === CH_MINUS) {
      kind = scanner.next();
    }
    if (!isLiteralToken(scanner, kind)) {
      break;
    }
    kind = scanner.next();
    if (kind === PUNCTUATION && scanner.singleCharacter() === CH_RPAREN) {
      return true;
    }
    if (kind !== PUNCTUATION || scanner.singleCharacter() !== CH_COMMA) {
      break;
    }
  }
  scanner.rewind(mark);
  return false;
}

/**
 * Precondition: the scanner has just returned the `)` closing a VALUES row. Consumes any following
 * `, (…)` rows and returns whether there were any; leaves the scanner before whatever follows them.
 */
function skipFurtherRows(scanner: SqlScanner): boolean {
  let skipped = false;
  for (;;) {
    const mark = scanner.mark();
    if (scanner.next() !== PUNCTUATION || scanner.singleCharacter() !== CH_COMMA) {
      scanner.rewind(mark);
      return skipped;
    }
    if (scanner.next() !== PUNCTUATION || scanner.singleCharacter() !== CH_LPAREN) {
      scanner.rewind(mark);
      return skipped;
    }
    let depth = 1;
    while (depth > 0) {
      const kind = scanner.next();
      if (kind === END) {
        return true;
      }
      if (kind === PUNCTUATION) {
        const single = scanner.singleCharacter();
        if (single === CH_LPAREN) depth++;
        else if (single === CH_RPAREN) depth--;
      }
    }
    skipped = true;
  }
}

function stripTrailingSemicolons(fingerprint: string): string {
  let end = fingerprint.length;
  while (end > 0 && (fingerprint[end - 1] === ';' || fingerprint[end - 1] === ' ')) {
    end--;
  }
  return end === fingerprint.length ? fingerprint : fingerprint.slice(0, end);
}
