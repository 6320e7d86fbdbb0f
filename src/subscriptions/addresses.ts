import { isIP } from 'node:net';

/**
 * What an IP address reaches. Only `public` addresses may receive webhooks; the local host in development
 * mode also allows `loopback`. Everything else names this machine, its network, the cloud platform or no
 * host at all, which a webhook must never be able to reach (server-side request forgery).
 */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unspecified'
  | 'multicast'
  | 'reserved'
  | 'documentation'
  | 'platform';

export class InvalidAddressError extends Error {
  constructor(readonly address: string) {
    super(`"${address}" is not an IPv4 or IPv6 address`);
    this.name = 'InvalidAddressError';
  }
}

interface Range {
  readonly base: bigint;
  readonly bits: number;
  readonly class: AddressClass | 'embedded-v4';
  /** For `embedded-v4`: the bit offset (from the left of 128) where the IPv4 address starts. */
  readonly v4At?: number;
}

const V4_RANGES: readonly [string, number, AddressClass][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  // Carrier-grade NAT space is inside an operator's network, never a public host.
  ['100.64.0.0', 10, 'private'],
  ['127.0.0.0', 8, 'loopback'],
  // Includes the instance metadata service 169.254.169.254.
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
  // Azure's virtual public address for the host agent and platform DNS: public in form, yet it answers
  // only from inside Azure, for the machine that asks.
  ['168.63.129.16', 32, 'platform'],
];

const V6_RANGES: readonly Range[] = [
  { base: v6('::'), bits: 128, class: 'unspecified' },
  { base: v6('::1'), bits: 128, class: 'loopback' },
  // IPv4-mapped, NAT64 and 6to4 addresses carry an IPv4 address: they reach what it reaches.
  { base: v6('::ffff:0:0'), bits: 96, class: 'embedded-v4', v4At: 96 },
  { base: v6('64:ff9b::'), bits: 96, class: 'embedded-v4', v4At: 96 },
  { base: v6('2002::'), bits: 16, class: 'embedded-v4', v4At: 16 },
  { base: v6('::'), bits: 96, class: 'reserved' },
  { base: v6('64:ff9b:1::'), bits: 48, class: 'private' },
  { base: v6('100::'), bits: 64, class: 'reserved' },
  { base: v6('2001:db8::'), bits: 32, class: 'documentation' },
  { base: v6('2001::'), bits: 23, class: 'reserved' },
  { base: v6('fc00::'), bits: 7, class: 'private' },
  { base: v6('fe80::'), bits: 10, class: 'link-local' },
  { base: v6('fec0::'), bits: 10, class: 'private' },
  { base: v6('ff00::'), bits: 8, class: 'multicast' },
];

const V4_TABLE = V4_RANGES.map(([base, bits, cls]) => ({ base: v4(base), bits, class: cls }));

/**
 * Classifies an IPv4 or IPv6 address (an IPv6 zone such as `%eth0` is allowed; brackets are not).
 * The most specific range wins, so `::1` is loopback although it also lies in `::/96`.
 * @throws InvalidAddressError when `address` is not an IP address.
 */
export function classifyAddress(address: string): AddressClass {
  const zone = address.indexOf('%');
  const bare = zone === -1 ? address : address.slice(0, zone);
  const family = isIP(bare);
  if (family === 4) return classifyV4(v4(bare));
  if (family === 6) return classifyV6(v6(bare));
  throw new InvalidAddressError(address);
}

function classifyV4(value: number): AddressClass {
  let best: { bits: number; class: AddressClass } | undefined;
  for (const range of V4_TABLE) {
    if (
      within(BigInt(value), BigInt(range.base), range.bits, 32) &&
      range.bits > (best?.bits ?? -1)
    ) {
      best = range;
    }
  }
  return best?.class ?? 'public';
}

function classifyV6(value: bigint): AddressClass {
  let best: Range | undefined;
  for (const range of V6_RANGES) {
    if (within(value, range.base, range.bits, 128) && range.bits > (best?.bits ?? -1)) best = range;
  }
  if (best === undefined) return 'public';
  if (best.class !== 'embedded-v4') return best.class;
  const shift = BigInt(128 - 32 - (best.v4At ?? 96));
  return classifyV4(Number((value >> shift) & 0xffffffffn));
}

function within(value: bigint, base: bigint, bits: number, width: number): boolean {
  const shift = BigInt(width - bits);
  return value >> shift === base >> shift;
}

/** Precondition: `text` is a dotted-quad IPv4 address (net.isIP(text) === 4). */
function v4(text: string): number {
  return text.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
}

/** Precondition: `text` is an IPv6 address without zone or brackets (net.isIP(text) === 6). */
function v6(text: string): bigint {
  // A trailing dotted quad (`::ffff:1.2.3.4`) is the last two groups written in decimal.
  const lastColon = text.lastIndexOf(':');
  const hex = text.includes('.', lastColon)
    ? `${text.slice(0, lastColon + 1)}${quadAsGroups(text.slice(lastColon + 1))}`
    : text;
  const [left = '', right] = hex.split('::');
  const groups = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((group) => parseInt(group, 16));
  const leftGroups = groups(left);
  const rightGroups = right === undefined ? [] : groups(right);
  const zeros = new Array<number>(8 - leftGroups.length - rightGroups.length).fill(0);
  return [...leftGroups, ...zeros, ...rightGroups].reduce(
    (sum, group) => (sum << 16n) | BigInt(group),
    0n,
  );
}

function quadAsGroups(quad: string): string {
  const value = v4(quad);
  return `${(value >>> 16).toString(16)}:${(value & 0xffff).toString(16)}`;
}
