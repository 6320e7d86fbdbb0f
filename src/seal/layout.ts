import { tilePath, type TileId } from '../integrity/tiles';
import { padNumber } from '../store/names';

/**
 * Where the signed log of one region keeps its tiles and checkpoints, and what it calls itself.
 * Every Event Hubs partition has its own Merkle log; a deployment spanning regions has one set of
 * logs per region, each with its own keys, so every name below starts with the region.
 */

/** The region segment of names when the deployment does not set AUDIT_REGION. */
export const DEFAULT_REGION = 'default';

/** First component of every origin (checkpoint log name). */
export const ORIGIN_PREFIX = 'sql-mcp-audit';

/** Sizes in checkpoint names: 16 digits hold 2^53 - 1, so lexical order is numeric order. */
const SIZE_WIDTH = 16;

const REGION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export interface LogIdentity {
  /** AUDIT_REGION, or DEFAULT_REGION. */
  readonly region: string;
}

export class InvalidRegionError extends Error {
  override readonly name = 'InvalidRegionError';
  constructor(readonly region: string) {
    super(
      `region ${JSON.stringify(region)} is not 1-63 of [A-Za-z0-9._-] starting with a letter or digit`,
    );
  }
}

export function logIdentity(region: string | undefined): LogIdentity {
  const value = region === undefined || region === '' ? DEFAULT_REGION : region;
  if (!REGION_PATTERN.test(value)) throw new InvalidRegionError(value);
  return { region: value };
}

/** The checkpoint origin (and signature key name) of one partition's log: no spaces, no '+'. */
export function logOrigin(log: LogIdentity, partition: string): string {
  return `${ORIGIN_PREFIX}/${log.region}/${partition}`;
}

/** `<region>/<partition>/tile/<L>/<N>[.p/<W>]` in the tiles container. */
export function tileBlobName(
  log: LogIdentity,
  partition: string,
  tile: TileId,
  width: number,
): string {
  return `${log.region}/${partition}/${tilePath(tile, width)}`;
}

/** The prefix every partial version of a tile shares: `<region>/<partition>/tile/<L>/<N>.p/`. */
export function partialTilePrefix(log: LogIdentity, partition: string, tile: TileId): string {
  return tileBlobName(log, partition, tile, 1).replace(/1$/, '');
}

/** `<region>/<partition>/` in the checkpoints container. */
export function checkpointPrefix(log: LogIdentity, partition: string): string {
  return `${log.region}/${partition}/`;
}

/** `<region>/<partition>/<size, 16 digits>.note`: one immutable blob per signed tree size. */
export function checkpointBlobName(log: LogIdentity, partition: string, size: number): string {
  return `${checkpointPrefix(log, partition)}${padNumber(size, SIZE_WIDTH)}.note`;
}

/** The tree size a checkpoint blob name gives, or undefined for a name that is not one. */
export function sizeOfCheckpointBlob(name: string): number | undefined {
  const match = /\/(\d{16})\.note$/.exec(name);
  return match === null ? undefined : Number(match[1]);
}
