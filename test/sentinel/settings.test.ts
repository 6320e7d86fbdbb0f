import { sentinelSettingsFromEnv } from '../../src/sentinel/settings';

const VALID = {
  SENTINEL_DCR_ENDPOINT: 'https://dce-audit-abcd.westeurope-1.ingest.monitor.azure.com/',
  SENTINEL_DCR_RULE_ID: 'dcr-0123456789abcdef0123456789abcdef',
  SENTINEL_STREAM_NAME: 'Custom-SqlMcpAudit_CL',
};

describe('sentinelSettingsFromEnv', () => {
  it('reads the three settings and drops a trailing slash from the endpoint', () => {
    expect(sentinelSettingsFromEnv(VALID)).toEqual({
      endpoint: 'https://dce-audit-abcd.westeurope-1.ingest.monitor.azure.com',
      ruleId: 'dcr-0123456789abcdef0123456789abcdef',
      streamName: 'Custom-SqlMcpAudit_CL',
    });
  });

  it.each(['SENTINEL_DCR_ENDPOINT', 'SENTINEL_DCR_RULE_ID', 'SENTINEL_STREAM_NAME'])(
    'names %s when it is missing',
    (name) => {
      const env: NodeJS.ProcessEnv = { ...VALID };
      delete env[name];
      expect(() => sentinelSettingsFromEnv(env)).toThrow(
        `${name}: is not set (the Sentinel export needs it)`,
      );
    },
  );

  it('treats a blank setting as missing', () => {
    expect(() => sentinelSettingsFromEnv({ ...VALID, SENTINEL_STREAM_NAME: '  ' })).toThrow(
      'SENTINEL_STREAM_NAME: is not set (the Sentinel export needs it)',
    );
  });

  it('refuses an endpoint that is not https', () => {
    expect(() =>
      sentinelSettingsFromEnv({ ...VALID, SENTINEL_DCR_ENDPOINT: 'http://localhost:8080' }),
    ).toThrow('SENTINEL_DCR_ENDPOINT: must be an https URL, got "http://localhost:8080"');
  });

  it('refuses an endpoint that is not a URL', () => {
    expect(() => sentinelSettingsFromEnv({ ...VALID, SENTINEL_DCR_ENDPOINT: 'dce-audit' })).toThrow(
      'SENTINEL_DCR_ENDPOINT: must be an https URL, got "dce-audit"',
    );
  });

  it('refuses an ARM resource id where the immutable rule id belongs', () => {
    const armId =
      '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Insights/dataCollectionRules/dcr-audit';
    expect(() => sentinelSettingsFromEnv({ ...VALID, SENTINEL_DCR_RULE_ID: armId })).toThrow(
      `SENTINEL_DCR_RULE_ID: must be the data collection rule's immutable id (dcr- and 32 hex digits), got "${armId}"`,
    );
  });

  it('refuses a stream name without the Custom- prefix', () => {
    expect(() =>
      sentinelSettingsFromEnv({ ...VALID, SENTINEL_STREAM_NAME: 'SqlMcpAudit_CL' }),
    ).toThrow(
      'SENTINEL_STREAM_NAME: must name a custom stream (Custom-<table>, e.g. Custom-SqlMcpAudit_CL), got "SqlMcpAudit_CL"',
    );
  });
});
