import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { classifyAddress, type AddressClass } from './addresses';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address a host name resolves to. Injected so tests never reach a real DNS server. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** Where webhooks may go. */
export interface CallbackPolicy {
  resolver: Resolver;
  /**
   * Development mode of the local host: loopback addresses are allowed, and so is plain http to them
   * (a receiver on http://127.0.0.1). Private, link-local and every other non-public address stay refused.
   */
  allowLoopback: boolean;
}

/** A callback whose host has been resolved and checked: requests go to `address` and nowhere else. */
export interface PinnedCallback {
  url: URL;
  /** The host name as it goes into the Host header and TLS server name (no IPv6 brackets). */
  hostname: string;
  address: string;
  family: 4 | 6;
}

export type CallbackRefusal =
  | 'invalid-url'
  | 'scheme-not-allowed'
  | 'credentials-in-url'
  | 'dns-failed'
  | 'address-not-allowed';

/** The callback URL may not receive webhooks; `reason` is stable, `message` says what to change. */
export class CallbackUrlError extends Error {
  constructor(
    readonly reason: CallbackRefusal,
    readonly url: string,
    message: string,
    readonly address?: string,
    readonly addressClass?: AddressClass,
  ) {
    super(message);
    this.name = 'CallbackUrlError';
  }
}

export const MAX_CALLBACK_URL_LENGTH = 2048;

/** The system resolver (getaddrinfo: hosts file and DNS), every address of both families. */
export const systemResolver: Resolver = async (hostname) => {
  const found = await lookup(hostname, { all: true, verbatim: true });
  return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};

/**
 * Checks a callback URL and resolves its host, at subscription time and again before every delivery (a
 * name may resolve elsewhere by then). Refuses non-https URLs (plain http only to loopback in development
 * mode), credentials in the URL, names that do not resolve, and hosts with any address that is not public:
 * one private answer is enough to refuse, because the connection could be steered to it.
 * @throws CallbackUrlError naming the reason, and the address when one was refused.
 */
export async function resolveCallback(
  raw: string,
  policy: CallbackPolicy,
): Promise<PinnedCallback> {
  if (raw.length > MAX_CALLBACK_URL_LENGTH) {
    throw new CallbackUrlError(
      'invalid-url',
      raw.slice(0, 64),
      `the callback URL is ${raw.length} characters long; the limit is ${MAX_CALLBACK_URL_LENGTH}`,
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CallbackUrlError('invalid-url', raw, `"${raw}" is not an absolute URL`);
  }
  const plainHttp = url.protocol === 'http:';
  if (url.protocol !== 'https:' && !(plainHttp && policy.allowLoopback)) {
    throw new CallbackUrlError(
      'scheme-not-allowed',
      raw,
      `the callback URL must use https, not ${url.protocol.replace(/:$/, '')}`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new CallbackUrlError(
      'credentials-in-url',
      raw,
      'the callback URL must not carry a user name or password: verify deliveries by their signature instead',
    );
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: ResolvedAddress[];
  if (isIP(hostname) !== 0) {
    addresses = [{ address: hostname, family: isIP(hostname) === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await policy.resolver(hostname);
    } catch (error) {
      throw new CallbackUrlError(
        'dns-failed',
        raw,
        `the callback host "${hostname}" does not resolve: ${(error as Error).message}`,
      );
    }
    if (addresses.length === 0) {
      throw new CallbackUrlError(
        'dns-failed',
        raw,
        `the callback host "${hostname}" has no address`,
      );
    }
  }
  for (const { address } of addresses) {
    const addressClass = classifyAddress(address);
    const allowed =
      (addressClass === 'public' && !plainHttp) ||
      (addressClass === 'loopback' && policy.allowLoopback);
    if (!allowed) {
      throw new CallbackUrlError(
        'address-not-allowed',
        raw,
        plainHttp && addressClass === 'public'
          ? `plain http is allowed only to loopback in development mode; "${hostname}" resolves to ${address}: use https`
          : `the callback host "${hostname}" resolves to ${address}, a ${addressClass} address: webhooks go only to public addresses`,
        address,
        addressClass,
      );
    }
  }
  const [pinned] = addresses as [ResolvedAddress, ...ResolvedAddress[]];
  return { url, hostname, address: pinned.address, family: pinned.family };
}

/** The URL with every query value and any fragment hidden: callback URLs often carry a signature. */
export function redactCallbackUrl(raw: string): string {
  try {
    const url = new URL(raw);
    const names = [...url.searchParams.keys()];
    const query = names.length === 0 ? '' : `?${names.map((name) => `${name}=***`).join('&')}`;
    return `${url.protocol}//${url.host}${url.pathname}${query}`;
  } catch {
    return '***';
  }
}
