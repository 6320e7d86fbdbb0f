/**
 * When the lifecycle timer runs: an NCRONTAB expression (six fields, seconds first, UTC) in the
 * `LIFECYCLE_SCHEDULE` app setting. Hourly by default, at five past: the hand-off then keeps the
 * hot store within an hour of each class's window, and on the emulator tiering is never more than an
 * hour later than the management policy's daily run in Azure would be.
 */
export const DEFAULT_LIFECYCLE_SCHEDULE = '0 5 * * * *';

export function lifecycleSchedule(env: NodeJS.ProcessEnv): string {
  const value = env.LIFECYCLE_SCHEDULE?.trim();
  return value === undefined || value === '' ? DEFAULT_LIFECYCLE_SCHEDULE : value;
}
