import { SettingsError } from '../config/settings';
import { systemResolver, type CallbackPolicy } from './callback-url';

/** The app setting that turns on development mode: the local host sets it; Azure never should. */
export const DEV_MODE_SETTING = 'AUDIT_DEV_MODE';

/**
 * Where webhooks may go under the app settings: https to public addresses, resolved with the system
 * resolver; with AUDIT_DEV_MODE=true also loopback, over http or https (a receiver on 127.0.0.1).
 * @throws SettingsError when AUDIT_DEV_MODE is set to anything but true or false.
 */
export function callbackPolicyFromSettings(env: NodeJS.ProcessEnv): CallbackPolicy {
  const raw = env[DEV_MODE_SETTING]?.trim().toLowerCase();
  if (raw !== undefined && raw !== '' && raw !== 'true' && raw !== 'false') {
    throw new SettingsError(
      DEV_MODE_SETTING,
      `must be true or false, got "${env[DEV_MODE_SETTING]}"`,
    );
  }
  return { resolver: systemResolver, allowLoopback: raw === 'true' };
}
