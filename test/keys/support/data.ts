import { readFileSync } from 'node:fs';
import path from 'node:path';

export const KEYS_DATA = path.join(__dirname, '..', '..', 'data', 'keys');

export function readKeysData(name: string): Buffer {
  return readFileSync(path.join(KEYS_DATA, name));
}
