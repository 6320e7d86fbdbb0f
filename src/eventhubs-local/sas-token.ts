import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Shared Access Signature tokens as Event Hubs issues and checks them:
 * `SharedAccessSignature sr=<url-encoded resource>&sig=<url-encoded base64 HMAC>&se=<expiry, unix seconds>&skn=<key name>`,
 * where the signature is HMAC-SHA256, keyed with the key's UTF-8 bytes (the key string is not
 * base64-decoded), over `<sr exactly as it appears in the token>` + "\n" + `<se>`.
 */

export type SasTokenFailure =
  'malformed' | 'unknown-key-name' | 'expired' | 'bad-signature' | 'audience-not-covered';

export class SasTokenError extends Error {
  constructor(
    readonly failure: SasTokenFailure,
    message: string,
  ) {
    super(message);
    this.name = 'SasTokenError';
  }
}

export interface SharedAccessKey {
  readonly keyName: string;
  readonly key: string;
}

export interface ParsedSasToken {
  /** The resource URI, url-decoded. */
  readonly resource: string;
  /** The resource as it appears in the token (still url-encoded): the signed text. */
  readonly encodedResource: string;
  readonly signature: string;
  readonly expiresAtSeconds: number;
  readonly keyName: string;
}

const TOKEN_PREFIX = 'SharedAccessSignature ';

export function parseSasToken(token: string): ParsedSasToken {
  if (!token.startsWith(TOKEN_PREFIX)) {
    throw new SasTokenError('malformed', `the token does not start with "${TOKEN_PREFIX.trim()}"`);
  }
  const fields = new Map<string, string>();
  for (const pair of token.slice(TOKEN_PREFIX.length).split('&')) {
    const separator = pair.indexOf('=');
    if (separator <= 0) {
      throw new SasTokenError('malformed', `the token field "${pair}" is not name=value`);
    }
    fields.set(pair.slice(0, separator), pair.slice(separator + 1));
  }
  const required = (name: string): string => {
    const value = fields.get(name);
    if (value === undefined || value === '') {
      throw new SasTokenError('malformed', `the token has no "${name}" field`);
    }
    return value;
  };
  const encodedResource = required('sr');
  const expiry = required('se');
  if (!/^\d+$/.test(expiry)) {
    throw new SasTokenError(
      'malformed',
      `the token's expiry "se=${expiry}" is not a number of seconds`,
    );
  }
  return {
    resource: safeDecode(encodedResource, 'sr'),
    encodedResource,
    signature: safeDecode(required('sig'), 'sig'),
    expiresAtSeconds: Number(expiry),
    keyName: safeDecode(required('skn'), 'skn'),
  };
}

/** The signature a holder of `key` produces for `encodedResource` and `expiresAtSeconds` (base64). */
export function signSasResource(
  key: string,
  encodedResource: string,
  expiresAtSeconds: number,
): string {
  return createHmac('sha256', key)
    .update(`${encodedResource}\n${expiresAtSeconds}`)
    .digest('base64');
}

/**
 * Checks a token against the endpoint's key and the audience it is presented for.
 * Returns the token's expiry (ms since epoch); throws SasTokenError naming the first failed check.
 * `audience` and the token's resource are compared with `normalizeResourceUri`, so scheme, port,
 * letter case and a trailing slash do not matter; the resource must equal the audience or be a
 * path prefix of it (a namespace-level token covers every entity).
 */
export function verifySasToken(
  token: string,
  audience: string,
  key: SharedAccessKey,
  nowMs: number,
): { expiresAtMs: number } {
  const parsed = parseSasToken(token);
  if (parsed.keyName !== key.keyName) {
    throw new SasTokenError(
      'unknown-key-name',
      `the token is signed with key "${parsed.keyName}", but this endpoint only knows key "${key.keyName}"`,
    );
  }
  const expiresAtMs = parsed.expiresAtSeconds * 1000;
  if (expiresAtMs <= nowMs) {
    throw new SasTokenError(
      'expired',
      `the token expired at ${new Date(expiresAtMs).toISOString()} (now ${new Date(nowMs).toISOString()})`,
    );
  }
  const expected = Buffer.from(
    signSasResource(key.key, parsed.encodedResource, parsed.expiresAtSeconds),
    'base64',
  );
  const presented = Buffer.from(parsed.signature, 'base64');
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    throw new SasTokenError(
      'bad-signature',
      `the token's signature does not match key "${key.keyName}" of this endpoint`,
    );
  }
  if (!resourceCovers(parsed.resource, audience)) {
    throw new SasTokenError(
      'audience-not-covered',
      `the token is for "${parsed.resource}", which does not cover "${audience}"`,
    );
  }
  return { expiresAtMs };
}

export interface ResourceUri {
  /** Lower-cased host name without port. */
  readonly host: string;
  /** Lower-cased path without leading or trailing slashes ("" for the namespace itself). */
  readonly path: string;
}

/** Splits `sb://Host:5672/Hub/Partitions/0/` into `{host: 'host', path: 'hub/partitions/0'}`. */
export function normalizeResourceUri(uri: string): ResourceUri {
  const withoutScheme = uri.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = withoutScheme.indexOf('/');
  const authority = slash === -1 ? withoutScheme : withoutScheme.slice(0, slash);
  const path = slash === -1 ? '' : withoutScheme.slice(slash + 1);
  return {
    host: stripPort(authority).toLowerCase(),
    path: path.replace(/^\/+|\/+$/g, '').toLowerCase(),
  };
}

/** True when `covered` is `covering` itself or lies below it (same host, path prefix at a `/`). */
export function resourceCovers(covering: string, covered: string): boolean {
  const outer = normalizeResourceUri(covering);
  const inner = normalizeResourceUri(covered);
  return outer.host === inner.host && pathCovers(outer.path, inner.path);
}

export function pathCovers(coveringPath: string, coveredPath: string): boolean {
  return (
    coveringPath === '' ||
    coveringPath === coveredPath ||
    coveredPath.startsWith(`${coveringPath}/`)
  );
}

function stripPort(authority: string): string {
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    return end === -1 ? authority : authority.slice(1, end);
  }
  const colons = authority.split(':').length - 1;
  // One colon: host:port. More: a bare IPv6 address, which has no port here.
  return colons === 1 ? authority.slice(0, authority.indexOf(':')) : authority;
}

function safeDecode(value: string, field: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new SasTokenError('malformed', `the token's "${field}" field is not valid url-encoding`);
  }
}
