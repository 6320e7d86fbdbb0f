/**
 * Policies every stack must satisfy, phrased over every resource the program declares. Each stack's test
 * file runs the program once and calls describeStackPolicies with that run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { generateAzureManagementPolicy, loadRetentionPolicy } from '../../lifecycle';
import { ofType, regionOf, type ProgramRun, type RecordedResource } from './harness';

const ROLE = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  eventHubsDataReceiver: 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde',
  eventHubsDataSender: '2b629674-e913-4c01-ae53-ef4638d8f975',
  keyVaultCryptoUser: '12338af0-0e69-4776-bea7-57ae8d297424',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
};

/** Resource types every region must declare, with how many of each. */
const REGION_TYPES: ReadonlyArray<readonly [string, number]> = [
  ['resources:ResourceGroup', 1],
  ['operationalinsights:Workspace', 1],
  ['applicationinsights:Component', 1],
  ['storage:StorageAccount', 2],
  ['storage:BlobServiceProperties', 1],
  ['storage:Table', 3],
  ['storage:BlobContainer', 5],
  ['storage:ManagementPolicy', 1],
  ['eventhub:Namespace', 1],
  ['keyvault:Vault', 1],
  ['keyvault:Key', 2],
  ['web:AppServicePlan', 1],
  ['web:WebApp', 1],
  ['authorization:RoleAssignment', 7],
];

const EXPECTED_APP_SETTINGS = [
  'AzureWebJobsStorage__accountName',
  'AUDIT_STORAGE__blobServiceUri',
  'AUDIT_STORAGE__tableServiceUri',
  'EVENTHUB_CONNECTION__fullyQualifiedNamespace',
  'EVENTHUB_NAME',
  'EVENTHUB_CONSUMER_GROUP',
  'KEY_PROVIDER',
  'KEY_VAULT_URL',
  'SIGNING_KEY_NAME',
  'WRAPPING_KEY_NAME',
  'AUDIT_REGION',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
].sort();

/** What a credential looks like in an app setting value. */
const SECRET_PATTERNS: readonly RegExp[] = [
  /AccountKey=/i,
  /SharedAccessKey=/i,
  /SharedAccessSignature=/i,
  /[?&]sig=/i,
  /@Microsoft\.KeyVault\(/i,
  /password|secret/i,
  /-----BEGIN/,
  // A long base64 run: storage keys, SAS keys and client secrets all are.
  /[A-Za-z0-9+/]{40,}={0,2}/,
];

export const STANDARD_TAGS = { application: 'sql-mcp-audit', 'managed-by': 'pulumi' };

/** The type of the resource whose ARM id a role assignment may use as scope. */
const SCOPE_TYPES = new Set([
  'azure-native:storage:StorageAccount',
  'azure-native:eventhub:Namespace',
  'azure-native:keyvault:Vault',
  'azure-native:applicationinsights:Component',
]);

export function appSettings(app: RecordedResource): Record<string, string> {
  const pairs = app.inputs['siteConfig']['appSettings'] as Array<{ name: string; value: string }>;
  return Object.fromEntries(pairs.map((pair) => [pair.name, pair.value]));
}

export function byId(run: ProgramRun, id: string): RecordedResource | undefined {
  return run.resources.find((resource) => resource.id === id);
}

/** Every (key, value) pair anywhere in a resource's inputs. */
function* walk(value: unknown, key = ''): Generator<[string, unknown]> {
  yield [key, value];
  if (Array.isArray(value)) {
    for (const item of value) yield* walk(item, key);
  } else if (typeof value === 'object' && value !== null) {
    for (const [child, nested] of Object.entries(value)) yield* walk(nested, child);
  }
}

const argsAcceptTags = new Map<string, boolean>();

/** Reads the azure-native type definitions: does `<Class>Args` have a top-level `tags` property? */
export function typeAcceptsTags(type: string): boolean {
  const known = argsAcceptTags.get(type);
  if (known !== undefined) return known;
  const [, module, className] = type.split(':');
  const directory = path.join(
    path.dirname(require.resolve('@pulumi/azure-native/package.json')),
    module ?? '',
  );
  const declaration = readdirSync(directory)
    .filter((file) => file.endsWith('.d.ts'))
    .map((file) => readFileSync(path.join(directory, file), 'utf8'))
    .find((text) =>
      text.includes(`export declare class ${className} extends pulumi.CustomResource`),
    );
  if (declaration === undefined) throw new Error(`No type definition found for ${type}`);
  const argsStart = declaration.indexOf(`export interface ${className}Args {`);
  const argsBody = declaration.slice(argsStart, declaration.indexOf('\n}', argsStart));
  const accepts = /^ {4}tags\?:/m.test(argsBody);
  argsAcceptTags.set(type, accepts);
  return accepts;
}

export function describeStackPolicies(
  getRun: () => ProgramRun,
  regionCodes: readonly string[],
  environment: string,
): void {
  describe('policy over every resource', () => {
    it.each(regionCodes.map((code) => [code]))(
      'region %s declares a complete regional stack',
      (code) => {
        const run = getRun();
        const counts = REGION_TYPES.map(([type]) => [
          type,
          ofType(run, type).filter((resource) => regionOf(resource) === code).length,
        ]);
        expect(counts).toEqual(REGION_TYPES.map(([type, count]) => [type, count]));
      },
    );

    it('every region declares the tables and containers of the storage layout', () => {
      const run = getRun();
      for (const code of regionCodes) {
        const inRegion = (type: string) =>
          ofType(run, type).filter((resource) => regionOf(resource) === code);
        expect(
          inRegion('storage:Table')
            .map((table) => table.inputs['tableName'])
            .sort(),
        ).toEqual(['auditevents', 'auditids', 'auditstate']);
        expect(
          inRegion('storage:BlobContainer')
            .map((container) => container.inputs['containerName'])
            .sort(),
        ).toEqual([
          'app-package',
          'audit-archive',
          'audit-checkpoints',
          'audit-deadletter',
          'audit-tiles',
        ]);
      }
    });

    it('every function app runs on Flex Consumption with a system-assigned identity', () => {
      const run = getRun();
      for (const app of ofType(run, 'web:WebApp')) {
        const plan = byId(run, app.inputs['serverFarmId']);
        expect(plan?.inputs['sku']).toEqual({ name: 'FC1', tier: 'FlexConsumption' });
        expect(app.inputs['identity']).toEqual({ type: 'SystemAssigned' });
        expect(app.inputs['functionAppConfig']['runtime']).toEqual({ name: 'node', version: '22' });
        expect(app.inputs['functionAppConfig']['deployment']['storage']['authentication']).toEqual({
          type: 'SystemAssignedIdentity',
        });
      }
    });

    it('every function app has exactly the identity-based settings, and no connection strings', () => {
      const run = getRun();
      for (const app of ofType(run, 'web:WebApp')) {
        expect(Object.keys(appSettings(app)).sort()).toEqual(EXPECTED_APP_SETTINGS);
        expect(app.inputs['siteConfig']['connectionStrings']).toBeUndefined();
      }
    });

    it('no app setting value looks like a secret', () => {
      const run = getRun();
      const offending = ofType(run, 'web:WebApp').flatMap((app) =>
        Object.entries(appSettings(app))
          .filter(([, value]) => SECRET_PATTERNS.some((pattern) => pattern.test(value)))
          .map(([name, value]) => `${app.name}: ${name}=${value}`),
      );
      expect(offending).toEqual([]);
    });

    it("each function app talks to its own region's namespace, storage and vault, and names its region", () => {
      const run = getRun();
      const apps = ofType(run, 'web:WebApp');
      for (const app of apps) {
        const code = regionOf(app);
        const inRegion = (type: string) =>
          ofType(run, type).filter((resource) => regionOf(resource) === code);
        const settings = appSettings(app);
        const namespace = inRegion('eventhub:Namespace')[0];
        const vault = inRegion('keyvault:Vault')[0];
        const auditAccount = inRegion('storage:ManagementPolicy')[0]?.inputs['accountName'];
        expect(settings['EVENTHUB_CONNECTION__fullyQualifiedNamespace']).toBe(
          `${namespace?.inputs['namespaceName']}.servicebus.windows.net`,
        );
        expect(settings['AUDIT_STORAGE__blobServiceUri']).toBe(
          `https://${auditAccount}.blob.core.windows.net/`,
        );
        expect(settings['AUDIT_STORAGE__tableServiceUri']).toBe(
          `https://${auditAccount}.table.core.windows.net/`,
        );
        expect(settings['KEY_VAULT_URL']).toBe(
          `https://${vault?.inputs['vaultName']}.vault.azure.net/`,
        );
        expect(settings['EVENTHUB_NAME']).toBe('audit');
        expect(settings['EVENTHUB_CONSUMER_GROUP']).toBe('$Default');
        expect(settings['KEY_PROVIDER']).toBe('keyvault');
      }
      const regions = apps.map((app) => appSettings(app)['AUDIT_REGION']);
      expect(new Set(regions).size).toBe(apps.length);
    });

    it('every role assignment is scoped to one storage account, namespace, vault or component of its own region', () => {
      const run = getRun();
      const assignments = ofType(run, 'authorization:RoleAssignment');
      expect(assignments.length).toBeGreaterThan(0);
      for (const assignment of assignments) {
        const scope: string = assignment.inputs['scope'];
        expect(scope).not.toMatch(/^\/subscriptions\/[^/]+(\/resourceGroups\/[^/]+)?\/?$/i);
        const target = byId(run, scope);
        expect(target === undefined ? 'no resource with that id' : target.type).toMatch(
          new RegExp(`^(${[...SCOPE_TYPES].join('|')})$`),
        );
        expect(target === undefined ? undefined : regionOf(target)).toBe(regionOf(assignment));
      }
    });

    it("every role assignment grants a built-in role to its own region's function app identity", () => {
      const run = getRun();
      for (const assignment of ofType(run, 'authorization:RoleAssignment')) {
        const app = ofType(run, 'web:WebApp').find(
          (candidate) => regionOf(candidate) === regionOf(assignment),
        );
        expect(assignment.inputs['principalId']).toBe(`principal-of-${app?.inputs['name']}`);
        expect(assignment.inputs['principalType']).toBe('ServicePrincipal');
        expect(assignment.inputs['roleDefinitionId']).toMatch(
          new RegExp(
            `^/subscriptions/[^/]+/providers/Microsoft\\.Authorization/roleDefinitions/(${Object.values(ROLE).join('|')})$`,
          ),
        );
      }
    });

    it('each region grants exactly the least-privilege set of roles', () => {
      const run = getRun();
      for (const code of regionCodes) {
        const grants = ofType(run, 'authorization:RoleAssignment')
          .filter((assignment) => regionOf(assignment) === code)
          .map((assignment) => {
            const target = byId(run, assignment.inputs['scope']);
            const role = String(assignment.inputs['roleDefinitionId']).split('/').pop();
            const label =
              target?.type === 'azure-native:storage:StorageAccount'
                ? target.inputs['accountName']
                : target?.type;
            return `${role} on ${label}`;
          })
          .sort();
        const accounts = ofType(run, 'storage:StorageAccount').filter(
          (account) => regionOf(account) === code,
        );
        const auditAccount = ofType(run, 'storage:ManagementPolicy').find(
          (policy) => regionOf(policy) === code,
        )?.inputs['accountName'];
        const runtimeAccount = accounts.find(
          (account) => account.inputs['accountName'] !== auditAccount,
        )?.inputs['accountName'];
        expect(grants).toEqual(
          [
            `${ROLE.storageTableDataContributor} on ${auditAccount}`,
            `${ROLE.storageBlobDataContributor} on ${auditAccount}`,
            `${ROLE.storageBlobDataOwner} on ${runtimeAccount}`,
            `${ROLE.eventHubsDataReceiver} on azure-native:eventhub:Namespace`,
            `${ROLE.eventHubsDataSender} on azure-native:eventhub:Namespace`,
            `${ROLE.keyVaultCryptoUser} on azure-native:keyvault:Vault`,
            `${ROLE.monitoringMetricsPublisher} on azure-native:applicationinsights:Component`,
          ].sort(),
        );
      }
    });

    it('the storage lifecycle policy of every audit account is the one generated from lifecycle/policy.json', () => {
      const run = getRun();
      const policyJson: unknown = JSON.parse(
        readFileSync(path.join(__dirname, '..', '..', 'lifecycle', 'policy.json'), 'utf8'),
      );
      const expected = generateAzureManagementPolicy(loadRetentionPolicy(policyJson));
      const policies = ofType(run, 'storage:ManagementPolicy');
      expect(policies).toHaveLength(regionCodes.length);
      for (const policy of policies) {
        expect(policy.inputs['managementPolicyName']).toBe('default');
        expect(policy.inputs['policy']).toEqual(JSON.parse(JSON.stringify(expected)));
      }
    });

    it('every account holding the archive container has a redundancy that allows the Archive tier', () => {
      const run = getRun();
      const archiveAccounts = ofType(run, 'storage:BlobContainer')
        .filter((container) => container.inputs['containerName'] === 'audit-archive')
        .map((container) => container.inputs['accountName']);
      const skus = ofType(run, 'storage:StorageAccount')
        .filter((account) => archiveAccounts.includes(account.inputs['accountName']))
        .map((account) => account.inputs['sku']['name']);
      expect(skus).toHaveLength(regionCodes.length);
      for (const sku of skus)
        expect(['Standard_LRS', 'Standard_GRS', 'Standard_RAGRS']).toContain(sku);
    });

    it('every key vault uses RBAC, purge protection and 90 days of soft delete', () => {
      const run = getRun();
      for (const vault of ofType(run, 'keyvault:Vault')) {
        expect(vault.inputs['properties']).toMatchObject({
          enableRbacAuthorization: true,
          enablePurgeProtection: true,
          enableSoftDelete: true,
          softDeleteRetentionInDays: 90,
        });
        expect(vault.inputs['properties']['accessPolicies']).toBeUndefined();
      }
    });

    it('every vault holds an EC P-256 signing key that rotates and an RSA wrapping key', () => {
      const run = getRun();
      for (const code of regionCodes) {
        const keys = ofType(run, 'keyvault:Key').filter((key) => regionOf(key) === code);
        const signing = keys.find((key) => key.inputs['keyName'] === 'audit-signing')?.inputs[
          'properties'
        ];
        const wrapping = keys.find((key) => key.inputs['keyName'] === 'audit-wrapping')?.inputs[
          'properties'
        ];
        expect(signing).toMatchObject({
          kty: 'EC',
          curveName: 'P-256',
          keyOps: ['sign', 'verify'],
        });
        expect(signing.rotationPolicy.lifetimeActions).toContainEqual({
          trigger: { timeAfterCreate: 'P90D' },
          action: { type: 'rotate' },
        });
        expect(wrapping).toMatchObject({
          kty: 'RSA',
          keySize: 3072,
          keyOps: ['wrapKey', 'unwrapKey'],
        });
        expect(wrapping.rotationPolicy.lifetimeActions).toContainEqual({
          trigger: { timeAfterCreate: 'P1Y' },
          action: { type: 'rotate' },
        });
      }
    });

    it('no storage account allows public blob access, shared keys or plain HTTP, and no container is public', () => {
      const run = getRun();
      for (const account of ofType(run, 'storage:StorageAccount')) {
        expect(account.inputs).toMatchObject({
          allowBlobPublicAccess: false,
          allowSharedKeyAccess: false,
          enableHttpsTrafficOnly: true,
        });
      }
      for (const container of ofType(run, 'storage:BlobContainer')) {
        expect(container.inputs['publicAccess']).toBe('None');
      }
    });

    it('TLS 1.2 is the minimum everywhere a minimum can be set', () => {
      const run = getRun();
      const settings = run.resources.flatMap((resource) =>
        [...walk(resource.inputs)]
          .filter(([key]) => /^(minimumTlsVersion|minTlsVersion|scmMinTlsVersion)$/.test(key))
          .map(([key, value]) => `${resource.type} ${key}=${String(value)}`),
      );
      expect(settings.filter((setting) => !/=(TLS1_2|1\.2)$/.test(setting))).toEqual([]);
      const types = new Set(settings.map((setting) => setting.split(' ')[0]));
      expect([...types].sort()).toEqual([
        'azure-native:eventhub:Namespace',
        'azure-native:storage:StorageAccount',
        'azure-native:web:WebApp',
      ]);
      for (const app of ofType(run, 'web:WebApp')) {
        expect(app.inputs['siteConfig']).toMatchObject({
          minTlsVersion: '1.2',
          scmMinTlsVersion: '1.2',
        });
      }
    });

    it('every function app is HTTPS only with FTP disabled', () => {
      for (const app of ofType(getRun(), 'web:WebApp')) {
        expect(app.inputs['httpsOnly']).toBe(true);
        expect(app.inputs['siteConfig']['ftpsState']).toBe('Disabled');
      }
    });

    it('no namespace or Application Insights component accepts keys instead of Entra ID', () => {
      const run = getRun();
      for (const resource of [
        ...ofType(run, 'eventhub:Namespace'),
        ...ofType(run, 'applicationinsights:Component'),
      ]) {
        expect(resource.inputs['disableLocalAuth']).toBe(true);
      }
    });

    it('every resource that accepts tags carries the standard tags', () => {
      const run = getRun();
      const taggable = run.resources.filter(
        (resource) => resource.type.startsWith('azure-native:') && typeAcceptsTags(resource.type),
      );
      // The oracle itself: accounts take tags, containers do not.
      expect(typeAcceptsTags('azure-native:storage:StorageAccount')).toBe(true);
      expect(typeAcceptsTags('azure-native:storage:BlobContainer')).toBe(false);
      const untagged = taggable
        .filter((resource) => {
          const tags = resource.inputs['tags'] as Record<string, string> | undefined;
          return (
            tags?.['application'] !== STANDARD_TAGS.application ||
            tags['managed-by'] !== STANDARD_TAGS['managed-by'] ||
            tags['environment'] !== environment
          );
        })
        .map((resource) => `${resource.type} ${resource.name}`);
      expect(untagged).toEqual([]);
    });
  });
}
