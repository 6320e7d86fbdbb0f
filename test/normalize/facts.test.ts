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
