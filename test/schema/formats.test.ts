import { isAbsoluteUri, isRfc3339DateTime, isUriReference } from '../../src/schema/formats';

describe('isRfc3339DateTime', () => {
  it.each([
    '2025-03-14T09:26:53Z',
    '2025-03-14t09:26:53z',
    '2025-03-14T09:26:53.5Z',
    '2025-03-14T09:26:53.123456789Z',
    '2025-03-14T09:26:53+01:00',
    '2025-03-14T09:26:53.001-23:59',
    '2024-02-29T00:00:00Z',
    '2000-02-29T00:00:00Z',
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
  ])('accepts %s', (value) => {
    expect(isRfc3339DateTime(value)).toBe(true);
  });

  it.each([
    ['2025-03-14', 'a date alone'],
    ['2025-03-14 09:26:53Z', 'a space instead of T'],
    ['2025-03-14T09:26:53', 'no offset'],
    ['2025-03-14T09:26Z', 'no seconds'],
    ['2025-13-01T00:00:00Z', 'month 13'],
    ['2025-00-01T00:00:00Z', 'month 0'],
    ['2025-04-31T00:00:00Z', '31 April'],
    ['2025-02-29T00:00:00Z', '29 February in a common year'],
    ['1900-02-29T00:00:00Z', '29 February in a century year'],
    ['0000-01-01T00:00:00Z', 'year 0'],
    ['2025-03-14T24:00:00Z', 'hour 24'],
    ['2025-03-14T09:60:00Z', 'minute 60'],
    ['2016-12-31T23:59:60Z', 'a leap second'],
    ['2025-03-14T09:26:53.Z', 'an empty fraction'],
    ['2025-03-14T09:26:53.1234567890Z', 'ten fractional digits'],
    ['2025-03-14T09:26:53+24:00', 'offset hour 24'],
    ['2025-03-14T09:26:53+01:60', 'offset minute 60'],
    ['2025-03-14T09:26:53+0100', 'an offset without colon'],
    ['2025-03-14T-9:26:53Z', 'a signed hour'],
    ['2025-03-14T09:26:53Z ', 'trailing space'],
    ['２０２５-03-14T09:26:53Z', 'non-ASCII digits'],
  ])('refuses %s (%s)', (value) => {
    expect(isRfc3339DateTime(value)).toBe(false);
  });

  it('agrees with Date.parse on every value it accepts', () => {
    for (const value of [
      '2025-03-14T09:26:53.123Z',
      '2024-02-29T23:59:59+05:30',
      '0001-01-01T00:00:00Z',
    ]) {
      expect(Number.isNaN(Date.parse(value))).toBe(false);
    }
  });
});

describe('isUriReference', () => {
  it.each(['/sqlmcp/servers/a', 'urn:sqlmcp:server:a', 'https://h.example/p?q=1#f', 'a%20b', ''])(
    'accepts %p',
    (value) => {
      expect(isUriReference(value)).toBe(true);
    },
  );

  it.each(['a b', 'a\\b', 'ü', 'a%2', '<x>', 'a"b'])('refuses %p', (value) => {
    expect(isUriReference(value)).toBe(false);
  });
});

describe('isAbsoluteUri', () => {
  it('accepts a URI with a scheme', () => {
    expect(isAbsoluteUri('https://schemas.example/audit/v1')).toBe(true);
  });

  it('refuses a relative reference', () => {
    expect(isAbsoluteUri('/audit/v1')).toBe(false);
  });
});
