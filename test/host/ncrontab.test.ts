import { CronExpressionError, parseNcrontab } from '../../src/host/ncrontab';

const at = (iso: string): Date => new Date(iso);
const next = (expression: string, after: string): string =>
  parseNcrontab(expression).next(at(after)).toISOString();

describe('parseNcrontab: next occurrence (UTC)', () => {
  it('fires every second with all stars', () => {
    expect(next('* * * * * *', '2025-06-02T10:00:00.000Z')).toBe('2025-06-02T10:00:01.000Z');
  });

  it('rounds a time with milliseconds up to the next whole second', () => {
    expect(next('* * * * * *', '2025-06-02T10:00:00.400Z')).toBe('2025-06-02T10:00:01.000Z');
  });

  it('fires every five minutes on the minute', () => {
    expect(next('0 */5 * * * *', '2025-06-02T10:03:12.000Z')).toBe('2025-06-02T10:05:00.000Z');
  });

  it('is strictly after the given time', () => {
    expect(next('0 */5 * * * *', '2025-06-02T10:05:00.000Z')).toBe('2025-06-02T10:10:00.000Z');
  });

  it('fires hourly at minute 0', () => {
    expect(next('0 0 * * * *', '2025-06-02T23:30:00.000Z')).toBe('2025-06-03T00:00:00.000Z');
  });

  it('takes ranges with steps', () => {
    expect(next('0 0 9-17/4 * * *', '2025-06-02T13:00:01.000Z')).toBe('2025-06-02T17:00:00.000Z');
  });

  it('takes a start with a step (a/n)', () => {
    expect(next('0 10/20 * * * *', '2025-06-02T10:31:00.000Z')).toBe('2025-06-02T10:50:00.000Z');
  });

  it('takes lists', () => {
    expect(next('0 0 6,18 * * *', '2025-06-02T07:00:00.000Z')).toBe('2025-06-02T18:00:00.000Z');
  });

  it('takes weekday names: 09:30 on weekdays, from a Saturday', () => {
    expect(next('0 30 9 * * Mon-Fri', '2025-06-07T12:00:00.000Z')).toBe('2025-06-09T09:30:00.000Z');
  });

  it('takes full month names in any case', () => {
    expect(next('0 0 0 1 JANUARY *', '2025-06-02T00:00:00.000Z')).toBe('2026-01-01T00:00:00.000Z');
  });

  it('requires both the day of month and the day of week, as NCrontab does', () => {
    // After Friday 2025-06-13, the next 13th that is a Friday is 2026-02-13.
    expect(next('0 0 0 13 * 5', '2025-06-14T00:00:00.000Z')).toBe('2026-02-13T00:00:00.000Z');
  });

  it('finds February 29th in the next leap year', () => {
    expect(next('0 0 12 29 2 *', '2025-03-01T00:00:00.000Z')).toBe('2028-02-29T12:00:00.000Z');
  });

  it('rolls over the end of a year', () => {
    expect(next('30 59 23 31 12 *', '2025-12-31T23:59:30.000Z')).toBe('2026-12-31T23:59:30.000Z');
  });
});

describe('parseNcrontab: errors name the field and value', () => {
  const message = (expression: string): string => {
    try {
      parseNcrontab(expression);
    } catch (error) {
      expect(error).toBeInstanceOf(CronExpressionError);
      return (error as Error).message;
    }
    throw new Error(`"${expression}" was accepted`);
  };

  it('refuses five fields and shows the six-field form', () => {
    expect(message('*/5 * * * *')).toBe(
      'NCRONTAB "*/5 * * * *": expected 6 fields (second minute hour day month day-of-week), got 5; add a seconds field first, e.g. "0 */5 * * * *"',
    );
  });

  it('refuses an empty schedule', () => {
    expect(message('')).toBe(
      'NCRONTAB "": expected 6 fields (second minute hour day month day-of-week), got 0',
    );
  });

  it('refuses a value out of range', () => {
    expect(message('0 60 * * * *')).toBe(
      'NCRONTAB "0 60 * * * *": field 2 (minute) "60": 60 is outside 0-59',
    );
  });

  it('refuses weekday 7', () => {
    expect(message('0 0 0 * * 7')).toBe(
      'NCRONTAB "0 0 0 * * 7": field 6 (day-of-week) "7": 7 is outside 0-6',
    );
  });

  it('refuses an unknown month name', () => {
    expect(message('0 0 0 1 Foo *')).toBe(
      'NCRONTAB "0 0 0 1 Foo *": field 5 (month) "Foo": "Foo" is neither a number 1-12 nor a month name',
    );
  });

  it('refuses a zero step', () => {
    expect(message('*/0 * * * * *')).toBe(
      'NCRONTAB "*/0 * * * * *": field 1 (second) "*/0": step "0" must be a whole number >= 1',
    );
  });

  it('refuses a backwards range', () => {
    expect(message('0 0 17-9 * * *')).toBe(
      'NCRONTAB "0 0 17-9 * * *": field 3 (hour) "17-9": range 17-9 runs backwards',
    );
  });

  it('refuses a date that never exists', () => {
    expect(message('0 0 0 30 2 *')).toBe(
      'NCRONTAB "0 0 0 30 2 *": never fires: no selected month has the selected days',
    );
  });

  it('refuses a TimeSpan schedule', () => {
    expect(message('00:05:00')).toBe(
      'NCRONTAB "00:05:00": TimeSpan schedules run only on App Service plans; write an NCRONTAB expression such as "0 */5 * * * *"',
    );
  });
});
