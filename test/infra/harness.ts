/**
 * Runs the Pulumi program (infra/index.ts) against mocks, as the Pulumi engine would run it, and records
 * every resource it declares: type, logical name, inputs (after the stack transformation), the id the
 * mock issued, its parent and whether it was registered with `protect`.
 *
 * Each jest test file runs in its own module registry, so one file = one program run = one stack.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';

export const PROJECT = 'sql-mcp-audit';
/** The Pulumi program, as infra/Pulumi.yaml names it. */
const PROGRAM = path.join(__dirname, '..', '..', 'infra', 'index');
export const SUBSCRIPTION_ID = '00000000-0000-0000-0000-0000000000aa';
export const TENANT_ID = '00000000-0000-0000-0000-0000000000bb';

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  // Inputs are whatever the program passed; tests narrow them where they look.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly inputs: Record<string, any>;
  readonly id: string;
  readonly urn: string;
  readonly parentUrn: string;
  readonly protect: boolean;
}

export interface ProgramRun {
  readonly resources: readonly RecordedResource[];
  readonly outputs: Record<string, unknown>;
}

/** ARM resource type of each type whose id the program uses (role assignment scopes, origin groups...). */
const ARM_TYPES: Readonly<Record<string, string>> = {
  'azure-native:storage:StorageAccount': 'Microsoft.Storage/storageAccounts',
  'azure-native:eventhub:Namespace': 'Microsoft.EventHub/namespaces',
  'azure-native:keyvault:Vault': 'Microsoft.KeyVault/vaults',
  'azure-native:applicationinsights:Component': 'Microsoft.Insights/components',
  'azure-native:operationalinsights:Workspace': 'Microsoft.OperationalInsights/workspaces',
  'azure-native:web:WebApp': 'Microsoft.Web/sites',
  'azure-native:web:AppServicePlan': 'Microsoft.Web/serverfarms',
  'azure-native:cdn:Profile': 'Microsoft.Cdn/profiles',
};

/** The input that holds the physical name, which Azure returns as the `name` output. */
const NAME_INPUTS: Readonly<Record<string, string>> = {
  'azure-native:resources:ResourceGroup': 'resourceGroupName',
  'azure-native:storage:StorageAccount': 'accountName',
  'azure-native:eventhub:Namespace': 'namespaceName',
  'azure-native:keyvault:Vault': 'vaultName',
  'azure-native:applicationinsights:Component': 'resourceName',
  'azure-native:operationalinsights:Workspace': 'workspaceName',
  'azure-native:web:WebApp': 'name',
  'azure-native:web:AppServicePlan': 'name',
  'azure-native:cdn:Profile': 'profileName',
  'azure-native:cdn:AFDEndpoint': 'endpointName',
  'azure-native:cdn:AFDOriginGroup': 'originGroupName',
  'azure-native:cdn:AFDOrigin': 'originName',
  'azure-native:cdn:Route': 'routeName',
  'azure-native:storage:Table': 'tableName',
  'azure-native:storage:BlobContainer': 'containerName',
  'azure-native:storage:BlobContainerImmutabilityPolicy': 'immutabilityPolicyName',
  'azure-native:storage:ManagementPolicy': 'managementPolicyName',
  'azure-native:storage:BlobServiceProperties': 'blobServicesName',
  'azure-native:eventhub:EventHub': 'eventHubName',
  'azure-native:eventhub:ConsumerGroup': 'consumerGroupName',
  'azure-native:eventhub:DisasterRecoveryConfig': 'alias',
  'azure-native:keyvault:Key': 'keyName',
};

/** Stack configuration as `pulumi config` would hand it to the program: Pulumi.<stack>.yaml. */
export function stackConfig(stack: string): Record<string, string> {
  // The YAML parser the Pulumi SDK itself depends on, resolved from there rather than declared again.
  const requireFromPulumi = createRequire(require.resolve('@pulumi/pulumi'));
  const yaml = requireFromPulumi('js-yaml') as { load(text: string): unknown };
  const file = path.join(__dirname, '..', '..', 'infra', `Pulumi.${stack}.yaml`);
  const document = yaml.load(readFileSync(file, 'utf8')) as { config?: Record<string, unknown> };
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(document.config ?? {})) {
    config[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return config;
}

function physicalName(type: string, logicalName: string, inputs: Record<string, unknown>): string {
  const key = NAME_INPUTS[type];
  const value = key === undefined ? undefined : inputs[key];
  return typeof value === 'string' ? value : logicalName;
}

function mockId(type: string, name: string, inputs: Record<string, unknown>): string {
  const subscription = `/subscriptions/${SUBSCRIPTION_ID}`;
  if (type === 'azure-native:resources:ResourceGroup')
    return `${subscription}/resourceGroups/${name}`;
  const group =
    typeof inputs['resourceGroupName'] === 'string' ? inputs['resourceGroupName'] : 'unknown';
  const armType = ARM_TYPES[type] ?? `Mock.${type.split(':')[1]}/${type.split(':')[2]}`;
  return `${subscription}/resourceGroups/${group}/providers/${armType}/${name}`;
}

/** Outputs Azure would compute, for the types whose outputs the program reads. */
function computedState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): Record<string, unknown> {
  switch (type) {
    case 'azure-native:storage:StorageAccount':
      return {
        primaryEndpoints: {
          blob: `https://${name}.blob.core.windows.net/`,
          table: `https://${name}.table.core.windows.net/`,
          queue: `https://${name}.queue.core.windows.net/`,
        },
      };
    case 'azure-native:eventhub:Namespace':
      return { serviceBusEndpoint: `https://${name}.servicebus.windows.net:443/` };
    case 'azure-native:keyvault:Vault':
      return {
        properties: {
          ...(inputs['properties'] as object),
          vaultUri: `https://${name}.vault.azure.net/`,
        },
      };
    case 'azure-native:web:WebApp':
      return {
        identity: {
          type: 'SystemAssigned',
          principalId: `principal-of-${name}`,
          tenantId: TENANT_ID,
        },
        defaultHostName: `${name}.azurewebsites.net`,
      };
    case 'azure-native:applicationinsights:Component':
      return {
        connectionString:
          'InstrumentationKey=11111111-2222-3333-4444-555555555555;' +
          `IngestionEndpoint=https://${String(inputs['location'])}.in.applicationinsights.azure.com/;` +
          'ApplicationId=66666666-7777-8888-9999-000000000000',
      };
    case 'azure-native:cdn:Profile':
      return { frontDoorId: '0f0f0f0f-1e1e-2d2d-3c3c-4b4b4b4b4b4b' };
    case 'azure-native:cdn:AFDEndpoint':
      return { hostName: `${name}-h3bcd4e5f6g7h8.z01.azurefd.net` };
    default:
      return {};
  }
}

/**
 * Runs infra/index.ts for the given stack configuration. Mocks are set first, then the program is
 * imported inside a Stack, exactly as the Pulumi language host does, so stack transformations apply.
 */
export function runProgram(stack: string, config: Record<string, string>): Promise<ProgramRun> {
  // The program's exports become the stack outputs, as under the Pulumi language host.
  return runInMockedStack(
    stack,
    config,
    async () => (await import(PROGRAM)) as Record<string, unknown>,
  );
}

/** Runs `init` as a stack's program against the mocks; what it returns becomes the stack outputs. */
export async function runInMockedStack(
  stack: string,
  config: Record<string, string>,
  init: () => Promise<Record<string, unknown>>,
): Promise<ProgramRun> {
  const recorded = new Map<string, Omit<RecordedResource, 'protect' | 'parentUrn'>>();
  const registrations = new Map<string, { protect: boolean; parentUrn: string }>();

  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const name = physicalName(args.type, args.name, args.inputs);
        const id = mockId(args.type, name, args.inputs);
        recorded.set(`${args.type}::${args.name}`, {
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          id,
          urn: '',
        });
        return {
          id,
          state: { ...args.inputs, name, ...computedState(args.type, name, args.inputs) },
        };
      },
      call: (args) => {
        if (args.token === 'azure-native:authorization:getClientConfig') {
          return {
            subscriptionId: SUBSCRIPTION_ID,
            tenantId: TENANT_ID,
            clientId: 'deployer',
            objectId: 'deployer',
          };
        }
        throw new Error(`Unexpected invoke ${args.token}`);
      },
    },
    PROJECT,
    stack,
    false,
  );

  // The engine learns `protect` and the parent from the registration request; so does this record.
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(
      request: RegisterRequest,
      callback: (error: unknown, response: RegisterResponse) => void,
    ): void;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) =>
    register(request, (error, response) => {
      if (!error) {
        registrations.set(`${request.getType()}::${request.getName()}`, {
          protect: request.getProtect() === true,
          parentUrn: request.getParent(),
        });
        const entry = recorded.get(`${request.getType()}::${request.getName()}`);
        if (entry !== undefined)
          recorded.set(`${request.getType()}::${request.getName()}`, {
            ...entry,
            urn: response.getUrn(),
          });
      }
      callback(error, response);
    });

  pulumi.runtime.setAllConfig(config);
  const outputs = await pulumi.runtime.runInPulumiStack(init);
  await pulumi.runtime.disconnect();

  const resources = [...recorded.entries()].map(([key, entry]) => {
    const registration = registrations.get(key);
    if (registration === undefined)
      throw new Error(`Resource ${key} was created but never registered`);
    return { ...entry, ...registration };
  });
  return { resources, outputs: outputs ?? {} };
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProtect(): boolean | undefined;
}

interface RegisterResponse {
  getUrn(): string;
}

export function ofType(run: ProgramRun, type: string): RecordedResource[] {
  return run.resources.filter((resource) => resource.type === `azure-native:${type}`);
}

/** Only resource of a type; fails the test if there are none or several. */
export function single(run: ProgramRun, type: string): RecordedResource {
  const found = ofType(run, type);
  if (found.length !== 1) throw new Error(`Expected exactly one ${type}, found ${found.length}`);
  return found[0] as RecordedResource;
}

/** The code of the AuditRegion a resource was declared in, or undefined for cross-region resources. */
export function regionOf(resource: RecordedResource): string | undefined {
  // urn:pulumi:<stack>::<project>::<parent types joined by $>::<name>
  const [, , qualifiedType, ...name] = resource.parentUrn.split('::');
  return qualifiedType?.split('$').pop() === 'sql-mcp-audit:infra:AuditRegion'
    ? name.join('::')
    : undefined;
}
