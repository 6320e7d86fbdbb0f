/**
 * Physical resource names, derived from the configuration so that an operator can find every resource
 * of a region by name during an incident. Several must be globally unique (storage accounts, vaults,
 * namespaces, the Geo-DR alias, function apps): `namePrefix` is what makes them so.
 *
 * Preconditions (guaranteed by readInfraConfig): prefix is 2..8, environment 2..5 and region code 2..4
 * lowercase letters or digits, which keeps every name within its Azure length limit (storage accounts:
 * 3..24 lowercase letters and digits; vaults: 3..24).
 */

export interface NameParts {
  readonly prefix: string;
  readonly environment: string;
}

export interface RegionNames {
  readonly resourceGroup: string;
  readonly auditStorage: string;
  readonly runtimeStorage: string;
  readonly eventHubsNamespace: string;
  readonly keyVault: string;
  readonly workspace: string;
  readonly appInsights: string;
  readonly plan: string;
  readonly functionApp: string;
}

export function regionNames(parts: NameParts, regionCode: string): RegionNames {
  const dashed = `${parts.prefix}-${parts.environment}-${regionCode}`;
  const compact = `${parts.prefix}${parts.environment}${regionCode}`;
  return {
    resourceGroup: `rg-${dashed}`,
    auditStorage: `st${compact}audit`,
    runtimeStorage: `st${compact}fn`,
    eventHubsNamespace: `evhns-${dashed}`,
    keyVault: `kv-${dashed}`,
    workspace: `log-${dashed}`,
    appInsights: `appi-${dashed}`,
    plan: `asp-${dashed}`,
    functionApp: `func-${dashed}`,
  };
}

export interface GlobalNames {
  readonly resourceGroup: string;
  /** The Geo-DR alias: producers connect to `<alias>.servicebus.windows.net`. */
  readonly eventHubsAlias: string;
  readonly frontDoorProfile: string;
  readonly frontDoorEndpoint: string;
}

export function globalNames(parts: NameParts): GlobalNames {
  const dashed = `${parts.prefix}-${parts.environment}`;
  return {
    resourceGroup: `rg-${dashed}-global`,
    eventHubsAlias: `evhns-${dashed}-audit`,
    frontDoorProfile: `afd-${dashed}`,
    frontDoorEndpoint: `${dashed}-api`,
  };
}
