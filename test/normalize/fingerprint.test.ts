import fc from 'fast-check';
import { fingerprintStatement } from '../../src/normalize/fingerprint';

describe('fingerprintStatement', () => {
  it.each([
    [
      'numbers',
      'SELECT * FROM t WHERE id = 42 AND x > 1.5e3 AND y < .5',
      'SELECT * FROM t WHERE id = ? AND x > ? AND y < ?',
    ],
    [
      'strings',
      "SELECT * FROM t WHERE name = 'O''Brien' AND n = N'ü'",
      'SELECT * FROM t WHERE name = ? AND n = ?',
    ],
    ['hexadecimal literals', "SELECT 0x1F, X'ab', B'01'", 'SELECT ?, ?, ?'],
    [
      'booleans',
      'SELECT * FROM t WHERE a = TRUE OR b = false',
      'SELECT * FROM t WHERE a = ? OR b = ?',
    ],
    [
      'positional parameters',
      'SELECT * FROM t WHERE a = $1 AND b = ?',
      'SELECT * FROM t WHERE a = ? AND b = ?',
    ],
    [
      'named parameters are kept',
      'SELECT * FROM t WHERE a = @id AND b = :name',
      'SELECT * FROM t WHERE a = @id AND b = :name',
    ],
    ['dollar-quoted strings', "SELECT $$it's$$, $fn$body$fn$", 'SELECT ?, ?'],
    ['E strings with backslash escapes', "SELECT E'a\\'b' AS x", 'SELECT ? AS x'],
    ['IN lists', 'SELECT * FROM t WHERE id IN (1, 2, 3)', 'SELECT * FROM t WHERE id IN (?...)'],
    [
      'IN lists of strings and negatives',
      "SELECT 1 WHERE a NOT IN ('x', -1,'y')",
      'SELECT ? WHERE a NOT IN (?...)',
    ],
    ['IN lists of one', 'SELECT 1 WHERE a IN (7)', 'SELECT ? WHERE a IN (?...)'],
    [
      'IN with a subquery is kept',
      'SELECT 1 WHERE a IN (SELECT b FROM u)',
      'SELECT ? WHERE a IN (SELECT b FROM u)',
    ],
    [
      'IN mixing parameters and literals is kept',
      'SELECT 1 WHERE a IN (@a, 2)',
      'SELECT ? WHERE a IN (@a, ?)',
    ],
    [
      'multi-row VALUES',
      "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), (3, 'z')",
      'INSERT INTO t (a, b) VALUES (?, ?), ...',
    ],
    [
      'single-row VALUES',
      'INSERT INTO t VALUES (1, 2) ON CONFLICT (a) DO NOTHING',
      'INSERT INTO t VALUES (?, ?) ON CONFLICT (a) DO NOTHING',
    ],
    ['whitespace', 'SELECT\n\t a ,\r\n  b   FROM   t', 'SELECT a , b FROM t'],
    ['comments', 'SELECT a -- the a\nFROM /* the table */ t', 'SELECT a FROM t'],
    ['trailing semicolons', 'SELECT 1 ;; ', 'SELECT ?'],
    [
      'keyword case',
      'select Count(*) From Orders o Where o.Total > 1',
      'SELECT COUNT(*) FROM Orders o WHERE o.Total > ?',
    ],
    [
      'qualified names that read as keywords',
      'EXEC dbo.proc; SELECT t.key, key.id FROM t',
      'EXEC dbo.proc; SELECT t.key, key.id FROM t',
    ],
    [
      'quoted identifiers verbatim',
      'SELECT [Order Id], "select", `from` FROM [dbo].[t]',
      'SELECT [Order Id], "select", `from` FROM [dbo].[t]',
    ],
    ['casts', "SELECT a::text FROM t WHERE b <> 'x'", 'SELECT a::text FROM t WHERE b <> ?'],
    ['temporary tables', 'SELECT * INTO #tmp FROM t', 'SELECT * INTO #tmp FROM t'],
    ['unterminated strings', "SELECT 'abc", 'SELECT ?'],
    ['unterminated comments', 'SELECT 1 /* open', 'SELECT ?'],
    ['an empty statement', '  ', ''],
  ])('replaces or normalises %s', (_name, sql, expected) => {
    expect(fingerprintStatement(sql)).toBe(expected);
  });

  it('gives statements differing only in literals the same fingerprint', () => {
    expect(fingerprintStatement("SELECT * FROM t WHERE a = 1 AND b IN ('x')")).toBe(
      fingerprintStatement("select *\nfrom t where a = 99 and b in ('y', 'z', 'w')"),
    );
  });

  it('never throws and never returns leading or trailing spaces', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (sql) => {
        const fingerprint = fingerprintStatement(sql);
        expect(fingerprint).toBe(fingerprint.trim());
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent on fingerprints of SQL-like text', () => {
    const pieces = [
      'SELECT',
      'a',
      '1',
      "'s'",
      'IN',
      '(',
      ')',
      ',',
      'FROM',
      't',
      '--c\n',
      '/*x*/',
      ' ',
      'VALUES',
      '@p',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 30 }), (parts) => {
        const once = fingerprintStatement(parts.join(' '));
        expect(fingerprintStatement(once)).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });
});
