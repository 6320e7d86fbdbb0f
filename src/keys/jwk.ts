import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { EcPublicJwk, JsonWebKeySet } from './types';

/**
 * Public-key handling over node:crypto. Key Vault's local CryptographyClient cannot verify EC
 * signatures, so verification of checkpoints and of anything else we sign happens here.
 */

export class InvalidJwkError extends Error {
  override readonly name = 'InvalidJwkError';
  constructor(
    readonly kid: string | undefined,
    readonly reason: string,
  ) {
    super(`invalid ES256 public JWK${kid === undefined ? '' : ` ${kid}`}: ${reason}`);
  }
}

/** Validates the JWK's shape and turns it into a node public key. */
export function publicKeyFromJwk(jwk: EcPublicJwk): KeyObject {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') {
    throw new InvalidJwkError(jwk.kid, `kty ${jwk.kty} crv ${jwk.crv} is not EC P-256`);
  }
  for (const coordinate of ['x', 'y'] as const) {
    const value = jwk[coordinate];
    const decoded = typeof value === 'string' ? Buffer.from(value, 'base64url') : Buffer.alloc(0);
    if (decoded.length !== 32 || decoded.toString('base64url') !== value) {
      throw new InvalidJwkError(jwk.kid, `${coordinate} is not 32 bytes of unpadded base64url`);
    }
  }
  try {
    return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, format: 'jwk' });
  } catch (error) {
    throw new InvalidJwkError(jwk.kid, `not a point on P-256 (${(error as Error).message})`);
  }
}

/** DER SubjectPublicKeyInfo of the key: what C2SP signed notes hash into their key ID. */
export function spkiFromJwk(jwk: EcPublicJwk): Buffer {
  return publicKeyFromJwk(jwk).export({ format: 'der', type: 'spki' });
}

/** The public JWK of an EC P-256 key object (private or public), labelled with kid. */
export function ecPublicJwk(key: KeyObject, kid: string): EcPublicJwk {
  const exported = key.export({ format: 'jwk' });
  if (exported.kty !== 'EC' || exported.crv !== 'P-256' || !exported.x || !exported.y) {
    throw new InvalidJwkError(kid, 'the key is not an EC P-256 key');
  }
  return { kty: 'EC', crv: 'P-256', x: exported.x, y: exported.y, kid, alg: 'ES256', use: 'sig' };
}

/**
 * Whether signature (raw r || s, 64 bytes) is a valid ES256 signature of data under jwk.
 * Takes the signed data rather than its digest: node:crypto can only verify ECDSA over data it
 * hashes itself, and every signer here signs SHA-256(data), so the two are the same check.
 */
export function verifySignatureWithJwk(
  jwk: EcPublicJwk,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (signature.length !== 64) return false;
  return verify(
    'sha256',
    data,
    { key: publicKeyFromJwk(jwk), dsaEncoding: 'ieee-p1363' },
    signature,
  );
}

/**
 * Reads a JWKS document (e.g. the body of GET /api/keys or a file an auditor keeps). Keys that are
 * not ES256 signing keys are skipped, as RFC 7517 §5 asks of key types a reader does not use;
 * an ES256 key that is malformed is an error.
 */
export function parseJwks(json: unknown): JsonWebKeySet {
  if (
    typeof json !== 'object' ||
    json === null ||
    !Array.isArray((json as { keys?: unknown }).keys)
  ) {
    throw new InvalidJwkError(undefined, 'a JWKS is an object with a "keys" array');
  }
  const keys: EcPublicJwk[] = [];
  for (const candidate of (json as { keys: unknown[] }).keys) {
    if (typeof candidate !== 'object' || candidate === null) continue;
    const key = candidate as Partial<EcPublicJwk>;
    if (key.kty !== 'EC' || key.crv !== 'P-256') continue;
    if (key.alg !== undefined && key.alg !== 'ES256') continue;
    if (typeof key.kid !== 'string' || key.kid === '') {
      throw new InvalidJwkError(undefined, 'an EC P-256 key has no kid');
    }
    const jwk: EcPublicJwk = {
      kty: 'EC',
      crv: 'P-256',
      x: String(key.x),
      y: String(key.y),
      kid: key.kid,
      alg: 'ES256',
      use: 'sig',
    };
    publicKeyFromJwk(jwk);
    keys.push(jwk);
  }
  return { keys };
}
