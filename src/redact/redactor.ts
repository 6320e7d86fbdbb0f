import { createHmac } from 'node:crypto';
import type { AuditEvent } from '../schema/types';
import { canonicalJson } from '../json/canonical';
import {
  pathTokens,
  type RedactionAction,
  type RedactionPolicy,
  type RedactionRule,
} from './policy';

export interface RedactionResult {
  /** The redacted event: a copy where anything changed, the input itself where nothing did. */
  event: AuditEvent;
  /** JSON pointers of the values that were redacted, wildcards expanded, in the order redacted. */
  redacted: string[];
}

export type Redactor = (event: AuditEvent) => RedactionResult;

/** HMAC keys shorter than this are refused: below 128 bits the pseudonyms could be brute-forced. */
export const MIN_HMAC_KEY_BYTES = 16;
export const HMAC_PREFIX = 'hmac-sha256:';
export const MASK = '***';

export class RedactionKeyError extends Error {
  constructor(readonly keyBytes: number) {
    super(`redaction HMAC key must be at least ${MIN_HMAC_KEY_BYTES} bytes (got ${keyBytes})`);
    this.name = 'RedactionKeyError';
  }
}

/**
 * `hmac-sha256:<hex>` of the canonical JSON of `value` under `key`: what 'hmac' puts in place of a value.
 * Exported so a reader holding the key can compute the pseudonym of a known value to search for it
 * (for a string, the input is its JSON text, quotes included, so "1" and 1 differ).
 */
export function hmacValue(key: Uint8Array, value: unknown): string {
  return hmacOfCanonical(key, canonicalJson(value));
}

function hmacOfCanonical(key: Uint8Array, canonical: string): string {
  return HMAC_PREFIX + createHmac('sha256', key).update(canonical, 'utf8').digest('hex');
}

/**
 * Remembers recent pseudonyms of short values. The same few values (an agent's IP address, a
 * customer id parameter) recur across many events, and an HMAC costs more than the rest of redaction
 * together. Bounded: values longer than MEMO_MAX_TEXT are not remembered, and the memo starts afresh
 * when it holds MEMO_MAX_ENTRIES.
 */
class PseudonymMemo {
  private readonly memo = new Map<string, string>();

  constructor(private readonly key: Uint8Array) {}

  of(value: unknown): string {
    const canonical = canonicalJson(value);
    if (canonical.length > MEMO_MAX_TEXT) {
      return hmacOfCanonical(this.key, canonical);
    }
    let pseudonym = this.memo.get(canonical);
    if (pseudonym === undefined) {
      pseudonym = hmacOfCanonical(this.key, canonical);
      if (this.memo.size >= MEMO_MAX_ENTRIES) {
        this.memo.clear();
      }
      this.memo.set(canonical, pseudonym);
    }
    return pseudonym;
  }
}

const MEMO_MAX_TEXT = 64;
const MEMO_MAX_ENTRIES = 4096;

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
  const key = Uint8Array.from(hmacKey);
  const pseudonyms = new PseudonymMemo(key);
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
}

function compile(rules: readonly RedactionRule[]): CompiledRule[] {
  const compiled: CompiledRule[] = [];
  for (const rule of rules) {
    if (rule.action === 'keep') {
      continue;
    }
    const tokens = pathTokens(rule.path);
    const last = tokens.pop();
    compiled.push({
      parentTokens: tokens,
      last: last === '*' ? undefined : last,
      action: rule.action,
      parentPointer: tokens.map((token) => `/${escapeToken(token)}`).join(''),
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
  pseudonyms: PseudonymMemo,
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
  let targets: string[];
  if (rule.last !== undefined) {
    targets = childOf(parent, rule.last) === undefined ? [] : [rule.last];
  } else {
    targets = Array.isArray(parent) ? parent.map((_, index) => String(index)) : Object.keys(parent);
  }
  if (targets.length === 0) {
    return root;
  }
  const newRoot = ownCopy(root, copied) as Record<string, unknown>;
  let writable: Container = newRoot;
  for (const token of rule.parentTokens) {
    const child = ownCopy(childOf(writable, token) as Container, copied);
    setChild(writable, token, child);
    writable = child;
  }
  for (const target of targets) {
    redacted.push(`${rule.parentPointer}/${escapeToken(target)}`);
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
