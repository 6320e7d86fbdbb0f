import type { AuditEvent } from '../schema/types';
import {
  pathTokens,
  type RedactionAction,
  type RedactionPolicy,
  type RedactionRule,
} from './policy';
import { Pseudonyms } from './pseudonyms';

export { HMAC_PREFIX, hmacValue } from './pseudonyms';

export interface RedactionResult {
  /** The redacted event: a copy where anything changed, the input itself where nothing did. */
  event: AuditEvent;
  /** JSON pointers of the values that were redacted, wildcards expanded, in the order redacted. */
  redacted: string[];
}

export type Redactor = (event: AuditEvent) => RedactionResult;

/** HMAC keys shorter than this are refused: below 128 bits the pseudonyms could be brute-forced. */
export const MIN_HMAC_KEY_BYTES = 16;
export const MASK = '***';

export class RedactionKeyError extends Error {
  constructor(readonly keyBytes: number) {
    super(`redaction HMAC key must be at least ${MIN_HMAC_KEY_BYTES} bytes (got ${keyBytes})`);
    this.name = 'RedactionKeyError';
  }
}

/** Same shape, no content: see RedactionAction 'mask'. */
export function maskValue(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
      return MASK;
    case 'number':
      return 0;
    case 'boolean':
      return false;
    case 'object':
      if (value === null) {
        return null;
      }
      if (Array.isArray(value)) {
        return value.map(maskValue);
      }
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, maskValue(v)]),
      );
    default:
      return value;
  }
}

/**
 * Compiles `policy` once into per-tenant rule lists (precondition: it came from parseRedactionPolicy or
 * is DEFAULT_REDACTION_POLICY). The returned function never mutates its input: it copies only the
 * objects on the paths it changes. An event whose tenant has no rules (and no default rules apply) is
 * returned as it is, with no other work done.
 */
export function createRedactor(policy: RedactionPolicy, hmacKey: Uint8Array): Redactor {
  if (hmacKey.byteLength < MIN_HMAC_KEY_BYTES) {
    throw new RedactionKeyError(hmacKey.byteLength);
  }
  const pseudonyms = new Pseudonyms(hmacKey);
  const defaultRules = compile(policy.default ?? []);
  const tenantRules = new Map<string, readonly CompiledRule[]>();
  for (const [tenant, rules] of Object.entries(policy.tenants ?? {})) {
    tenantRules.set(tenant, compile(mergeRules(policy.default ?? [], rules)));
  }
  return (event) => {
    const rules = tenantRules.get(event.tenantid) ?? defaultRules;
    if (rules.length === 0) {
      return { event, redacted: [] };
    }
    const redacted: string[] = [];
    const copied: object[] = [];
    let root = event as unknown as Record<string, unknown>;
    for (const rule of rules) {
      root = applyRule(root, rule, pseudonyms, copied, redacted);
    }
    return { event: root as unknown as AuditEvent, redacted };
  };
}

/** Default rules with same-path tenant rules substituted in place, then the tenant's other rules. */
function mergeRules(
  defaults: readonly RedactionRule[],
  tenant: readonly RedactionRule[],
): RedactionRule[] {
  const byPath = new Map(tenant.map((rule) => [rule.path, rule]));
  const merged = defaults.map((rule) => byPath.get(rule.path) ?? rule);
  const defaultPaths = new Set(defaults.map((rule) => rule.path));
  return [...merged, ...tenant.filter((rule) => !defaultPaths.has(rule.path))];
}

interface CompiledRule {
  /** Pointer tokens of the container holding the target(s). */
  readonly parentTokens: readonly string[];
  /** The target's token, or undefined for a trailing wildcard (every child of the container). */
  readonly last: string | undefined;
  readonly action: Exclude<RedactionAction, 'keep'>;
  /** The JSON pointer of the container, to report what was redacted. */
  readonly parentPointer: string;
  /** For a rule without a wildcard: `[last]` and the target's pointer, built once, not per event. */
  readonly fixedTargets: readonly string[];
  readonly fixedPointer: string;
}

function compile(rules: readonly RedactionRule[]): CompiledRule[] {
  const compiled: CompiledRule[] = [];
  for (const rule of rules) {
    if (rule.action === 'keep') {
      continue;
    }
    const tokens = pathTokens(rule.path);
    const token = tokens.pop();
    const last = token === '*' ? undefined : token;
    const parentPointer = tokens.map((parent) => `/${escapeToken(parent)}`).join('');
    compiled.push({
      parentTokens: tokens,
      last,
      action: rule.action,
      parentPointer,
      fixedTargets: last === undefined ? [] : [last],
      fixedPointer: last === undefined ? '' : `${parentPointer}/${escapeToken(last)}`,
    });
  }
  return compiled;
}

type Container = Record<string, unknown> | unknown[];

const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

function childOf(container: Container, token: string): unknown {
  if (Array.isArray(container)) {
    return ARRAY_INDEX.test(token) ? container[Number(token)] : undefined;
  }
  return Object.hasOwn(container, token) ? container[token] : undefined;
}

function setChild(container: Container, token: string, value: unknown): void {
  if (Array.isArray(container)) {
    container[Number(token)] = value;
  } else {
    container[token] = value;
  }
}

/**
 * Applies one rule to `root` and returns the root to use from now on: a copy once anything changed.
 * `copied` lists the containers this event already owns (copied by earlier rules), which are changed
 * in place; it holds a handful of entries, so a list beats a Set.
 */
function applyRule(
  root: Record<string, unknown>,
  rule: CompiledRule,
  pseudonyms: Pseudonyms,
  copied: object[],
  redacted: string[],
): Record<string, unknown> {
  let parent: unknown = root;
  for (const token of rule.parentTokens) {
    parent = isContainer(parent) ? childOf(parent, token) : undefined;
  }
  if (!isContainer(parent)) {
    return root;
  }
  let targets: readonly string[];
  if (rule.last !== undefined) {
    if (childOf(parent, rule.last) === undefined) {
      return root;
    }
    targets = rule.fixedTargets;
  } else {
    targets = Array.isArray(parent) ? parent.map((_, index) => String(index)) : Object.keys(parent);
    if (targets.length === 0) {
      return root;
    }
  }
  const newRoot = ownCopy(root, copied) as Record<string, unknown>;
  let writable: Container = newRoot;
  for (const token of rule.parentTokens) {
    const child = ownCopy(childOf(writable, token) as Container, copied);
    setChild(writable, token, child);
    writable = child;
  }
  if (rule.last !== undefined) {
    redacted.push(rule.fixedPointer);
  } else {
    for (const target of targets) {
      redacted.push(`${rule.parentPointer}/${escapeToken(target)}`);
    }
  }
  if (rule.action === 'drop') {
    if (!Array.isArray(writable)) {
      for (const target of targets) delete writable[target];
    } else if (rule.last === undefined) {
      writable.length = 0;
    } else {
      writable.splice(Number(rule.last), 1);
    }
    return newRoot;
  }
  for (const target of targets) {
    const value = childOf(writable, target);
    setChild(writable, target, rule.action === 'mask' ? maskValue(value) : pseudonyms.of(value));
  }
  return newRoot;
}

function ownCopy(container: Container, copied: object[]): Container {
  if (copied.includes(container)) {
    return container;
  }
  const copy = Array.isArray(container) ? container.slice() : { ...container };
  copied.push(copy);
  return copy;
}

function escapeToken(token: string): string {
  return token.indexOf('~') === -1 && token.indexOf('/') === -1
    ? token
    : token.replace(/~/g, '~0').replace(/\//g, '~1');
}
