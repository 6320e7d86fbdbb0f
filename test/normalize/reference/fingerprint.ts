// The implementation as it was before fingerprinting remembered word forms and the scanner compared
// operators by code: the reference the current one is checked against (see ../reference.test.ts).
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

const CH_DOT = 46;

/** Words that are literals, replaced like numbers and strings. */
const BOOLEAN_LITERALS: ReadonlySet<string> = new Set(['TRUE', 'FALSE']);

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
  let previousWord = '';
  let depth = 0;
  let valuesDepth = -1;
  let previousDot = false;
  for (let kind = scanner.next(); kind !== END; kind = scanner.next()) {
    const space = scanner.spaceBefore && out !== '' ? ' ' : '';
    if (kind === PUNCTUATION && scanner.isPunctuation('(')) {
      if (previousWord === 'IN' && collapseLiteralList(scanner)) {
        out += `${space}(?...)`;
      } else {
        out += `${space}(`;
        depth++;
      }
    } else if (kind === PUNCTUATION && scanner.isPunctuation(')')) {
      out += `${space})`;
      depth = Math.max(0, depth - 1);
      if (depth === valuesDepth) {
        if (skipFurtherRows(scanner)) {
          out += ', ...';
        }
        valuesDepth = -1;
      }
    } else if (kind === WORD) {
      const word = scanner.token();
      const upper = word.toUpperCase();
      // A part of a qualified name (schema.proc, t.key) is an identifier even when it reads as a keyword.
      const qualified = previousDot || scanner.text.charCodeAt(scanner.end) === CH_DOT;
      if (qualified) {
        out += space + word;
      } else if (BOOLEAN_LITERALS.has(upper)) {
        out += `${space}?`;
      } else {
        out += space + (KEYWORDS.has(upper) ? upper : word);
      }
      previousDot = false;
      if (upper === 'VALUES') {
        valuesDepth = depth;
      }
      previousWord = upper;
      continue;
    } else {
      out += space + (isLiteral(kind) ? '?' : scanner.token());
    }
    previousDot = kind === PUNCTUATION && scanner.isPunctuation('.');
    previousWord = '';
  }
  return stripTrailingSemicolons(out);
}

function isLiteral(kind: TokenKind): boolean {
  return kind === STRING || kind === NUMBER || kind === POSITIONAL_PARAMETER;
}

function isLiteralToken(scanner: SqlScanner, kind: TokenKind): boolean {
  return isLiteral(kind) || (kind === WORD && BOOLEAN_LITERALS.has(scanner.token().toUpperCase()));
}

/**
 * Precondition: the scanner has just returned the `(` after IN. When the list holds only literals
 * (optionally negated), consumes it through `)` and returns true; otherwise rewinds and returns false.
 */
function collapseLiteralList(scanner: SqlScanner): boolean {
  const mark = scanner.mark();
  for (;;) {
    let kind = scanner.next();
    if (kind === PUNCTUATION && scanner.isPunctuation('-')) {
      kind = scanner.next();
    }
    if (!isLiteralToken(scanner, kind)) {
      break;
    }
    kind = scanner.next();
    if (kind === PUNCTUATION && scanner.isPunctuation(')')) {
      return true;
    }
    if (kind !== PUNCTUATION || !scanner.isPunctuation(',')) {
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
    if (scanner.next() !== PUNCTUATION || !scanner.isPunctuation(',')) {
      scanner.rewind(mark);
      return skipped;
    }
    if (scanner.next() !== PUNCTUATION || !scanner.isPunctuation('(')) {
      scanner.rewind(mark);
      return skipped;
    }
    let depth = 1;
    while (depth > 0) {
      const kind = scanner.next();
      if (kind === END) {
        return true;
      }
      if (kind === PUNCTUATION && scanner.isPunctuation('(')) depth++;
      else if (kind === PUNCTUATION && scanner.isPunctuation(')')) depth--;
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
