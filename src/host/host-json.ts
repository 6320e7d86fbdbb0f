import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The Event Hubs trigger's default largest batch when host.json does not set one. */
export const DEFAULT_MAX_EVENT_BATCH_SIZE = 100;

export interface HostJsonSettings {
  /** The host.json that was read, if one was found. */
  file: string | undefined;
  maxEventBatchSize: number;
}

/**
 * The host.json settings the local host honours, read from the app's host.json: the nearest one above
 * `from` (the compiled or source folder of this module), so the local host batches as the Functions host does.
 */
export function readHostJson(from: string = __dirname): HostJsonSettings {
  const file = findUp(from, 'host.json');
  if (file === undefined) return { file, maxEventBatchSize: DEFAULT_MAX_EVENT_BATCH_SIZE };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const value = (parsed as { extensions?: { eventHubs?: { maxEventBatchSize?: unknown } } })
    ?.extensions?.eventHubs?.maxEventBatchSize;
  if (value === undefined) return { file, maxEventBatchSize: DEFAULT_MAX_EVENT_BATCH_SIZE };
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(
      `${file}: extensions.eventHubs.maxEventBatchSize must be a whole number >= 1, got ${JSON.stringify(value)}`,
    );
  }
  return { file, maxEventBatchSize: value };
}

function findUp(from: string, name: string): string | undefined {
  let directory = path.resolve(from);
  for (;;) {
    const candidate = path.join(directory, name);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}
