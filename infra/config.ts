/**
 * The stack configuration, read once and validated before any resource is declared, so that a wrong value
 * stops `pulumi up` with the key, the value and what would be accepted instead of failing halfway through.
 */

/** The Pulumi project name: every key below lives in this namespace (`sql-mcp-audit:<key>`). */
export const PROJECT = 'sql-mcp-audit';

/**
 * How the archive container is made write-once:
 * - `time-based`: a container-level time-based retention policy; new blocks may still be committed to
 *   existing blobs (allowProtectedAppendWritesAll), which is how archive segments grow.
 * - `version-level`: version-level WORM (immutableStorageWithVersioning); every overwrite creates a new,
 *   immutable version and the previous ones stay readable.
 * - `none`: no immutability; refused for a protected (production) stack.
 */
export type ImmutabilityMode = 'none' | 'time-based' | 'version-level';

/** Audit storage redundancies under which blobs can reach the Archive tier (ZRS, GZRS and RA-GZRS cannot). */
export const ARCHIVE_CAPABLE_SKUS = ['Standard_LRS', 'Standard_GRS', 'Standard_RAGRS'] as const;
export type ArchiveCapableSku = (typeof ARCHIVE_CAPABLE_SKUS)[number];

export interface RegionConfig {
  /** Azure location name, e.g. `swedencentral`. */
  readonly location: string;
  /** Short code used in resource names, e.g. `sec` (2 to 4 lowercase letters or digits). */
  readonly code: string;
}

export interface InfraConfig {
  /** Environment name used in names and tags, e.g. `dev` or `prod`. */
  readonly environment: string;
  /** Organisation-specific prefix that makes global names (storage, vault, namespace, app) unique. */
  readonly namePrefix: string;
  /** One or two regions; the first is the primary. Two regions add Event Hubs Geo-DR and Front Door. */
  readonly regions: readonly RegionConfig[];
  readonly partitionCount: number;
  readonly auditStorageSku: ArchiveCapableSku;
  readonly immutability: { readonly mode: ImmutabilityMode; readonly retentionDays: number };
  /** `protect: true` on stateful resources. Defaults to true for the `prod` environment. */
  readonly protectStatefulResources: boolean;
}

/** The part of `pulumi.Config` this module reads; tests pass a plain map. */
export interface ConfigSource {
  get(key: string): string | undefined;
}

export class InfraConfigError extends Error {
  constructor(
    readonly key: string,
    readonly value: unknown,
    problem: string,
  ) {
    super(`Config "${PROJECT}:${key}" ${problem}; got ${JSON.stringify(value)}`);
    this.name = 'InfraConfigError';
  }
}

const IMMUTABILITY_MODES: readonly ImmutabilityMode[] = ['none', 'time-based', 'version-level'];
/** Event Hubs Standard allows up to 32 partitions per hub; the count cannot be changed after creation. */
const MAX_PARTITIONS = 32;
/** Azure's limit for a time-based retention interval: 146,000 days (400 years). */
const MAX_IMMUTABILITY_DAYS = 146_000;

/** Reads and validates the stack configuration. Throws InfraConfigError naming the first bad key. */
export function readInfraConfig(source: ConfigSource): InfraConfig {
  const environment = requiredName(
    source,
    'environment',
    /^[a-z][a-z0-9]{1,4}$/,
    '2 to 5 lowercase letters or digits, starting with a letter',
  );
  const namePrefix = requiredName(
    source,
    'namePrefix',
    /^[a-z][a-z0-9]{1,7}$/,
    '2 to 8 lowercase letters or digits, starting with a letter',
  );
  const regions = readRegions(source);
  const partitionCount = readInteger(source, 'partitionCount', 4, 1, MAX_PARTITIONS);
  const auditStorageSku = readAuditStorageSku(source);
  const protectStatefulResources = readBoolean(
    source,
    'protectStatefulResources',
    environment === 'prod',
  );
  const immutability = readImmutability(source, protectStatefulResources);
  return {
    environment,
    namePrefix,
    regions,
    partitionCount,
    auditStorageSku,
    immutability,
    protectStatefulResources,
  };
}

function requiredName(source: ConfigSource, key: string, pattern: RegExp, rule: string): string {
  const value = source.get(key);
  if (value === undefined || value === '') {
    throw new InfraConfigError(key, value ?? null, `is required (${rule})`);
  }
  if (!pattern.test(value)) {
    throw new InfraConfigError(key, value, `must be ${rule}`);
  }
  return value;
}

function readRegions(source: ConfigSource): RegionConfig[] {
  const key = 'regions';
  const text = source.get(key);
  if (text === undefined || text === '') {
    throw new InfraConfigError(
      key,
      text ?? null,
      'is required: a list of 1 or 2 {location, code} objects, primary first',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InfraConfigError(
      key,
      text,
      'must be a list of {location, code} objects (set it with `pulumi config set --path`)',
    );
  }
  if (!Array.isArray(value) || value.length < 1 || value.length > 2) {
    throw new InfraConfigError(key, value, 'must list 1 or 2 regions, primary first');
  }
  const regions = value.map((entry: unknown, index) => readRegion(entry, `${key}[${index}]`));
  const [first, second] = regions;
  if (first !== undefined && second !== undefined) {
    if (first.location === second.location) {
      throw new InfraConfigError(key, value, 'must name two different locations');
    }
    if (first.code === second.code) {
      throw new InfraConfigError(key, value, 'must give the two regions different codes');
    }
  }
  return regions;
}

function readRegion(entry: unknown, key: string): RegionConfig {
  if (typeof entry !== 'object' || entry === null) {
    throw new InfraConfigError(key, entry, 'must be an object {location, code}');
  }
  const { location, code } = entry as Record<string, unknown>;
  if (typeof location !== 'string' || !/^[a-z][a-z0-9]{2,30}$/.test(location)) {
    throw new InfraConfigError(
      `${key}.location`,
      location ?? null,
      'must be an Azure location name such as "swedencentral"',
    );
  }
  if (typeof code !== 'string' || !/^[a-z0-9]{2,4}$/.test(code)) {
    throw new InfraConfigError(
      `${key}.code`,
      code ?? null,
      'must be 2 to 4 lowercase letters or digits',
    );
  }
  return { location, code };
}

function readInteger(
  source: ConfigSource,
  key: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = source.get(key);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new InfraConfigError(key, text, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function readBoolean(source: ConfigSource, key: string, fallback: boolean): boolean {
  const text = source.get(key);
  if (text === undefined) return fallback;
  if (text !== 'true' && text !== 'false') {
    throw new InfraConfigError(key, text, 'must be true or false');
  }
  return text === 'true';
}

function readAuditStorageSku(source: ConfigSource): ArchiveCapableSku {
  const key = 'auditStorageSku';
  const text = source.get(key);
  if (text === undefined) return 'Standard_RAGRS';
  const sku = ARCHIVE_CAPABLE_SKUS.find((candidate) => candidate === text);
  if (sku === undefined) {
    throw new InfraConfigError(
      key,
      text,
      `must be one of ${ARCHIVE_CAPABLE_SKUS.join(', ')} (the Archive tier does not exist on ZRS, GZRS or RA-GZRS accounts)`,
    );
  }
  return sku;
}

function readImmutability(
  source: ConfigSource,
  protectedStack: boolean,
): InfraConfig['immutability'] {
  const modeText = source.get('immutabilityMode') ?? 'time-based';
  const mode = IMMUTABILITY_MODES.find((candidate) => candidate === modeText);
  if (mode === undefined) {
    throw new InfraConfigError(
      'immutabilityMode',
      modeText,
      `must be one of ${IMMUTABILITY_MODES.join(', ')}`,
    );
  }
  if (mode === 'none') {
    if (protectedStack) {
      throw new InfraConfigError(
        'immutabilityMode',
        modeText,
        'cannot be "none" on a stack that protects its stateful resources',
      );
    }
    return { mode, retentionDays: 0 };
  }
  const key = 'immutabilityDays';
  if (source.get(key) === undefined) {
    throw new InfraConfigError(key, null, `is required when immutabilityMode is "${mode}"`);
  }
  return { mode, retentionDays: readInteger(source, key, 0, 1, MAX_IMMUTABILITY_DAYS) };
}
