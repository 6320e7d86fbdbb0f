import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import type { AuditRecord } from '../../src/pipeline/record';
import { toAsimRow } from '../../src/sentinel/asim';
import { SentinelExport } from '../../infra/sentinel';
import {
  SENTINEL_COLUMNS,
  SENTINEL_STREAM_NAME,
  SENTINEL_TABLE_NAME,
} from '../../src/sentinel/columns';

/**
 * The SentinelExport component under Pulumi mocks: the resources it declares and how they are wired.
 * infra/sentinel.ts declares nothing when it is loaded, so importing it before the mocks are set is safe:
 * every resource is created by the constructor, after setMocks.
 */
interface Declared {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const declared: Declared[] = [];

function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

function only(type: string): Declared {
  const matches = declared.filter((resource) => resource.type === type);
  if (matches.length !== 1) throw new Error(`expected one ${type}, found ${matches.length}`);
  return matches[0] as Declared;
}

let component: SentinelExport;

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        declared.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs as Record<string, unknown>,
        });
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === 'azure-native:monitor:DataCollectionRule')
          state.immutableId = 'dcr-0123456789abcdef0123456789abcdef';
        if (args.type === 'azure-native:monitor:DataCollectionEndpoint') {
          state.logsIngestion = {
            endpoint: 'https://dce-audit-x1.westeurope-1.ingest.monitor.azure.com',
          };
        }
        return {
          id: `/subscriptions/sub-1/resourceGroups/rg-audit/providers/${args.type}/${args.name}`,
          state,
        };
      },
      call: (args) => args.inputs,
    },
    'sql-mcp-audit',
    'test',
    false,
  );
  component = new SentinelExport('sentinel', {
    resourceGroupName: 'rg-audit',
    location: 'westeurope',
    workspaceName: 'log-audit',
    workspaceId:
      '/subscriptions/sub-1/resourceGroups/rg-audit/providers/Microsoft.OperationalInsights/workspaces/log-audit',
    dataCollectionEndpointName: 'dce-audit',
    dataCollectionRuleName: 'dcr-audit',
    publisher: { principalId: 'principal-1', subscriptionId: 'sub-1' },
  });
  await outputValue(component.appSettings);
});

describe('SentinelExport', () => {
  it('declares the stream with exactly the columns toAsimRow emits, in order and type', () => {
    const rule = only('azure-native:monitor:DataCollectionRule');
    const streams = rule.inputs.streamDeclarations as Record<
      string,
      { columns: { name: string; type: string }[] }
    >;
    expect(Object.keys(streams)).toEqual([SENTINEL_STREAM_NAME]);
    expect(streams[SENTINEL_STREAM_NAME]?.columns).toEqual(
      SENTINEL_COLUMNS.map((c) => ({ name: c.name, type: c.type })),
    );
  });

  it('declares every column the rows of toAsimRow use, and no other (golden rows, test/data/sentinel)', () => {
    const golden = JSON.parse(
      readFileSync(join(__dirname, '..', 'data', 'sentinel', 'asim-rows.json'), 'utf8'),
    ) as {
      record: AuditRecord;
      leafHash: string;
    }[];
    const rowColumns = new Set(
      golden.flatMap((vector) => Object.keys(toAsimRow(vector.record, vector.leafHash))),
    );
    const rule = only('azure-native:monitor:DataCollectionRule');
    const streams = rule.inputs.streamDeclarations as Record<
      string,
      { columns: { name: string }[] }
    >;
    expect(new Set(streams[SENTINEL_STREAM_NAME]?.columns.map((c) => c.name))).toEqual(rowColumns);
  });

  it('creates the custom table with the same columns (dateTime spelled as the Table API wants)', () => {
    const table = only('azure-native:operationalinsights:Table');
    const schema = table.inputs.schema as {
      name: string;
      columns: { name: string; type: string }[];
    };
    expect([table.inputs.tableName, schema.name]).toEqual([
      SENTINEL_TABLE_NAME,
      SENTINEL_TABLE_NAME,
    ]);
    expect(schema.columns.map((c) => `${c.name}:${c.type}`)).toEqual(
      SENTINEL_COLUMNS.map((c) => `${c.name}:${c.type === 'datetime' ? 'dateTime' : c.type}`),
    );
  });

  it('names a custom table and stream as Logs Ingestion requires (_CL, Custom-, TimeGenerated)', () => {
    expect([SENTINEL_TABLE_NAME.endsWith('_CL'), SENTINEL_STREAM_NAME]).toEqual([
      true,
      `Custom-${SENTINEL_TABLE_NAME}`,
    ]);
    expect(SENTINEL_COLUMNS.find((c) => c.name === 'TimeGenerated')).toMatchObject({
      type: 'datetime',
      required: true,
    });
  });

  it('passes rows through unchanged to the table, in the workspace given', () => {
    const rule = only('azure-native:monitor:DataCollectionRule');
    expect(rule.inputs.dataFlows).toEqual([
      {
        streams: [SENTINEL_STREAM_NAME],
        destinations: ['sentinelWorkspace'],
        transformKql: 'source',
        outputStream: SENTINEL_STREAM_NAME,
      },
    ]);
    expect(rule.inputs.destinations).toEqual({
      logAnalytics: [
        {
          name: 'sentinelWorkspace',
          workspaceResourceId:
            '/subscriptions/sub-1/resourceGroups/rg-audit/providers/Microsoft.OperationalInsights/workspaces/log-audit',
        },
      ],
    });
  });

  it('routes the rule through the declared data collection endpoint', () => {
    const rule = only('azure-native:monitor:DataCollectionRule');
    expect(rule.inputs.dataCollectionEndpointId).toBe(
      '/subscriptions/sub-1/resourceGroups/rg-audit/providers/azure-native:monitor:DataCollectionEndpoint/sentinel-dce',
    );
  });

  it('grants the publisher Monitoring Metrics Publisher on the rule alone', () => {
    const grant = only('azure-native:authorization:RoleAssignment');
    expect(grant.inputs).toMatchObject({
      principalId: 'principal-1',
      principalType: 'ServicePrincipal',
      roleDefinitionId:
        '/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/3913510d-42f4-4e42-8a64-420c390055eb',
      scope:
        '/subscriptions/sub-1/resourceGroups/rg-audit/providers/azure-native:monitor:DataCollectionRule/sentinel-dcr',
    });
  });

  it('hands the function app the settings the export reads', async () => {
    expect(await outputValue(component.appSettings)).toEqual({
      SENTINEL_DCR_ENDPOINT: 'https://dce-audit-x1.westeurope-1.ingest.monitor.azure.com',
      SENTINEL_DCR_RULE_ID: 'dcr-0123456789abcdef0123456789abcdef',
      SENTINEL_STREAM_NAME: 'Custom-SqlMcpAudit_CL',
    });
  });
});
