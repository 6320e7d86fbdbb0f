export type {
  EcPublicJwk,
  JsonWebKeySet,
  KeyProvider,
  SignatureAlgorithm,
  Signer,
  WrappedKey,
  WrappedKeyStore,
} from './types';
export * from './errors';
export * from './jwk';
export * from './ecdsa-encoding';
export { EnvelopeHmacKeys, HMAC_KEY_SIZE, type KeyWrapper } from './envelope';
export { LocalKeyProvider } from './local';
export { KeyVaultKeyProvider, type KeyVaultKeyProviderOptions } from './keyvault';
export { keyProviderFromSettings, type KeyProviderCollaborators } from './settings';
export { BlobWrappedKeyStore } from './blob-wrapped-key-store';
