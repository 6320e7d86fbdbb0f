import { SettingsError } from '../../src/config/settings';
import { DEFAULT_SEAL_SCHEDULE, sealSchedule } from '../../src/seal/settings';

describe('sealSchedule', () => {
  it('seals every 20 seconds by default', () => {
    expect([sealSchedule({}), DEFAULT_SEAL_SCHEDULE]).toEqual(['*/20 * * * * *', '*/20 * * * * *']);
  });

  it('takes SEAL_SCHEDULE when set', () => {
    expect(sealSchedule({ SEAL_SCHEDULE: ' 0 * * * * * ' })).toBe('0 * * * * *');
  });

  it('refuses a five-field cron expression with the setting named', () => {
    expect(() => sealSchedule({ SEAL_SCHEDULE: '* * * * *' })).toThrow(
      new SettingsError(
        'SEAL_SCHEDULE',
        'must be an NCRONTAB schedule of six fields (second minute hour day month weekday), got "* * * * *"',
      ),
    );
  });
});
