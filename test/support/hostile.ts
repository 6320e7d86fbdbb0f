import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RejectionCode } from '../../src/schema/parse';

/**
 * The hostile corpus: test/data/hostile/*.json, one refused body per file. A body is given as text
 * (`body`), as base64 for bytes that are not UTF-8 (`bodyBase64`), or, when a literal would be huge,
 * as a recipe: prefix + repeat × count + suffix.
 */
export interface HostileCase {
  description: string;
  body?: string;
  bodyBase64?: string;
  recipe?: { prefix: string; repeat: string; count: number; suffix: string };
  expect: { code: RejectionCode; pointer: string };
}

const HOSTILE_DIR = join(__dirname, '..', 'data', 'hostile');

export function loadHostileCases(): [string, HostileCase][] {
  return readdirSync(HOSTILE_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => [
      file,
      JSON.parse(readFileSync(join(HOSTILE_DIR, file), 'utf8')) as HostileCase,
    ]);
}

export function hostileBody(hostile: HostileCase): Buffer {
  if (hostile.body !== undefined) {
    return Buffer.from(hostile.body, 'utf8');
  }
  if (hostile.bodyBase64 !== undefined) {
    return Buffer.from(hostile.bodyBase64, 'base64');
  }
  if (hostile.recipe !== undefined) {
    const { prefix, repeat, count, suffix } = hostile.recipe;
    return Buffer.from(prefix + repeat.repeat(count) + suffix, 'utf8');
  }
  throw new Error('a hostile case needs body, bodyBase64 or recipe');
}
