import { globalNames, regionNames } from '../../infra/names';

// The longest values readInfraConfig accepts.
const LONGEST = { prefix: 'abcdefgh', environment: 'stage' };

describe('regionNames', () => {
  it('names every resource of a region after prefix, environment and region code', () => {
    expect(regionNames({ prefix: 'sqlaudit', environment: 'prod' }, 'weu')).toEqual({
      resourceGroup: 'rg-sqlaudit-prod-weu',
      auditStorage: 'stsqlauditprodweuaudit',
      runtimeStorage: 'stsqlauditprodweufn',
      eventHubsNamespace: 'evhns-sqlaudit-prod-weu',
      keyVault: 'kv-sqlaudit-prod-weu',
      workspace: 'log-sqlaudit-prod-weu',
      appInsights: 'appi-sqlaudit-prod-weu',
      plan: 'asp-sqlaudit-prod-weu',
      functionApp: 'func-sqlaudit-prod-weu',
    });
  });

  it('keeps storage account names within 24 lowercase letters and digits', () => {
    const names = regionNames(LONGEST, 'abcd');
    for (const name of [names.auditStorage, names.runtimeStorage])
      expect(name).toMatch(/^[a-z0-9]{3,24}$/);
  });

  it('keeps vault names within 24 characters', () => {
    expect(regionNames(LONGEST, 'abcd').keyVault).toMatch(/^[a-z][a-z0-9-]{1,22}[a-z0-9]$/);
  });
});

describe('globalNames', () => {
  it('gives the Geo-DR alias a name no regional namespace can have', () => {
    const alias = globalNames(LONGEST).eventHubsAlias;
    expect(alias).toBe('evhns-abcdefgh-stage-audit');
    // Region codes have at most 4 characters; "audit" has 5.
    expect(alias).not.toBe(regionNames(LONGEST, 'abcd').eventHubsNamespace);
  });
});
