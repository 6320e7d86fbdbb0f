import type * as pulumi from '@pulumi/pulumi';
import type { RegionNames } from '../names';

/** What every part of a region is declared with. */
export interface RegionContext {
  /** Short region code, prefixed to logical names so the two regions' resources never share a URN. */
  readonly code: string;
  readonly location: string;
  readonly names: RegionNames;
  readonly resourceGroupName: pulumi.Output<string>;
  /** Options for every resource of the region: parented to the region component. */
  readonly opts: pulumi.CustomResourceOptions;
}
