/**
 * The key operations the audit log needs, independent of where keys live. Two implementations:
 * LocalKeyProvider (files in a data folder, for development and tests) and KeyVaultKeyProvider
 * (Azure Key Vault, private keys never leave the vault).
 */

/** Public EC P-256 signing key as a JWK (RFC 7517/7518); kid is the versioned key id. */
export interface EcPublicJwk {
  kty: 'EC';
  crv: 'P-256';
  /** Base64url, 32 bytes. */
  x: string;
  /** Base64url, 32 bytes. */
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

export interface JsonWebKeySet {
  keys: EcPublicJwk[];
}

export type SignatureAlgorithm = 'ES256';

export interface Signer {
  /** Versioned key id; stored with every signature so verification survives rotation. */
  readonly keyId: string;
  readonly algorithm: SignatureAlgorithm;
  /** The public half, kid = keyId. */
  readonly publicKey: EcPublicJwk;
  /**
   * ECDSA P-256 signature over SHA-256(data), as raw r || s (64 bytes, the JWS / Key Vault form).
   * The Key Vault signer hashes locally and sends only the digest.
   */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** A data key encrypted under a key-encryption key with RSA-OAEP-256; JSON-serializable. */
export interface WrappedKey {
  /** Versioned id of the wrapping key, so unwrapping survives rotation. */
  keyId: string;
  algorithm: 'RSA-OAEP-256';
  /** Standard base64 of the ciphertext. */
  ciphertext: string;
}

export interface KeyProvider {
  /** The current signing key. */
  signer(): Promise<Signer>;
  /** Public keys of every signing key version still usable for verification, newest first. */
  publicJwks(): Promise<JsonWebKeySet>;
  /** A 32-byte HMAC-SHA256 key, created on first use and the same ever after. */
  hmacKey(name: string): Promise<Uint8Array>;
  wrapKey(dataKey: Uint8Array): Promise<WrappedKey>;
  unwrapKey(wrapped: WrappedKey): Promise<Uint8Array>;
}

/**
 * Where wrapped data keys are kept (for Key Vault: a Blob container). create must be atomic
 * create-if-absent (Blob: If-None-Match: *) so two instances starting at once agree on one key.
 */
export interface WrappedKeyStore {
  get(name: string): Promise<WrappedKey | undefined>;
  /** Stores the key unless one exists under name; returns false if one already existed. */
  create(name: string, wrapped: WrappedKey): Promise<boolean>;
}
