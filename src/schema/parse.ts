import { isUtf8 } from 'node:buffer';
import { MAX_EVENT_BYTES, SOURCE_ATTRIBUTE, STORAGE_KEY_ATTRIBUTES } from './limits';
import { pointerOf, reject, type ParseResult } from './rejection';
import { scanEvent } from './scan';
import { firstInvalidUtf8Offset } from './utf8';
import { AUDIT_EVENT_SCHEMA } from './schema-document';
import { validateAgainstSchema } from './validate';

export {
  FORBIDDEN_KEYS,
  MAX_DEPTH,
  MAX_EVENT_BYTES,
  MAX_KEY_LENGTH,
  MAX_STRING_LENGTH,
  SOURCE_ATTRIBUTE,
  STORAGE_KEY_ATTRIBUTES,
} from './limits';
export { REJECTION_CODES, type ParseResult, type Rejection, type RejectionCode } from './rejection';

/** The tenant id format, taken from the schema so there is one definition. */
export const TENANT_ID_PATTERN = new RegExp(AUDIT_EVENT_SCHEMA.properties.tenantid.pattern);

// Table keys refuse / \ # ? and the C0 and C1 controls; a URI-reference needs / # ? so source only loses \.
// eslint-disable-next-line no-control-regex -- control characters are exactly what these look for
const STORAGE_KEY_BAD = /[/\\#?\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what these look for
const SOURCE_BAD = /[\\\u0000-\u001f\u007f-\u009f]/;

/**
 * Parses and validates one event body: the raw bytes of one CloudEvent in structured JSON mode.
 *
 * Checks run in this order and the first failure is reported: size (before decoding), UTF-8, JSON,
 * object, storage-key characters of tenantid/id/partitionkey/source, tenant presence and format, one
 * structural walk (depth, forbidden keys, control characters, string and key lengths), then the schema.
 * A UTF-8 byte order mark is ignored.
 */
export function parseEvent(body: Uint8Array): ParseResult {
  if (body.byteLength > MAX_EVENT_BYTES) {
    return reject(
      'too-large',
      '',
      `must be at most ${MAX_EVENT_BYTES} bytes (got ${body.byteLength})`,
    );
  }
  if (!isUtf8(body)) {
    return reject(
      'invalid-utf8',
      '',
      `must be UTF-8 (first invalid sequence at byte offset ${firstInvalidUtf8Offset(body)})`,
    );
  }
  const bytes = Buffer.isBuffer(body)
    ? body
    : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) {
    text = text.slice(1);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return reject('invalid-json', '', `must be JSON (${(error as SyntaxError).message})`);
  }
  return parseEventObject(value);
}

/**
 * Validates a value that was already parsed from JSON (for example one element of a batch array).
 * Everything parseEvent checks after JSON.parse applies; the byte-size limit cannot, since the bytes are
 * gone: callers that have them should use parseEvent. Non-JSON values (undefined, functions, class
 * instances, non-finite numbers) are refused as invalid-json.
 */
export function parseEventObject(value: unknown): ParseResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return reject(
      'not-an-object',
      '',
      `must be a JSON object holding one CloudEvent (got ${kindOf(value)})`,
    );
  }
  const event = value as Record<string, unknown>;
  const keyRejection = checkStorageKeyAttributes(event);
  if (keyRejection !== undefined) {
    return keyRejection;
  }
  const tenant = event['tenantid'];
  if (!Object.hasOwn(event, 'tenantid') || tenant === undefined) {
    return reject('missing-tenant', '/tenantid', 'is required: the tenant the event belongs to');
  }
  if (typeof tenant !== 'string' || !TENANT_ID_PATTERN.test(tenant)) {
    return reject(
      'invalid-tenant',
      '/tenantid',
      `must be a string matching ${TENANT_ID_PATTERN.source} (2-63 lower-case letters, digits or hyphens, starting with a letter or digit)`,
    );
  }
  const found = scanEvent(event);
  if (found !== undefined) {
    return reject(found.code, pointerOf(found.reversedPath.reverse()), found.expectation);
  }
  return validateAgainstSchema(event);
}

function checkStorageKeyAttributes(event: Record<string, unknown>): ParseResult | undefined {
  for (const name of STORAGE_KEY_ATTRIBUTES) {
    const rejection = checkKeyCharacters(event, name, STORAGE_KEY_BAD, 'a storage key');
    if (rejection !== undefined) {
      return rejection;
    }
  }
  return checkKeyCharacters(event, SOURCE_ATTRIBUTE, SOURCE_BAD, 'part of the event identity key');
}

function checkKeyCharacters(
  event: Record<string, unknown>,
  name: string,
  bad: RegExp,
  role: string,
): ParseResult | undefined {
  const value = event[name];
  if (typeof value !== 'string') {
    return undefined;
  }
  const index = value.search(bad);
  if (index === -1) {
    return undefined;
  }
  const code = value.charCodeAt(index);
  const shown = code < 0x20 || (code >= 0x7f && code <= 0x9f) ? '' : `"${value[index]}" `;
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  return reject(
    'forbidden-key-character',
    `/${name}`,
    `must not contain ${shown}(U+${hex}, at index ${index}): the value becomes ${role}`,
  );
}

function kindOf(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  return Array.isArray(value) ? 'an array' : typeof value;
}
