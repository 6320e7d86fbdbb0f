import { SettingsError } from '../config/settings';

/** Where rows go: a data collection endpoint (or the DCR's own ingestion endpoint), a rule and its stream. */
export interface SentinelSettings {
  /** `SENTINEL_DCR_ENDPOINT`: logs ingestion endpoint, e.g. https://dce-x.westeurope-1.ingest.monitor.azure.com */
  endpoint: string;
  /** `SENTINEL_DCR_RULE_ID`: the rule's immutable id, `dcr-` and 32 hex digits (not its ARM resource id). */
  ruleId: string;
  /** `SENTINEL_STREAM_NAME`: the rule's stream declaration, e.g. Custom-SqlMcpAudit_CL. */
  streamName: string;
}

export const SENTINEL_SETTING_NAMES = {
  endpoint: 'SENTINEL_DCR_ENDPOINT',
  ruleId: 'SENTINEL_DCR_RULE_ID',
  streamName: 'SENTINEL_STREAM_NAME',
} as const;

const RULE_ID = /^dcr-[0-9a-f]{32}$/i;
const STREAM_NAME = /^Custom-[A-Za-z0-9_]+$/;

/**
 * Reads the Sentinel export settings once, at start. Throws SettingsError naming the first setting that is
 * missing or malformed, so a misconfigured export fails before it takes its first batch.
 */
export function sentinelSettingsFromEnv(env: NodeJS.ProcessEnv): SentinelSettings {
  const endpoint = required(env, SENTINEL_SETTING_NAMES.endpoint);
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new SettingsError(
      SENTINEL_SETTING_NAMES.endpoint,
      `must be an https URL, got "${endpoint}"`,
    );
  }
  if (url.protocol !== 'https:') {
    throw new SettingsError(
      SENTINEL_SETTING_NAMES.endpoint,
      `must be an https URL, got "${endpoint}"`,
    );
  }
  const ruleId = required(env, SENTINEL_SETTING_NAMES.ruleId);
  if (!RULE_ID.test(ruleId)) {
    throw new SettingsError(
      SENTINEL_SETTING_NAMES.ruleId,
      `must be the data collection rule's immutable id (dcr- and 32 hex digits), got "${ruleId}"`,
    );
  }
  const streamName = required(env, SENTINEL_SETTING_NAMES.streamName);
  if (!STREAM_NAME.test(streamName)) {
    throw new SettingsError(
      SENTINEL_SETTING_NAMES.streamName,
      `must name a custom stream (Custom-<table>, e.g. Custom-SqlMcpAudit_CL), got "${streamName}"`,
    );
  }
  return { endpoint: endpoint.replace(/\/+$/, ''), ruleId, streamName };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (value === undefined || value === '') {
    throw new SettingsError(name, 'is not set (the Sentinel export needs it)');
  }
  return value;
}
