import { simulationOptions } from '../../src/cli/commands/simulate';

describe('simulationOptions', () => {
  it('has the documented defaults', () => {
    expect(simulationOptions({})).toEqual({ seed: 1, count: 1000, tenants: 5, ratePerSecond: 1 });
  });

  it('reads every option', () => {
    expect(
      simulationOptions({
        seed: '7',
        count: '300',
        tenants: '2',
        rate: '2.5',
        start: '2025-01-01T00:00:00Z',
        anomalies: 'credential-stuffing,sql-injection-shaped',
      }),
    ).toEqual({
      seed: 7,
      count: 300,
      tenants: 2,
      ratePerSecond: 2.5,
      start: new Date('2025-01-01T00:00:00Z'),
      anomalies: ['credential-stuffing', 'sql-injection-shaped'],
    });
  });

  it('takes --anomalies alone as every kind', () => {
    expect(simulationOptions({ count: '200', anomalies: true }).anomalies).toBe(true);
  });

  it('names an unknown anomaly kind and the known ones', () => {
    expect(() => simulationOptions({ count: '200', anomalies: 'nope' })).toThrow(
      '--anomalies "nope" is not valid: expected one of bulk-export-at-night, ddl-from-read-only-agent, sql-injection-shaped, credential-stuffing, new-agent-sensitive-tables',
    );
  });

  it('needs 200 events for anomalies', () => {
    expect(() => simulationOptions({ count: '50', anomalies: true })).toThrow(
      '--count "50" is not valid: anomalies need at least 200 events',
    );
  });

  it('refuses a count that is not a whole number', () => {
    expect(() => simulationOptions({ count: '1.5' })).toThrow(
      '--count "1.5" is not valid: expected a whole number from 0 to 10000000',
    );
  });
});
