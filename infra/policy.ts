/**
 * The security baseline, applied in one place to every resource of the stack (registered as a stack
 * transformation by index.ts): resource code never repeats these settings, and a resource that sets
 * one of them to a weaker value stops the deployment instead of being silently overridden.
 */
import * as pulumi from '@pulumi/pulumi';

/** Properties every resource of a type must carry, with the value the baseline requires. */
type Settings = Readonly<Record<string, unknown>>;

export const REQUIRED_SETTINGS: Readonly<Record<string, Settings>> = {
  'azure-native:storage:StorageAccount': {
    minimumTlsVersion: 'TLS1_2',
    allowBlobPublicAccess: false,
    // ARM's supportsHttpsTrafficOnly, as azure-native names it.
    enableHttpsTrafficOnly: true,
    // Identity only: no account key can be used, so none can leak.
    allowSharedKeyAccess: false,
    defaultToOAuthAuthentication: true,
    allowCrossTenantReplication: false,
  },
  'azure-native:storage:BlobContainer': { publicAccess: 'None' },
  'azure-native:eventhub:Namespace': { minimumTlsVersion: '1.2', disableLocalAuth: true },
  'azure-native:web:WebApp': { httpsOnly: true },
  'azure-native:applicationinsights:Component': { disableLocalAuth: true },
};

/** Nested settings: WebApp.siteConfig. */
export const REQUIRED_SITE_CONFIG: Settings = {
  minTlsVersion: '1.2',
  scmMinTlsVersion: '1.2',
  ftpsState: 'Disabled',
};

/**
 * Resources whose loss loses data or breaks verification: audit data and host state, signing and
 * wrapping keys, the namespace and hub that buffer undelivered events.
 */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'azure-native:storage:StorageAccount',
  'azure-native:keyvault:Vault',
  'azure-native:keyvault:Key',
  'azure-native:eventhub:Namespace',
  'azure-native:eventhub:EventHub',
]);

/**
 * Every resource type this program and its region extensions declare whose arguments accept `tags`.
 * test/infra checks every declared resource against the azure-native type definitions, so a taggable
 * type missing here fails the tests.
 */
export const TAGGABLE_TYPES: ReadonlySet<string> = new Set([
  'azure-native:resources:ResourceGroup',
  'azure-native:storage:StorageAccount',
  'azure-native:eventhub:Namespace',
  'azure-native:keyvault:Vault',
  'azure-native:keyvault:Key',
  'azure-native:operationalinsights:Workspace',
  'azure-native:applicationinsights:Component',
  'azure-native:web:AppServicePlan',
  'azure-native:web:WebApp',
  'azure-native:cdn:Profile',
  'azure-native:cdn:AFDEndpoint',
  // Declared by the Sentinel region extension.
  'azure-native:monitor:DataCollectionEndpoint',
  'azure-native:monitor:DataCollectionRule',
]);

export interface SecurityPolicyOptions {
  /** Added to every taggable resource; a resource's own tag of the same name is replaced. */
  readonly tags: Readonly<Record<string, string>>;
  readonly protectStatefulResources: boolean;
}

export class PolicyViolationError extends Error {
  constructor(
    readonly resourceType: string,
    readonly resourceName: string,
    readonly property: string,
    readonly required: unknown,
    readonly actual: unknown,
  ) {
    super(
      `Policy violation: ${resourceType} "${resourceName}" sets ${property} to ${JSON.stringify(actual)}; ` +
        `the security baseline requires ${JSON.stringify(required)}`,
    );
    this.name = 'PolicyViolationError';
  }
}

/** The stack transformation that applies the baseline. Component resources pass through unchanged. */
export function securityPolicy(options: SecurityPolicyOptions): pulumi.ResourceTransformation {
  return (args) => {
    if (!args.type.startsWith('azure-native:')) return undefined;
    const props: Record<string, unknown> = { ...args.props };
    const where = { type: args.type, name: args.name };

    const required = REQUIRED_SETTINGS[args.type];
    if (required !== undefined) Object.assign(props, withRequired(props, required, where, ''));
    if (args.type === 'azure-native:web:WebApp') {
      props['siteConfig'] = mergeNested(
        props['siteConfig'],
        REQUIRED_SITE_CONFIG,
        where,
        'siteConfig.',
      );
    }
    if (TAGGABLE_TYPES.has(args.type)) {
      props['tags'] = pulumi
        .output(props['tags'] ?? {})
        .apply((own) => ({ ...(own as object), ...options.tags }));
    }

    const opts =
      options.protectStatefulResources && STATEFUL_TYPES.has(args.type)
        ? pulumi.mergeOptions(args.opts, { protect: true })
        : args.opts;
    return { props, opts };
  };
}

interface Where {
  readonly type: string;
  readonly name: string;
}

/** Returns `settings` after checking that `current` sets none of them to another plain value. */
function withRequired(
  current: Record<string, unknown>,
  settings: Settings,
  where: Where,
  path: string,
): Settings {
  for (const [property, value] of Object.entries(settings)) {
    const actual = current[property];
    // An Output cannot be inspected here; the baseline value replaces it all the same.
    if (actual !== undefined && !pulumi.Output.isInstance(actual) && actual !== value) {
      throw new PolicyViolationError(where.type, where.name, path + property, value, actual);
    }
  }
  return settings;
}

function mergeNested(current: unknown, settings: Settings, where: Where, path: string): unknown {
  if (current === undefined) return { ...settings };
  if (pulumi.Output.isInstance(current) || current instanceof Promise) {
    return pulumi.output(current).apply((resolved) => mergeNested(resolved, settings, where, path));
  }
  const object = current as Record<string, unknown>;
  return { ...object, ...withRequired(object, settings, where, path) };
}
