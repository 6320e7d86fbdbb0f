import { deriveStatementKind, deriveStatementVerb } from '../../src/normalize/statement-kind';

describe('deriveStatementKind', () => {
  it.each([
    ['SELECT * FROM t', 'SELECT'],
    ['select 1', 'SELECT'],
    ['VALUES (1), (2)', 'SELECT'],
    ['TABLE orders', 'SELECT'],
    ['INSERT INTO t VALUES (1)', 'INSERT'],
    ['REPLACE INTO t VALUES (1)', 'INSERT'],
    ['UPDATE t SET a = 1', 'UPDATE'],
    ['DELETE FROM t', 'DELETE'],
    ['MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET a = 1;', 'MERGE'],
    ['CREATE TABLE t (a int)', 'DDL'],
    ['ALTER TABLE t ADD b int', 'DDL'],
    ['DROP VIEW v', 'DDL'],
    ['TRUNCATE TABLE t', 'DDL'],
    ['RENAME TABLE a TO b', 'DDL'],
    ['COMMENT ON TABLE t IS $$x$$', 'DDL'],
    ['DISABLE TRIGGER trg ON t', 'DDL'],
    ['EXEC dbo.usp_report @year = 2025', 'EXEC'],
    ['EXECUTE sp_who', 'EXEC'],
    ['CALL refresh_all()', 'EXEC'],
    ['GRANT SELECT ON t TO reader', 'GRANT'],
    ['REVOKE SELECT ON t FROM reader', 'GRANT'],
    ['DENY DELETE ON t TO agent', 'GRANT'],
    ['SET NOCOUNT ON; SELECT 1', 'OTHER'],
    ['BEGIN TRANSACTION', 'OTHER'],
    ['EXPLAIN SELECT 1', 'OTHER'],
    ['', 'OTHER'],
    ['   -- only a comment', 'OTHER'],
    ['42', 'OTHER'],
  ])('%p is %s', (sql, kind) => {
    expect(deriveStatementKind(sql)).toBe(kind);
  });

  it.each([
    ['leading whitespace and comments', '  \n\t-- note\n/* block */ DELETE FROM t', 'DELETE'],
    ['nested block comments', '/* a /* b */ c */ UPDATE t SET a = 1', 'UPDATE'],
    ['parentheses', '((SELECT 1) UNION (SELECT 2))', 'SELECT'],
    [
      'a leading semicolon',
      ';WITH c AS (SELECT 1 AS a) DELETE FROM t WHERE a IN (SELECT a FROM c)',
      'DELETE',
    ],
    ['a CTE', 'WITH c AS (SELECT 1) SELECT * FROM c', 'SELECT'],
    [
      'several CTEs',
      'WITH a AS (SELECT 1), b AS (SELECT 2) INSERT INTO t SELECT * FROM a, b',
      'INSERT',
    ],
    ['a CTE column list', 'WITH c (x, y) AS (SELECT 1, 2) UPDATE t SET a = 1', 'UPDATE'],
    [
      'RECURSIVE and MATERIALIZED',
      'WITH RECURSIVE r AS MATERIALIZED (SELECT 1) DELETE FROM t',
      'DELETE',
    ],
    ['NOT MATERIALIZED', 'WITH r AS NOT MATERIALIZED (SELECT 1) SELECT 1', 'SELECT'],
    ['a parenthesised main statement', 'WITH c AS (SELECT 1) (SELECT * FROM c)', 'SELECT'],
    [
      'nested parentheses in the CTE body',
      'WITH c AS (SELECT (1 + (2)) AS x) MERGE INTO t USING c ON 1 = 1',
      'MERGE',
    ],
    [
      'a verb word inside the CTE',
      'WITH c AS (DELETE FROM t RETURNING *) SELECT * FROM c',
      'SELECT',
    ],
    ['XMLNAMESPACES', "WITH XMLNAMESPACES ('urn:x' AS x) SELECT 1", 'SELECT'],
    ['strings holding verbs', "SELECT 'DROP TABLE t'", 'SELECT'],
  ])('skips %s', (_name, sql, kind) => {
    expect(deriveStatementKind(sql)).toBe(kind);
  });

  it('is OTHER for a CTE with no main statement', () => {
    expect(deriveStatementKind('WITH c AS (SELECT 1)')).toBe('OTHER');
  });
});

describe('deriveStatementVerb', () => {
  it('upper-cases the first verb', () => {
    expect(deriveStatementVerb('  drop table t')).toBe('DROP');
  });

  it('is undefined without a statement', () => {
    expect(deriveStatementVerb('/* nothing */')).toBeUndefined();
  });
});
