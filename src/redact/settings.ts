import { readFileSync } from 'node:fs';
import {
  DEFAULT_REDACTION_POLICY,
  parseRedactionPolicy,
  RedactionPolicyError,
  type RedactionPolicy,
} from './policy';

export const REDACTION_POLICY_SETTING = 'REDACTION_POLICY';
export const REDACTION_POLICY_FILE_SETTING = 'REDACTION_POLICY_FILE';

/** A redaction setting that is present but unusable; `setting` names it. */
export class RedactionSettingError extends Error {
  constructor(
    readonly setting: string,
    readonly detail: string,
  ) {
    super(`${setting}: ${detail}`);
    this.name = 'RedactionSettingError';
  }
}

/**
 * The redaction policy the app settings ask for: REDACTION_POLICY holds the policy as inline JSON,
 * REDACTION_POLICY_FILE names a JSON file holding it; at most one may be set (an empty value counts as
 * unset). With neither, DEFAULT_REDACTION_POLICY applies. Read once at start-up; errors name the
 * setting and, for a bad policy, the rule and field.
 */
export function redactionPolicyFromSettings(env: NodeJS.ProcessEnv): RedactionPolicy {
  const inline = nonEmpty(env[REDACTION_POLICY_SETTING]);
  const file = nonEmpty(env[REDACTION_POLICY_FILE_SETTING]);
  if (inline !== undefined && file !== undefined) {
    throw new RedactionSettingError(
      REDACTION_POLICY_SETTING,
      `set together with ${REDACTION_POLICY_FILE_SETTING}; set only one of them`,
    );
  }
  if (inline !== undefined) {
    return parseSetting(REDACTION_POLICY_SETTING, inline, '');
  }
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new RedactionSettingError(
        REDACTION_POLICY_FILE_SETTING,
        `cannot read ${file}: ${messageOf(error)}`,
      );
    }
    return parseSetting(REDACTION_POLICY_FILE_SETTING, text, `${file}: `);
  }
  return DEFAULT_REDACTION_POLICY;
}

/** `where` prefixes the detail, naming the file when the policy came from one. */
function parseSetting(setting: string, text: string, where: string): RedactionPolicy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RedactionSettingError(setting, `${where}is not valid JSON (${messageOf(error)})`);
  }
  try {
    return parseRedactionPolicy(json);
  } catch (error) {
    if (error instanceof RedactionPolicyError) {
      throw new RedactionSettingError(setting, `${where}${error.message}`);
    }
    throw error;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** The message of a thrown value; `instanceof Error` is unreliable for errors from other realms. */
function messageOf(error: unknown): string {
  if (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string'
  ) {
    return (error as { message: string }).message;
  }
  return String(error);
}
