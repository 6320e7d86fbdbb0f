import type { WrappedKey, WrappedKeyStore } from '../../../src/keys/types';

/** WrappedKeyStore in memory, with the atomic create-if-absent a blob container gives. */
export class MemoryWrappedKeyStore implements WrappedKeyStore {
  readonly entries = new Map<string, WrappedKey>();

  async get(name: string): Promise<WrappedKey | undefined> {
    return this.entries.get(name);
  }

  async create(name: string, wrapped: WrappedKey): Promise<boolean> {
    if (this.entries.has(name)) return false;
    this.entries.set(name, wrapped);
    return true;
  }
}
