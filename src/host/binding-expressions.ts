import { SettingsError } from '../config/settings';

/**
 * Settings the Functions app documents a default for; any other `%NAME%` must be set, as the Functions
 * host refuses to start a function whose binding names a missing setting.
 */
export const BINDING_DEFAULTS: Readonly<Record<string, string>> = {
  EVENTHUB_NAME: 'audit',
  EVENTHUB_CONSUMER_GROUP: '$Default',
};

/**
 * Replaces every `%NAME%` in a binding property (an event hub name, a consumer group, a schedule) with
 * the app setting NAME.
 * @throws SettingsError naming the setting when it is unset and has no documented default.
 */
export function resolveBindingExpression(value: string, settings: NodeJS.ProcessEnv): string {
  return value.replace(/%([A-Za-z_][A-Za-z0-9_:]*)%/g, (_match, name: string) => {
    const setting = settings[name]?.trim();
    if (setting !== undefined && setting !== '') return setting;
    const fallback = BINDING_DEFAULTS[name];
    if (fallback !== undefined) return fallback;
    throw new SettingsError(name, `is not set, and the binding "${value}" needs it`);
  });
}
