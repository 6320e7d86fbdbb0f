import * as pulumi from '@pulumi/pulumi';
import {
  PolicyViolationError,
  securityPolicy,
  type SecurityPolicyOptions,
} from '../../infra/policy';

const TAGS = { application: 'sql-mcp-audit', environment: 'prod', 'managed-by': 'pulumi' };

function transform(
  options: Partial<SecurityPolicyOptions>,
  type: string,
  props: pulumi.Inputs,
  opts: pulumi.ResourceOptions = {},
) {
  const policy = securityPolicy({ tags: TAGS, protectStatefulResources: false, ...options });
  return policy({
    resource: undefined as unknown as pulumi.Resource,
    type,
    name: 'weu-audit-storage',
    props,
    opts,
  });
}

function resolved<T>(value: unknown): Promise<T> {
  return new Promise((resolve) =>
    (pulumi.output(value) as pulumi.Output<unknown>).apply((plain) => resolve(plain as T)),
  );
}

describe('securityPolicy', () => {
  it('sets the storage baseline on an account that does not mention it', () => {
    const result = transform({}, 'azure-native:storage:StorageAccount', { kind: 'StorageV2' });
    expect(result?.props).toMatchObject({
      kind: 'StorageV2',
      minimumTlsVersion: 'TLS1_2',
      allowBlobPublicAccess: false,
      enableHttpsTrafficOnly: true,
      allowSharedKeyAccess: false,
    });
  });

  it('refuses an account that asks for public blob access', () => {
    expect(() =>
      transform({}, 'azure-native:storage:StorageAccount', { allowBlobPublicAccess: true }),
    ).toThrow(
      new PolicyViolationError(
        'azure-native:storage:StorageAccount',
        'weu-audit-storage',
        'allowBlobPublicAccess',
        false,
        true,
      ),
    );
  });

  it('names the resource, the property and both values when it refuses', () => {
    expect(() =>
      transform({}, 'azure-native:eventhub:Namespace', { minimumTlsVersion: '1.0' }),
    ).toThrow(
      'Policy violation: azure-native:eventhub:Namespace "weu-audit-storage" sets minimumTlsVersion to "1.0"; ' +
        'the security baseline requires "1.2"',
    );
  });

  it('adds TLS and FTP settings to a web app, keeping its own site configuration', async () => {
    const result = transform({}, 'azure-native:web:WebApp', {
      siteConfig: { appSettings: [{ name: 'A', value: 'b' }] },
    });
    expect(result?.props['httpsOnly']).toBe(true);
    expect(await resolved(result?.props['siteConfig'])).toEqual({
      appSettings: [{ name: 'A', value: 'b' }],
      minTlsVersion: '1.2',
      scmMinTlsVersion: '1.2',
      ftpsState: 'Disabled',
    });
  });

  it('refuses a web app that lowers its minimum TLS version', () => {
    expect(() =>
      transform({}, 'azure-native:web:WebApp', { siteConfig: { minTlsVersion: '1.0' } }),
    ).toThrow('sets siteConfig.minTlsVersion to "1.0"');
  });

  it('merges the standard tags over a resource’s own tags', async () => {
    const result = transform({}, 'azure-native:keyvault:Vault', {
      tags: { owner: 'audit-team', environment: 'other' },
    });
    expect(await resolved(result?.props['tags'])).toEqual({ owner: 'audit-team', ...TAGS });
  });

  it('does not tag types that take no tags', () => {
    const result = transform({}, 'azure-native:storage:BlobContainer', {
      containerName: 'audit-archive',
    });
    expect(result?.props).toEqual({ containerName: 'audit-archive', publicAccess: 'None' });
  });

  it('protects stateful resources when the stack asks for it', () => {
    expect(
      transform({ protectStatefulResources: true }, 'azure-native:keyvault:Key', {})?.opts.protect,
    ).toBe(true);
  });

  it('leaves stateless resources unprotected even then', () => {
    expect(
      transform({ protectStatefulResources: true }, 'azure-native:web:WebApp', {})?.opts.protect,
    ).toBeUndefined();
  });

  it('protects nothing on a stack that does not ask for it', () => {
    expect(transform({}, 'azure-native:storage:StorageAccount', {})?.opts.protect).toBeUndefined();
  });

  it('passes component resources through unchanged', () => {
    expect(
      transform({ protectStatefulResources: true }, 'sql-mcp-audit:infra:AuditRegion', {}),
    ).toBeUndefined();
  });
});
