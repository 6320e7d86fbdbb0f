import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import { FORMAT_DESCRIPTIONS, SCHEMA_FORMATS } from './formats';
import { escapePointerToken, reject, type ParseResult, type RejectionCode } from './rejection';
import { AUDIT_EVENT_SCHEMA } from './schema-document';
import type { AuditEvent } from './types';

/**
 * The event schema compiled once, at module load. Only the first error is collected (allErrors off):
 * a rejected event is dead-lettered whole, so one precise reason is all the pipeline needs, and
 * stopping early keeps validation of bad input as cheap as of good input.
 */
const ajv = new Ajv2020({
  allErrors: false,
  messages: false,
  allowUnionTypes: true,
  strictTypes: false,
  // The schema's patterns are ASCII-only, where the 'u' flag changes nothing but speed.
  unicodeRegExp: false,
  formats: SCHEMA_FORMATS,
  code: { optimize: true },
});

const validateAuditEvent = ajv.compile<AuditEvent>(AUDIT_EVENT_SCHEMA);

/** Field-specific explanations of patterns, keyed by instance path; the raw pattern is the fallback. */
const PATTERN_EXPECTATIONS: Readonly<Record<string, string>> = {
  '/traceparent':
    'must be a W3C traceparent: 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>, lower case, ids not all zero',
  '/datacontenttype': 'must be application/json (optionally with parameters)',
  '/tenantid': `must match ${AUDIT_EVENT_SCHEMA.properties.tenantid.pattern}`,
};

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

/** Validates `event` (already structurally scanned) against schema/audit-event.v1.json. */
export function validateAgainstSchema(event: Record<string, unknown>): ParseResult {
  if (validateAuditEvent(event)) {
    return { ok: true, event };
  }
  return rejectionFor(validateAuditEvent.errors ?? [], event);
}

/**
 * Turns ajv's errors into one rejection. With allErrors off, ajv stops at the first failing keyword;
 * the list holds more than one entry only when a compound keyword failed: an `if` whose `then` failed
 * (the `then` error comes first), `propertyNames` (the inner error first) or `anyOf` (each branch's
 * error, then the anyOf error itself, which is the one to explain).
 */
function rejectionFor(errors: readonly ErrorObject[], event: Record<string, unknown>): ParseResult {
  const anyOf = errors.find((error) => error.keyword === 'anyOf');
  if (anyOf !== undefined) {
    const alternatives = errors
      .filter((error) => error !== anyOf && error.instancePath === anyOf.instancePath)
      .map((error) => describe(error).replace(/^must be /, ''));
    return reject('schema', anyOf.instancePath, `must be ${alternatives.join(' or ')}`);
  }
  const first = errors.find((error) => error.keyword !== 'if');
  if (first === undefined) {
    return reject('schema', '', 'does not match the event schema');
  }
  const perType = first.schemaPath.includes('/then/') ? ` for type ${String(event['type'])}` : '';
  const code: RejectionCode = first.keyword === 'maxLength' ? 'string-too-long' : 'schema';
  return reject(code, pointerFor(first), `${describe(first)}${perType}`);
}

function pointerFor(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.propertyName !== undefined) {
    return `${error.instancePath}/${escapePointerToken(error.propertyName)}`;
  }
  if (error.keyword === 'required') {
    return `${error.instancePath}/${escapePointerToken(String(params['missingProperty']))}`;
  }
  if (error.keyword === 'additionalProperties') {
    return `${error.instancePath}/${escapePointerToken(String(params['additionalProperty']))}`;
  }
  return error.instancePath;
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.propertyName !== undefined) {
    return 'is not a valid attribute name: CloudEvents attribute names are 1-20 lower-case letters and digits';
  }
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a field of this object (unknown fields are refused)';
    case 'type':
      return `must be ${String(params['type'])
        .split(',')
        .map((type) => TYPE_NAMES[type] ?? type)
        .join(' or ')}`;
    case 'enum':
      return `must be one of ${(params['allowedValues'] as unknown[]).map(String).join(', ')}`;
    case 'const':
      return `must be ${String(params['allowedValue'])}`;
    case 'format':
      return `must be ${FORMAT_DESCRIPTIONS[String(params['format'])] ?? `in format ${String(params['format'])}`}`;
    case 'pattern':
      return PATTERN_EXPECTATIONS[error.instancePath] ?? `must match ${String(params['pattern'])}`;
    case 'maxLength':
      return `must be at most ${String(params['limit'])} characters`;
    case 'minLength':
      return params['limit'] === 1
        ? 'must not be empty'
        : `must be at least ${String(params['limit'])} characters`;
    case 'minimum':
      return `must be >= ${String(params['limit'])}`;
    case 'maximum':
      return `must be <= ${String(params['limit'])}`;
    case 'maxItems':
      return `must have at most ${String(params['limit'])} items`;
    case 'minProperties':
      return `must have at least ${String(params['limit'])} field${params['limit'] === 1 ? '' : 's'}`;
    default:
      return `fails the schema's "${error.keyword}" rule`;
  }
}
