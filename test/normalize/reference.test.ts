import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { deriveFacts } from '../../src/normalize/facts';
import { fingerprintStatement } from '../../src/normalize/fingerprint';
import { deriveStatementVerb, kindOfVerb } from '../../src/normalize/statement-kind';
import type { AuditEvent, StatementKind } from '../../src/schema/types';
import { exampleEvent } from '../schema/examples';
import { fingerprintStatement as referenceFingerprint } from './reference/fingerprint';
import { deriveStatementVerb as referenceVerb } from './reference/statement-kind';

/** deriveFacts as it was before it remembered texts, over the reference scanner. */
function referenceFacts(event: AuditEvent): unknown {
  const statement = event.data.statement;
  const text = statement?.text;
  const verb = text === undefined ? undefined : referenceVerb(text);
  const facts: Record<string, unknown> = { statementKindDerived: false };
  if (statement?.kind !== undefined) {
    facts['statementKind'] = statement.kind;
  } else if (text !== undefined) {
    facts['statementKind'] = kindOfVerb(verb);
    facts['statementKindDerived'] = true;
  }
  if (verb !== undefined) facts['statementVerb'] = verb;
  if (text !== undefined) {
    const fingerprint = referenceFingerprint(text);
    facts['fingerprint'] = fingerprint;
    facts['fingerprintId'] = createHash('sha256').update(fingerprint).digest('hex').slice(0, 16);
  }
  return facts;
}

/**
 * Pieces that exercise every branch of the scanner and the fingerprint: keywords in several cases
 * (including Unicode letters that upper-case to ASCII: dotless i, long s), booleans, literals of every
 * kind, two-character operators and their near misses, qualified names, IN lists, VALUES rows,
 * comments, whitespace, parameters and unterminated tails.
 */
const PIECES = [
  'SELECT',
  'select',
  'Select',
  'FROM',
  'from',
  'WHERE',
  'IN',
  'in',
  'In',
  '\u0131n',
  'NOT',
  'VALUES',
  'values',
  'valueS',
  'value\u017f',
  'INSERT',
  'INTO',
  'WITH',
  'AS',
  'RECURSIVE',
  'EXEC',
  'TRUE',
  'true',
  'False',
  'NULL',
  'null',
  'count',
  'COUNT',
  'key',
  'stra\u00dfe',
  '\u00fcber',
  't',
  'dbo',
  'proc',
  '#tmp',
  'a$b',
  '_x',
  'x1',
  '1',
  '42',
  '1.5e3',
  '.5',
  '0x1F',
  '1e',
  "'s'",
  "'it''s'",
  "N'\u00fc'",
  "E'a\\'b'",
  "X'ab'",
  "B'01'",
  "U&'x'",
  '$$body$$',
  '$fn$x$fn$',
  '$1',
  '$',
  '?',
  '@p',
  '@@rowcount',
  ':name',
  ':',
  '"quoted id"',
  '[bracket id]',
  '`tick`',
  // Whole constructs, which random pieces seldom assemble.
  'IN (1, 2)',
  "in ('a', -3)",
  'In (TRUE,false)',
  '\u0131n (7)',
  'IN (@a, 2)',
  'IN (SELECT 1)',
  'IN (TRUE . x',
  'IN (-.',
  'x.in (1, 2)',
  'VALUES (1, 2), (3, 4)',
  "values (1, (2)), ('x', 3) ,(4)",
  'value\u017f (1), (2)',
  'VALUES (1) . x',
  'VALUES (1), (2',
  'VALUES (1), x',
  't.VALUES (1), (2)',
  'WITH c AS (SELECT 1), d (x) AS (SELECT 2) SELECT',
  'WITH RECURSIVE r AS NOT MATERIALIZED (VALUES (1)) DELETE',
  'a::text',
  'b:: text',
  '(',
  ')',
  ',',
  '.',
  ';',
  '-',
  '+',
  '*',
  '/',
  '=',
  '<',
  '>',
  '!',
  '|',
  '&',
  '%',
  '::',
  '<=',
  '>=',
  '<>',
  '!=',
  '||',
  '->',
  '=>',
  '+=',
  '-=',
  '*=',
  '/=',
  '==',
  '=<',
  '>>',
  '|=',
  '-- line comment\n',
  '/* block */',
  '/* nested /* inner */ still */',
  ' ',
  '  ',
  '\n',
  '\t',
  '\r\n',
  "'unterminated",
  '/* unterminated',
  '"unterminated',
  '[unterminated',
];

const sqlLike = fc
  .array(fc.tuple(fc.constantFrom(...PIECES), fc.constantFrom('', ' ', '\n')), { maxLength: 40 })
  .map((parts) => parts.map(([piece, gap]) => piece + gap).join(''));

const anyText = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
  maxLength: 120,
});

describe('normalize against the reference implementation', () => {
  it('fingerprints SQL-like text the same way', () => {
    fc.assert(
      fc.property(sqlLike, (sql) => {
        expect(fingerprintStatement(sql)).toBe(referenceFingerprint(sql));
      }),
      { numRuns: 5000 },
    );
  });

  it('fingerprints arbitrary text the same way', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(fingerprintStatement(text)).toBe(referenceFingerprint(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('finds the same verb', () => {
    fc.assert(
      fc.property(fc.oneof(sqlLike, anyText), (sql) => {
        expect(deriveStatementVerb(sql)).toBe(referenceVerb(sql));
      }),
      { numRuns: 3000 },
    );
  });

  it('derives the same facts, for new and for repeated statements', () => {
    const kinds: (StatementKind | undefined)[] = [undefined, 'SELECT', 'OTHER', 'DDL'];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(sqlLike, fc.constantFrom(...kinds)), { minLength: 1, maxLength: 4 }),
        (statements) => {
          // Each statement three times: the later derivations may come from what was remembered.
          for (const [text, kind] of [...statements, ...statements, ...statements]) {
            const event = exampleEvent('tool-invoked.json');
            event.data.statement = kind === undefined ? { text } : { text, kind };
            expect(deriveFacts(event)).toStrictEqual(referenceFacts(event));
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
