import { SettingsError } from '../config/settings';

/** Every 20 seconds: an accepted event is covered by a signed checkpoint well within a minute. */
export const DEFAULT_SEAL_SCHEDULE = '*/20 * * * * *';

/**
 * The seal timer's NCRONTAB schedule (six fields, seconds first): SEAL_SCHEDULE, or every 20 s.
 * @throws SettingsError when the setting is not six fields.
 */
export function sealSchedule(env: NodeJS.ProcessEnv): string {
  const value = env.SEAL_SCHEDULE?.trim();
  if (value === undefined || value === '') return DEFAULT_SEAL_SCHEDULE;
  if (value.split(/\s+/).length !== 6) {
    throw new SettingsError(
      'SEAL_SCHEDULE',
      `must be an NCRONTAB schedule of six fields (second minute hour day month weekday), got "${value}"`,
    );
  }
  return value;
}
