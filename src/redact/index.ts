export { canonicalJson } from '../json/canonical';
export {
  DEFAULT_REDACTION_POLICY,
  parseRedactionPolicy,
  REDACTION_ACTIONS,
  RedactionPolicyError,
  type RedactionAction,
  type RedactionPolicy,
  type RedactionRule,
} from './policy';
export {
  createRedactor,
  HMAC_PREFIX,
  hmacValue,
  MASK,
  maskValue,
  MIN_HMAC_KEY_BYTES,
  RedactionKeyError,
  type RedactionResult,
  type Redactor,
} from './redactor';
export {
  REDACTION_POLICY_FILE_SETTING,
  REDACTION_POLICY_SETTING,
  redactionPolicyFromSettings,
  RedactionSettingError,
} from './settings';
