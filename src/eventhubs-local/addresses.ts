import { normalizeResourceUri } from './sas-token';

/**
 * What a link address names. Event Hubs clients attach to:
 * - `$cbs`: the claims-based-security node (put-token requests and their replies);
 * - `$management`: the management node (READ requests for hub and partition properties);
 * - `<hub>` and `<hub>/Partitions/<id>`: publishing to the hub or to one partition;
 * - `<hub>/ConsumerGroups/<group>/Partitions/<id>`: consuming (not served by this endpoint).
 * Hub names and the path words compare case-insensitively, as in Event Hubs; a full URI
 * (`amqps://host/hub`) is accepted and its path is used.
 */
export type LinkNode =
  | { readonly kind: 'cbs' }
  | { readonly kind: 'management' }
  | { readonly kind: 'hub' }
  | { readonly kind: 'partition'; readonly partitionId: string }
  | {
      readonly kind: 'consumer-group';
      readonly consumerGroup: string;
      readonly partitionId: string;
    }
  | { readonly kind: 'unknown' };

export function classifyAddress(address: string | undefined, eventHubName: string): LinkNode {
  if (address === undefined || address === '') {
    return { kind: 'unknown' };
  }
  const path = address.includes('://') ? normalizeResourceUri(address).path : address;
  const segments = path
    .replace(/^\/+|\/+$/g, '')
    .split('/')
    .map((segment) => segment.toLowerCase());
  const hub = eventHubName.toLowerCase();
  if (segments.length === 1 && segments[0] === '$cbs') {
    return { kind: 'cbs' };
  }
  if (segments.length === 1 && segments[0] === '$management') {
    return { kind: 'management' };
  }
  if (segments[0] !== hub) {
    return { kind: 'unknown' };
  }
  if (segments.length === 2 && segments[1] === '$management') {
    return { kind: 'management' };
  }
  if (segments.length === 1) {
    return { kind: 'hub' };
  }
  if (segments.length === 3 && segments[1] === 'partitions' && segments[2] !== undefined) {
    return { kind: 'partition', partitionId: segments[2] };
  }
  if (
    segments.length === 5 &&
    segments[1] === 'consumergroups' &&
    segments[3] === 'partitions' &&
    segments[2] !== undefined &&
    segments[4] !== undefined
  ) {
    return { kind: 'consumer-group', consumerGroup: segments[2], partitionId: segments[4] };
  }
  return { kind: 'unknown' };
}

/**
 * The claim path (as `normalizeResourceUri` writes paths) a link to `node` needs:
 * publishing needs a claim on the hub or the partition, management one on `<hub>/$management`
 * (or anything above it). `$cbs` itself needs none.
 */
export function requiredClaimPath(node: LinkNode, eventHubName: string): string | undefined {
  const hub = eventHubName.toLowerCase();
  switch (node.kind) {
    case 'hub':
      return hub;
    case 'partition':
      return `${hub}/partitions/${node.partitionId}`;
    case 'management':
      return `${hub}/$management`;
    case 'consumer-group':
      return `${hub}/consumergroups/${node.consumerGroup}/partitions/${node.partitionId}`;
    case 'cbs':
    case 'unknown':
      return undefined;
  }
}
