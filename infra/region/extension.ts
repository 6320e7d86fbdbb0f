/**
 * How other parts of the system (Sentinel's custom table and data collection rule, for one) add to every
 * region without editing it. An extension is called once per region, after the region's workspace exists
 * and before its function app, so that it can both contribute app settings and, once the app exists, grant
 * the app's identity a role on what it declared.
 */
import type * as pulumi from '@pulumi/pulumi';
import type * as operationalinsights from '@pulumi/azure-native/operationalinsights';
import type { RegionNames } from '../names';

export interface RegionScope {
  readonly code: string;
  readonly location: string;
  readonly names: RegionNames;
  readonly resourceGroupName: pulumi.Output<string>;
  /** The region's Log Analytics workspace. */
  readonly workspace: operationalinsights.Workspace;
  readonly subscriptionId: pulumi.Input<string>;
  /** Options for the extension's resources: parented to the region. */
  readonly opts: pulumi.CustomResourceOptions;
}

export interface RegionContribution {
  /** Added to the function app's settings; a name the region already sets is refused. Never a secret. */
  readonly appSettings?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Called with the function app's identity once the app is declared, e.g. to grant it a role. */
  readonly grantFunctionApp?: (principalId: pulumi.Output<string>) => void;
}

export type RegionExtension = (region: RegionScope) => RegionContribution;
