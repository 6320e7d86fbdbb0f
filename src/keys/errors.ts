/** A key file is readable or writable by others than its owner. */
export class InsecureKeyFileError extends Error {
  override readonly name = 'InsecureKeyFileError';
  constructor(
    readonly path: string,
    readonly mode: number,
  ) {
    super(
      `key file ${path} has mode ${mode.toString(8).padStart(4, '0')}; run chmod 600 on it (keys must be readable by their owner only)`,
    );
  }
}

/** A wrapped key names a wrapping key this provider does not have. */
export class UnknownWrappingKeyError extends Error {
  override readonly name = 'UnknownWrappingKeyError';
  constructor(readonly keyId: string) {
    super(`no wrapping key ${keyId}`);
  }
}

/** HMAC key names become file and blob names, so they are restricted. */
export class InvalidKeyNameError extends Error {
  override readonly name = 'InvalidKeyNameError';
  constructor(readonly keyName: string) {
    super(`key name ${JSON.stringify(keyName)} is not 1-64 of [A-Za-z0-9._-]`);
  }
}

/** The configured Key Vault key does not exist and the provider was not allowed to create it. */
export class MissingVaultKeyError extends Error {
  override readonly name = 'MissingVaultKeyError';
  constructor(
    readonly vaultUrl: string,
    readonly keyName: string,
  ) {
    super(
      `Key Vault ${vaultUrl} has no key ${keyName}: create it (the infrastructure program does) or pass createMissingKeys: true`,
    );
  }
}

/** A Key Vault key is not of the type its role needs (EC P-256 to sign, RSA to wrap). */
export class UnexpectedKeyTypeError extends Error {
  override readonly name = 'UnexpectedKeyTypeError';
  constructor(
    readonly keyId: string,
    readonly found: string,
    readonly expected: string,
  ) {
    super(`key ${keyId} is ${found}, expected ${expected}`);
  }
}

const KEY_NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export function assertKeyName(name: string): void {
  if (!KEY_NAME_PATTERN.test(name) || name === '.' || name === '..') {
    throw new InvalidKeyNameError(name);
  }
}
