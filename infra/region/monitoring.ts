/**
 * The region's Log Analytics workspace and the Application Insights component that writes into it.
 * The workspace is also where Sentinel's pieces attach (see RegionExtension in infra/deployment.ts).
 */
import * as applicationinsights from '@pulumi/azure-native/applicationinsights';
import * as operationalinsights from '@pulumi/azure-native/operationalinsights';
import type { RegionContext } from './context';

/** Sentinel includes 90 days of retention at no extra charge; the audit record itself lives in storage. */
const LOG_RETENTION_DAYS = 90;

export interface RegionMonitoring {
  readonly workspace: operationalinsights.Workspace;
  readonly appInsights: applicationinsights.Component;
}

export function createMonitoring(region: RegionContext): RegionMonitoring {
  const { code, location, names, resourceGroupName, opts } = region;
  const workspace = new operationalinsights.Workspace(
    `${code}-workspace`,
    {
      workspaceName: names.workspace,
      resourceGroupName,
      location,
      sku: { name: 'PerGB2018' },
      retentionInDays: LOG_RETENTION_DAYS,
    },
    opts,
  );
  const appInsights = new applicationinsights.Component(
    `${code}-app-insights`,
    {
      resourceName: names.appInsights,
      resourceGroupName,
      location,
      kind: 'web',
      applicationType: 'web',
      workspaceResourceId: workspace.id,
      ingestionMode: 'LogAnalytics',
    },
    opts,
  );
  return { workspace, appInsights };
}
