import { InfraConfigError, readInfraConfig, type ConfigSource } from '../../infra/config';

const VALID: Record<string, string> = {
  environment: 'prod',
  namePrefix: 'sqlaudit',
  regions: JSON.stringify([
    { location: 'westeurope', code: 'weu' },
    { location: 'northeurope', code: 'neu' },
  ]),
  partitionCount: '8',
  auditStorageSku: 'Standard_RAGRS',
  immutabilityMode: 'time-based',
  immutabilityDays: '90',
};

function source(values: Record<string, string | undefined>): ConfigSource {
  return { get: (key) => values[key] };
}

function errorOf(values: Record<string, string | undefined>): InfraConfigError {
  try {
    readInfraConfig(source(values));
  } catch (error) {
    if (error instanceof InfraConfigError) return error;
    throw error;
  }
  throw new Error('readInfraConfig accepted the configuration');
}

describe('readInfraConfig', () => {
  it('reads a complete two-region configuration', () => {
    expect(readInfraConfig(source(VALID))).toEqual({
      environment: 'prod',
      namePrefix: 'sqlaudit',
      regions: [
        { location: 'westeurope', code: 'weu' },
        { location: 'northeurope', code: 'neu' },
      ],
      partitionCount: 8,
      auditStorageSku: 'Standard_RAGRS',
      immutability: { mode: 'time-based', retentionDays: 90 },
      protectStatefulResources: true,
    });
  });

  it('defaults partitions to 4, storage to RA-GRS and protection to off outside prod', () => {
    const config = readInfraConfig(
      source({
        ...VALID,
        environment: 'test',
        partitionCount: undefined,
        auditStorageSku: undefined,
      }),
    );
    expect([
      config.partitionCount,
      config.auditStorageSku,
      config.protectStatefulResources,
    ]).toEqual([4, 'Standard_RAGRS', false]);
  });

  it('lets a stack override the protection default', () => {
    expect(
      readInfraConfig(source({ ...VALID, protectStatefulResources: 'false' }))
        .protectStatefulResources,
    ).toBe(false);
  });

  it('accepts immutability "none" on an unprotected stack', () => {
    const config = readInfraConfig(
      source({
        ...VALID,
        environment: 'dev',
        immutabilityMode: 'none',
        immutabilityDays: undefined,
      }),
    );
    expect(config.immutability).toEqual({ mode: 'none', retentionDays: 0 });
  });

  it('requires the environment', () => {
    expect(errorOf({ ...VALID, environment: undefined }).message).toBe(
      'Config "sql-mcp-audit:environment" is required (2 to 5 lowercase letters or digits, starting with a letter); got null',
    );
  });

  it('rejects a name prefix that cannot be part of a storage account name', () => {
    const error = errorOf({ ...VALID, namePrefix: 'SQL_audit' });
    expect([error.key, error.value, error.message]).toEqual([
      'namePrefix',
      'SQL_audit',
      'Config "sql-mcp-audit:namePrefix" must be 2 to 8 lowercase letters or digits, starting with a letter; got "SQL_audit"',
    ]);
  });

  it('rejects regions that are not a list', () => {
    expect(errorOf({ ...VALID, regions: 'westeurope' }).message).toBe(
      'Config "sql-mcp-audit:regions" must be a list of {location, code} objects (set it with `pulumi config set --path`); got "westeurope"',
    );
  });

  it('rejects more than two regions', () => {
    const three = JSON.stringify([
      { location: 'westeurope', code: 'weu' },
      { location: 'northeurope', code: 'neu' },
      { location: 'swedencentral', code: 'sec' },
    ]);
    expect(errorOf({ ...VALID, regions: three }).message).toBe(
      `Config "sql-mcp-audit:regions" must list 1 or 2 regions, primary first; got ${three}`,
    );
  });

  it('rejects the same location twice', () => {
    const twice = JSON.stringify([
      { location: 'westeurope', code: 'weu' },
      { location: 'westeurope', code: 'we2' },
    ]);
    expect(errorOf({ ...VALID, regions: twice }).message).toBe(
      `Config "sql-mcp-audit:regions" must name two different locations; got ${twice}`,
    );
  });

  it('rejects the same region code twice', () => {
    const twice = JSON.stringify([
      { location: 'westeurope', code: 'eu' },
      { location: 'northeurope', code: 'eu' },
    ]);
    expect(errorOf({ ...VALID, regions: twice }).message).toBe(
      `Config "sql-mcp-audit:regions" must give the two regions different codes; got ${twice}`,
    );
  });

  it('names the bad field of a region', () => {
    const error = errorOf({
      ...VALID,
      regions: JSON.stringify([{ location: 'westeurope', code: 'WEST-EU' }]),
    });
    expect(error.message).toBe(
      'Config "sql-mcp-audit:regions[0].code" must be 2 to 4 lowercase letters or digits; got "WEST-EU"',
    );
  });

  it('rejects a partition count Event Hubs Standard cannot have', () => {
    expect(errorOf({ ...VALID, partitionCount: '33' }).message).toBe(
      'Config "sql-mcp-audit:partitionCount" must be a whole number from 1 to 32; got "33"',
    );
  });

  it('rejects a storage redundancy without the Archive tier', () => {
    expect(errorOf({ ...VALID, auditStorageSku: 'Standard_RAGZRS' }).message).toBe(
      'Config "sql-mcp-audit:auditStorageSku" must be one of Standard_LRS, Standard_GRS, Standard_RAGRS ' +
        '(the Archive tier does not exist on ZRS, GZRS or RA-GZRS accounts); got "Standard_RAGZRS"',
    );
  });

  it('refuses a mutable archive on a protected stack', () => {
    expect(errorOf({ ...VALID, immutabilityMode: 'none' }).message).toBe(
      'Config "sql-mcp-audit:immutabilityMode" cannot be "none" on a stack that protects its stateful resources; got "none"',
    );
  });

  it('rejects an unknown immutability mode', () => {
    expect(errorOf({ ...VALID, immutabilityMode: 'legal-hold' }).message).toBe(
      'Config "sql-mcp-audit:immutabilityMode" must be one of none, time-based, version-level; got "legal-hold"',
    );
  });

  it('requires the immutability period when the archive is immutable', () => {
    expect(
      errorOf({ ...VALID, immutabilityMode: 'version-level', immutabilityDays: undefined }).message,
    ).toBe(
      'Config "sql-mcp-audit:immutabilityDays" is required when immutabilityMode is "version-level"; got null',
    );
  });

  it('rejects a protection flag that is not a boolean', () => {
    expect(errorOf({ ...VALID, protectStatefulResources: 'yes' }).message).toBe(
      'Config "sql-mcp-audit:protectStatefulResources" must be true or false; got "yes"',
    );
  });
});
