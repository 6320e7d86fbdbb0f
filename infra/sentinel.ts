/**
 * The Sentinel export's Azure side: the custom table SqlMcpAudit_CL in a Log Analytics workspace, a data
 * collection endpoint, and a data collection rule whose stream declaration is the table's columns. Both
 * column lists come from SENTINEL_COLUMNS (src/sentinel/columns.ts), the same list toAsimRow's row type is
 * derived from, so the table, the stream and the rows the function app uploads cannot drift apart.
 */
import * as pulumi from '@pulumi/pulumi';
import * as monitor from '@pulumi/azure-native/monitor';
import * as operationalinsights from '@pulumi/azure-native/operationalinsights';
import {
  SENTINEL_COLUMNS,
  SENTINEL_STREAM_NAME,
  SENTINEL_TABLE_NAME,
  type SentinelColumnType,
} from '../src/sentinel/columns';
import { SENTINEL_SETTING_NAMES } from '../src/sentinel/settings';
import { grantRoles } from './roles';

export interface SentinelExportArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  /** The Log Analytics workspace Sentinel is enabled on: its name (for the table) and ARM id (for the rule). */
  readonly workspaceName: pulumi.Input<string>;
  readonly workspaceId: pulumi.Input<string>;
  /** Physical names of the data collection endpoint and rule, e.g. `dce-<prefix>-<env>-<region>`. */
  readonly dataCollectionEndpointName: string;
  readonly dataCollectionRuleName: string;
  /** Interactive retention of the table, in days (workspace default when unset). */
  readonly retentionInDays?: number;
  /** Total retention including long-term retention, in days (workspace default when unset). */
  readonly totalRetentionInDays?: number;
  /**
   * The identity that uploads rows (the function app's). It is granted Monitoring Metrics Publisher on the
   * rule, the one role the Logs Ingestion API requires, scoped to the rule alone.
   */
  readonly publisher?: {
    readonly principalId: pulumi.Input<string>;
    readonly subscriptionId: pulumi.Input<string>;
  };
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** The function app settings the export reads (src/sentinel/settings.ts). */
export interface SentinelAppSettings {
  SENTINEL_DCR_ENDPOINT: string;
  SENTINEL_DCR_RULE_ID: string;
  SENTINEL_STREAM_NAME: string;
}

/** The Table API spells the date-time type `dateTime`; a stream declaration spells it `datetime`. */
function tableColumnType(type: SentinelColumnType): string {
  return type === 'datetime' ? 'dateTime' : type;
}

/** Stream declaration columns, in SENTINEL_COLUMNS order. */
export function streamColumns(): { name: string; type: SentinelColumnType }[] {
  return SENTINEL_COLUMNS.map((column) => ({ name: column.name, type: column.type }));
}

/** Custom table columns, in SENTINEL_COLUMNS order. */
export function tableColumns(): { name: string; type: string; description: string }[] {
  return SENTINEL_COLUMNS.map((column) => ({
    name: column.name,
    type: tableColumnType(column.type),
    description: column.description,
  }));
}

const LOG_ANALYTICS_DESTINATION = 'sentinelWorkspace';

export class SentinelExport extends pulumi.ComponentResource {
  readonly table: operationalinsights.Table;
  readonly endpoint: monitor.DataCollectionEndpoint;
  readonly rule: monitor.DataCollectionRule;
  /** ARM id of the rule: the scope of the publisher's role assignment. */
  readonly dataCollectionRuleId: pulumi.Output<string>;
  /** The rule's immutable id (`dcr-…`): SENTINEL_DCR_RULE_ID. */
  readonly dataCollectionRuleImmutableId: pulumi.Output<string>;
  /** Logs ingestion URL of the endpoint: SENTINEL_DCR_ENDPOINT. */
  readonly ingestionEndpoint: pulumi.Output<string>;
  readonly streamName: string = SENTINEL_STREAM_NAME;
  /** Every setting the function app needs for the export, ready to merge into its app settings. */
  readonly appSettings: pulumi.Output<SentinelAppSettings>;

  constructor(name: string, args: SentinelExportArgs, opts?: pulumi.ComponentResourceOptions) {
    super('sql-mcp-audit:sentinel:SentinelExport', name, {}, opts);
    const parent = { parent: this };

    this.table = new operationalinsights.Table(
      `${name}-table`,
      {
        resourceGroupName: args.resourceGroupName,
        workspaceName: args.workspaceName,
        tableName: SENTINEL_TABLE_NAME,
        plan: 'Analytics',
        schema: {
          name: SENTINEL_TABLE_NAME,
          description:
            'SQL MCP audit events in the ASIM AuditEvent shape, each tied to its tamper-evident log record.',
          columns: tableColumns(),
        },
        ...(args.retentionInDays === undefined ? {} : { retentionInDays: args.retentionInDays }),
        ...(args.totalRetentionInDays === undefined
          ? {}
          : { totalRetentionInDays: args.totalRetentionInDays }),
      },
      parent,
    );

    this.endpoint = new monitor.DataCollectionEndpoint(
      `${name}-dce`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        dataCollectionEndpointName: args.dataCollectionEndpointName,
        description: 'Logs Ingestion endpoint of the SQL MCP audit Sentinel export.',
        networkAcls: { publicNetworkAccess: 'Enabled' },
        ...(args.tags === undefined ? {} : { tags: args.tags }),
      },
      parent,
    );

    this.rule = new monitor.DataCollectionRule(
      `${name}-dcr`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        dataCollectionRuleName: args.dataCollectionRuleName,
        description:
          'Routes SQL MCP audit rows from the Logs Ingestion API to the SqlMcpAudit_CL table.',
        dataCollectionEndpointId: this.endpoint.id,
        streamDeclarations: { [SENTINEL_STREAM_NAME]: { columns: streamColumns() } },
        destinations: {
          logAnalytics: [
            { name: LOG_ANALYTICS_DESTINATION, workspaceResourceId: args.workspaceId },
          ],
        },
        dataFlows: [
          {
            streams: [SENTINEL_STREAM_NAME],
            destinations: [LOG_ANALYTICS_DESTINATION],
            // Rows arrive in their final shape (toAsimRow); the rule passes them through unchanged.
            transformKql: 'source',
            outputStream: SENTINEL_STREAM_NAME,
          },
        ],
        ...(args.tags === undefined ? {} : { tags: args.tags }),
      },
      // The output stream names the table: the rule is rejected until the table exists.
      { parent: this, dependsOn: [this.table] },
    );

    if (args.publisher !== undefined) {
      grantRoles(
        name,
        args.publisher.principalId,
        args.publisher.subscriptionId,
        [{ role: 'monitoringMetricsPublisher', target: 'dcr', scope: this.rule.id }],
        parent,
      );
    }

    this.dataCollectionRuleId = this.rule.id;
    this.dataCollectionRuleImmutableId = this.rule.immutableId;
    this.ingestionEndpoint = this.endpoint.logsIngestion.apply((ingestion) => {
      if (ingestion?.endpoint === undefined) {
        throw new Error(
          `data collection endpoint ${args.dataCollectionEndpointName} reports no logs ingestion endpoint`,
        );
      }
      return ingestion.endpoint;
    });
    this.appSettings = pulumi
      .all([this.ingestionEndpoint, this.dataCollectionRuleImmutableId])
      .apply(([endpoint, ruleId]) => ({
        [SENTINEL_SETTING_NAMES.endpoint]: endpoint,
        [SENTINEL_SETTING_NAMES.ruleId]: ruleId,
        [SENTINEL_SETTING_NAMES.streamName]: SENTINEL_STREAM_NAME,
      }));

    this.registerOutputs({
      dataCollectionRuleId: this.dataCollectionRuleId,
      dataCollectionRuleImmutableId: this.dataCollectionRuleImmutableId,
      ingestionEndpoint: this.ingestionEndpoint,
      streamName: this.streamName,
    });
  }
}
