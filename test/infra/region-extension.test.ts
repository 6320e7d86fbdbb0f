/**
 * A region extension (infra/region/extension.ts) adds resources and app settings to every region and is
 * handed the function app's identity. Exercised with a stand-in extension on a one-region deployment.
 */
import * as storage from '@pulumi/azure-native/storage';
import { readInfraConfig } from '../../infra/config';
import { AuditDeployment } from '../../infra/deployment';
import { withExtensionSettings } from '../../infra/region';
import type { RegionExtension, RegionScope } from '../../infra/region/extension';
import { appSettings } from './policies';
import {
  ofType,
  regionOf,
  runInMockedStack,
  single,
  stackConfig,
  type ProgramRun,
} from './harness';

const CONFIG = Object.fromEntries(
  Object.entries(stackConfig('dev')).map(([key, value]) => [
    key.replace('sql-mcp-audit:', ''),
    value,
  ]),
);
const MANAGEMENT_POLICY = { rules: [] };

let run: ProgramRun;
const scopes: RegionScope[] = [];
const principals: string[] = [];

const exportExtension: RegionExtension = (region) => {
  scopes.push(region);
  new storage.Table(
    `${region.code}-extension-table`,
    {
      accountName: 'unrelated',
      resourceGroupName: region.resourceGroupName,
      tableName: 'extension',
    },
    region.opts,
  );
  return {
    appSettings: { EXTENSION_WORKSPACE: region.workspace.name },
    grantFunctionApp: (principalId) => {
      principalId.apply((id) => principals.push(id));
    },
  };
};

beforeAll(async () => {
  run = await runInMockedStack('dev', {}, async () => {
    new AuditDeployment('audit', {
      config: readInfraConfig({ get: (key) => CONFIG[key] }),
      managementPolicy: MANAGEMENT_POLICY,
      regionExtensions: [exportExtension],
    });
    return {};
  });
}, 120_000);

it('is called once per region with the region’s code and location', () => {
  expect(scopes.map((scope) => [scope.code, scope.location])).toEqual([['sec', 'swedencentral']]);
});

it('declares its resources inside the region', () => {
  const table = ofType(run, 'storage:Table').find(
    (candidate) => candidate.name === 'sec-extension-table',
  );
  expect(table === undefined ? undefined : regionOf(table)).toBe('sec');
  expect(table?.inputs['resourceGroupName']).toBe('rg-sqlaudit-dev-sec');
});

it('adds its app settings to the function app', () => {
  expect(appSettings(single(run, 'web:WebApp'))['EXTENSION_WORKSPACE']).toBe(
    'log-sqlaudit-dev-sec',
  );
});

it('receives the function app’s identity', () => {
  expect(principals).toEqual(['principal-of-func-sqlaudit-dev-sec']);
});

describe('withExtensionSettings', () => {
  it('refuses an extension that redefines a setting of the region', () => {
    expect(() =>
      withExtensionSettings(
        [{ name: 'KEY_PROVIDER', value: 'keyvault' }],
        [{ appSettings: { KEY_PROVIDER: 'local' } }],
      ),
    ).toThrow('A region extension sets app setting KEY_PROVIDER, which is already set');
  });
});
