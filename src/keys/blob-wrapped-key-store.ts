import type { ContainerClient } from '@azure/storage-blob';
import { isRestError } from '@azure/core-rest-pipeline';
import { assertKeyName } from './errors';
import type { WrappedKey, WrappedKeyStore } from './types';

/**
 * Wrapped data keys as blobs `<prefix><name>.json`, created with If-None-Match: * so that instances
 * starting at once adopt one key. A wrapped key is ciphertext under a Key Vault key: it may sit
 * beside other data, and is written once, like the checkpoints it is usually kept with.
 */
export class BlobWrappedKeyStore implements WrappedKeyStore {
  constructor(
    private readonly container: ContainerClient,
    private readonly prefix = '_keys/wrapped/',
  ) {}

  async get(name: string): Promise<WrappedKey | undefined> {
    assertKeyName(name);
    try {
      const data = await this.container.getBlockBlobClient(this.blobName(name)).downloadToBuffer();
      return parseWrappedKey(name, data.toString('utf8'));
    } catch (error) {
      if (isRestError(error) && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  async create(name: string, wrapped: WrappedKey): Promise<boolean> {
    assertKeyName(name);
    const data = Buffer.from(JSON.stringify(wrapped), 'utf8');
    try {
      await this.container.getBlockBlobClient(this.blobName(name)).upload(data, data.length, {
        conditions: { ifNoneMatch: '*' },
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
      return true;
    } catch (error) {
      if (isRestError(error) && error.statusCode === 409) return false;
      throw error;
    }
  }

  private blobName(name: string): string {
    return `${this.prefix}${name}.json`;
  }
}

function parseWrappedKey(name: string, text: string): WrappedKey {
  const value = JSON.parse(text) as Partial<WrappedKey>;
  if (
    typeof value.keyId !== 'string' ||
    value.algorithm !== 'RSA-OAEP-256' ||
    typeof value.ciphertext !== 'string'
  ) {
    throw new Error(
      `wrapped key ${name} is not a {keyId, algorithm: RSA-OAEP-256, ciphertext} document`,
    );
  }
  return { keyId: value.keyId, algorithm: value.algorithm, ciphertext: value.ciphertext };
}
