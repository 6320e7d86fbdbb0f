// The implementation as it was before fingerprinting remembered word forms and the scanner compared
// operators by code: the reference the current one is checked against (see ../reference.test.ts).
import type { StatementKind } from '../../../src/schema/types';
import { END, PUNCTUATION, SqlScanner, WORD } from './sql-scanner';

/** Leading verbs and the statement kind each one means. Anything else is OTHER. */
const KIND_OF_VERB: ReadonlyMap<string, StatementKind> = new Map<string, StatementKind>([
  ['SELECT', 'SELECT'],
  ['VALUES', 'SELECT'],
  ['TABLE', 'SELECT'],
  ['INSERT', 'INSERT'],
  ['REPLACE', 'INSERT'],
  ['UPDATE', 'UPDATE'],
  ['DELETE', 'DELETE'],
  ['MERGE', 'MERGE'],
  ['CREATE', 'DDL'],
  ['ALTER', 'DDL'],
  ['DROP', 'DDL'],
  ['TRUNCATE', 'DDL'],
  ['RENAME', 'DDL'],
  ['COMMENT', 'DDL'],
  ['ENABLE', 'DDL'],
  ['DISABLE', 'DDL'],
  ['EXEC', 'EXEC'],
  ['EXECUTE', 'EXEC'],
  ['CALL', 'EXEC'],
  ['GRANT', 'GRANT'],
  ['REVOKE', 'GRANT'],
  ['DENY', 'GRANT'],
]);

/**
 * The first verb of the first statement in `sql`, upper-cased (e.g. 'SELECT', 'DROP'), skipping
 * whitespace, comments, leading `;` and `(`, and a `WITH … AS (…)` common-table-expression prefix
 * (several CTEs, RECURSIVE, column lists, MATERIALIZED and XMLNAMESPACES included). Undefined when the
 * text holds no statement or starts with something other than a word.
 */
export function deriveStatementVerb(sql: string): string | undefined {
  const scanner = new SqlScanner(sql);
  return verbAt(scanner, scanner.next());
}

/**
 * The statement kind of `sql`: SELECT/VALUES/TABLE -> SELECT; INSERT/REPLACE -> INSERT; UPDATE; DELETE;
 * MERGE; CREATE/ALTER/DROP/TRUNCATE/RENAME/COMMENT/ENABLE/DISABLE -> DDL; EXEC/EXECUTE/CALL -> EXEC;
 * GRANT/REVOKE/DENY -> GRANT; anything else (SET, DECLARE, BEGIN, EXPLAIN, no statement) -> OTHER.
 * A batch of several statements is classified by its first.
 */
export function deriveStatementKind(sql: string): StatementKind {
  return kindOfVerb(deriveStatementVerb(sql));
}

export function kindOfVerb(verb: string | undefined): StatementKind {
  return (verb === undefined ? undefined : KIND_OF_VERB.get(verb)) ?? 'OTHER';
}

function verbAt(scanner: SqlScanner, first: number): string | undefined {
  let kind = first;
  while (kind === PUNCTUATION && (scanner.isPunctuation('(') || scanner.isPunctuation(';'))) {
    kind = scanner.next();
  }
  if (kind !== WORD) {
    return undefined;
  }
  const word = scanner.token().toUpperCase();
  return word === 'WITH' ? verbAfterCommonTableExpressions(scanner) : word;
}

/**
 * Precondition: the scanner has just returned WITH. Skips `name [(columns)] AS [NOT] [MATERIALIZED] (…)`
 * clauses separated by commas; the main statement starts at the first token after a CTE body that
 * closes at depth 0 and is not followed by a comma.
 */
function verbAfterCommonTableExpressions(scanner: SqlScanner): string | undefined {
  let depth = 0;
  let closedBody = false;
  for (let kind = scanner.next(); kind !== END; kind = scanner.next()) {
    if (kind === PUNCTUATION && scanner.isPunctuation('(')) {
      if (closedBody && depth === 0) {
        return verbAt(scanner, kind);
      }
      depth++;
    } else if (kind === PUNCTUATION && scanner.isPunctuation(')')) {
      depth = Math.max(0, depth - 1);
      closedBody = depth === 0;
    } else if (depth === 0 && closedBody) {
      if (kind === PUNCTUATION && scanner.isPunctuation(',')) {
        closedBody = false;
      } else if (kind === WORD && scanner.token().toUpperCase() === 'AS') {
        // `name (columns) AS (…)`: the parenthesis that just closed was a column list.
        closedBody = false;
      } else {
        return verbAt(scanner, kind);
      }
    }
  }
  return undefined;
}
