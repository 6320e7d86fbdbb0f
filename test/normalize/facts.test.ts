import { createHash } from 'node:crypto';
import { deriveFacts, fingerprintIdOf } from '../../src/normalize/facts';
import { exampleEvent } from '../schema/examples';

describe('deriveFacts', () => {
  it('keeps the producer kind and fingerprints the text', () => {
    const fingerprint =
      'SELECT TOP (?) OrderId, Total FROM dbo.Orders WHERE CustomerId = @customerId';
    expect(deriveFacts(exampleEvent('tool-invoked.json'))).toEqual({
      statementKind: 'SELECT',
      statementKindDerived: false,
      statementVerb: 'SELECT',
      fingerprint,
      fingerprintId: createHash('sha256').update(fingerprint).digest('hex').slice(0, 16),
    });
  });

  it('derives the kind when the producer sent none', () => {
    expect(deriveFacts(exampleEvent('policy-denied.json'))).toEqual({
      statementKind: 'DDL',
      statementKindDerived: true,
      statementVerb: 'DROP',
      fingerprint: 'DROP TABLE dbo.Orders',
      fingerprintId: fingerprintIdOf('DROP TABLE dbo.Orders'),
    });
  });

  it('keeps a producer kind that the text contradicts', () => {
    const event = exampleEvent('tool-invoked.json');
    event.data.statement = { text: 'DELETE FROM t', kind: 'OTHER' };
    expect(deriveFacts(event)).toMatchObject({
      statementKind: 'OTHER',
      statementKindDerived: false,
      statementVerb: 'DELETE',
    });
  });

  it('has only the producer kind when there is no text', () => {
    const event = exampleEvent('tool-invoked.json');
    event.data.statement = { kind: 'EXEC' };
    expect(deriveFacts(event)).toEqual({ statementKind: 'EXEC', statementKindDerived: false });
  });

  it('is empty without a statement', () => {
    expect(deriveFacts(exampleEvent('session-started.json'))).toEqual({
      statementKindDerived: false,
    });
  });
});

describe('fingerprintIdOf', () => {
  it('is the first 16 hex digits of SHA-256 over the UTF-8 text', () => {
    expect(fingerprintIdOf('SELECT ?')).toBe(
      createHash('sha256').update('SELECT ?', 'utf8').digest('hex').slice(0, 16),
    );
  });

  it('hashes non-ASCII text as UTF-8', () => {
    expect(fingerprintIdOf('SELECT "ü"')).toBe(
      createHash('sha256').update(Buffer.from('SELECT "ü"', 'utf8')).digest('hex').slice(0, 16),
    );
  });
});

describe('deriveFacts for repeated statements', () => {
  it('gives each call its own object, so changing one leaves the next alone', () => {
    const first = deriveFacts(exampleEvent('policy-denied.json'));
    first.fingerprint = 'changed';
    first.statementKind = 'OTHER';
    expect(deriveFacts(exampleEvent('policy-denied.json'))).toEqual({
      statementKind: 'DDL',
      statementKindDerived: true,
      statementVerb: 'DROP',
      fingerprint: 'DROP TABLE dbo.Orders',
      fingerprintId: fingerprintIdOf('DROP TABLE dbo.Orders'),
    });
  });

  it('keeps the producer kind of each event when the text repeats', () => {
    const withKind = exampleEvent('tool-invoked.json');
    withKind.data.statement = { text: 'DELETE FROM t WHERE id = 1', kind: 'OTHER' };
    const withoutKind = exampleEvent('tool-invoked.json');
    withoutKind.data.statement = { text: 'DELETE FROM t WHERE id = 1' };
    const facts = [withKind, withoutKind, withKind, withoutKind].map((event) => deriveFacts(event));
    expect(facts.map((f) => [f.statementKind, f.statementKindDerived])).toEqual([
      ['OTHER', false],
      ['DELETE', true],
      ['OTHER', false],
      ['DELETE', true],
    ]);
  });

  it('derives a long statement, which is not remembered, the same way each time', () => {
    const event = exampleEvent('tool-invoked.json');
    const text = `SELECT ${'a, '.repeat(2000)}b FROM t WHERE x = 'y'`;
    event.data.statement = { text };
    const expected = `SELECT ${'a, '.repeat(2000)}b FROM t WHERE x = ?`;
    expect([deriveFacts(event).fingerprint, deriveFacts(event).fingerprint]).toEqual([
      expected,
      expected,
    ]);
  });
});
