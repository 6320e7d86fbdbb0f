import { AUDIT_EVENT_SCHEMA } from '../schema/schema-document';

/**
 * What to do with the value at a path:
 * - 'drop' removes it;
 * - 'mask' keeps its shape and hides its content: strings become '***', numbers 0, booleans false,
 *   null stays null, and objects and arrays keep their keys and length with every leaf masked;
 * - 'hmac' replaces it with `hmac-sha256:<hex>` over its canonical JSON, so equal values stay equal;
 * - 'keep' does nothing: a tenant uses it to switch off a default rule for the same path.
 */
export type RedactionAction = 'drop' | 'mask' | 'hmac' | 'keep';
export const REDACTION_ACTIONS: readonly RedactionAction[] = ['drop', 'mask', 'hmac', 'keep'];

export interface RedactionRule {
  /**
   * RFC 6901 JSON pointer into the event, below a data object: /data/<object>/<field>[/...]. A final
   * `/*` applies the action to each child of the object or array at the path instead.
   */
  path: string;
  action: RedactionAction;
}

/**
 * `default` applies to every tenant. A tenant's rules extend the default ones: a tenant rule whose path
 * equals a default rule's path replaces that rule (in its place); the others are applied after the
 * default rules, in order.
 */
export interface RedactionPolicy {
  default?: RedactionRule[];
  tenants?: Record<string, RedactionRule[]>;
}

/** Applied when no policy is configured: pseudonymise what most often carries personal data. */
export const DEFAULT_REDACTION_POLICY: RedactionPolicy = {
  default: [
    { path: '/data/statement/parameters', action: 'hmac' },
    { path: '/data/tool/arguments', action: 'hmac' },
    { path: '/data/actor/ip', action: 'hmac' },
  ],
};

/** A policy that is not well-formed; `location` names the offending part, e.g. `tenants.contoso[1].path`. */
export class RedactionPolicyError extends Error {
  constructor(
    readonly location: string,
    readonly detail: string,
  ) {
    super(`redaction policy ${location}: ${detail}`);
    this.name = 'RedactionPolicyError';
  }
}

const TENANT_ID = new RegExp(AUDIT_EVENT_SCHEMA.properties.tenantid.pattern);
const WILDCARD = '*';
const MIN_PATH_TOKENS = 3;

/**
 * Fields no rule may touch, and fields no rule may drop, read from the schema: enumerations carry no
 * personal data and classification depends on them; required fields must stay present.
 */
const { untouchable: UNTOUCHABLE_FIELDS, undroppable: UNDROPPABLE_FIELDS } = protectedFields();

/** Checks `json` (for example the parsed REDACTION_POLICY setting) and returns it as a policy. */
export function parseRedactionPolicy(json: unknown): RedactionPolicy {
  const policy = asObject(json, '(root)');
  const policyKeys = ['default', 'tenants'];
  for (const key of Object.keys(policy)) {
    if (!policyKeys.includes(key)) {
      throw new RedactionPolicyError(key, 'is not a policy field (expected default, tenants)');
    }
  }
  const result: RedactionPolicy = {};
  if (policy['default'] !== undefined) {
    result.default = parseRules(policy['default'], 'default');
  }
  if (policy['tenants'] !== undefined) {
    const tenants = asObject(policy['tenants'], 'tenants');
    result.tenants = {};
    for (const [tenant, rules] of Object.entries(tenants)) {
      if (!TENANT_ID.test(tenant)) {
        throw new RedactionPolicyError(
          `tenants.${tenant}`,
          `is not a valid tenant id (must match ${TENANT_ID.source})`,
        );
      }
      result.tenants[tenant] = parseRules(rules, `tenants.${tenant}`);
    }
  }
  return result;
}

/** The pointer tokens of a rule path, unescaped; '*' stands for a trailing wildcard. */
export function pathTokens(path: string): string[] {
  return path
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parseRules(value: unknown, location: string): RedactionRule[] {
  if (!Array.isArray(value)) {
    throw new RedactionPolicyError(location, 'must be an array of rules');
  }
  const seen = new Map<string, number>();
  return value.map((item, index) => {
    const rule = parseRule(item, `${location}[${index}]`);
    const earlier = seen.get(rule.path);
    if (earlier !== undefined) {
      throw new RedactionPolicyError(
        `${location}[${index}].path`,
        `repeats ${location}[${earlier}].path "${rule.path}"`,
      );
    }
    seen.set(rule.path, index);
    return rule;
  });
}

function parseRule(value: unknown, location: string): RedactionRule {
  const rule = asObject(value, location);
  for (const key of Object.keys(rule)) {
    if (key !== 'path' && key !== 'action') {
      throw new RedactionPolicyError(
        `${location}.${key}`,
        'is not a rule field (expected path, action)',
      );
    }
  }
  const path = rule['path'];
  const action = rule['action'];
  if (typeof path !== 'string') {
    throw new RedactionPolicyError(`${location}.path`, 'is required and must be a string');
  }
  if (typeof action !== 'string' || !(REDACTION_ACTIONS as readonly string[]).includes(action)) {
    throw new RedactionPolicyError(
      `${location}.action`,
      `must be one of ${REDACTION_ACTIONS.join(', ')} (got ${JSON.stringify(action)})`,
    );
  }
  checkPath(path, action as RedactionAction, `${location}.path`);
  return { path, action: action as RedactionAction };
}

function checkPath(path: string, action: RedactionAction, location: string): void {
  if (!path.startsWith('/data/')) {
    throw new RedactionPolicyError(location, `must be a JSON pointer below /data/ (got "${path}")`);
  }
  if (/~(?![01])/.test(path)) {
    throw new RedactionPolicyError(location, `has a ~ not followed by 0 or 1 (got "${path}")`);
  }
  const tokens = pathTokens(path);
  if (tokens.length < MIN_PATH_TOKENS || tokens.some((token) => token === '')) {
    throw new RedactionPolicyError(
      location,
      `must name a field inside a data object, like /data/actor/ip (got "${path}")`,
    );
  }
  const wildcard = tokens.indexOf(WILDCARD);
  if (wildcard !== -1 && wildcard !== tokens.length - 1) {
    throw new RedactionPolicyError(location, `may use * only as its last segment (got "${path}")`);
  }
  if (action === 'keep') {
    return;
  }
  for (const field of UNTOUCHABLE_FIELDS) {
    if (matches(tokens, field)) {
      throw new RedactionPolicyError(
        location,
        `must not cover ${field}: it is an enumeration the pipeline classifies by`,
      );
    }
  }
  if (action === 'drop') {
    for (const field of UNDROPPABLE_FIELDS) {
      if (matches(tokens, field)) {
        throw new RedactionPolicyError(
          location,
          `must not drop ${field}: the schema requires it (use mask or hmac)`,
        );
      }
    }
  }
}

/** Whether the rule tokens address the field path, with a trailing * matching any one segment. */
function matches(tokens: readonly string[], field: string): boolean {
  const fieldTokens = pathTokens(field);
  return (
    tokens.length === fieldTokens.length &&
    tokens.every(
      (token, index) =>
        token === fieldTokens[index] || (token === WILDCARD && index === tokens.length - 1),
    )
  );
}

type SchemaNode = Record<string, unknown>;

function protectedFields(): { untouchable: string[]; undroppable: string[] } {
  const defs = AUDIT_EVENT_SCHEMA.$defs as Record<string, SchemaNode>;
  const resolve = (node: SchemaNode): SchemaNode => {
    const ref = node['$ref'];
    return typeof ref === 'string' ? (defs[ref.slice('#/$defs/'.length)] ?? {}) : node;
  };
  const untouchable: string[] = [];
  const undroppable: string[] = [];
  const data = resolve(AUDIT_EVENT_SCHEMA.properties.data as SchemaNode);
  for (const [objectName, objectNode] of Object.entries(
    data['properties'] as Record<string, SchemaNode>,
  )) {
    const object = resolve(objectNode);
    const required = (object['required'] as string[] | undefined) ?? [];
    for (const [fieldName, fieldNode] of Object.entries(
      (object['properties'] as Record<string, SchemaNode>) ?? {},
    )) {
      const path = `/data/${objectName}/${fieldName}`;
      if (Array.isArray(resolve(fieldNode)['enum'])) {
        untouchable.push(path);
      } else if (required.includes(fieldName)) {
        undroppable.push(path);
      }
    }
  }
  return { untouchable, undroppable };
}

function asObject(value: unknown, location: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RedactionPolicyError(location, 'must be an object');
  }
  return value as Record<string, unknown>;
}
