import { FORBIDDEN_KEYS, MAX_DEPTH, MAX_KEY_LENGTH, MAX_STRING_LENGTH } from './limits';
import type { RejectionCode } from './rejection';

/**
 * One walk over a parsed event that enforces what JSON Schema cannot express cheaply or at all: nesting
 * depth, forbidden keys, control characters, unpaired surrogates and the global string limits, in the
 * free-form parts (tool arguments, statement parameters, config values) as much as in the fixed fields.
 *
 * The walk recurses, but never deeper than MAX_DEPTH frames: it stops at the first container that would
 * exceed the limit, so hostile nesting cannot exhaust the stack. It allocates nothing unless it fails.
 */

export interface ScanFailure {
  code: RejectionCode;
  /** Pointer tokens from the offending value up to the root (innermost first), filled while unwinding. */
  reversedPath: (string | number)[];
  expectation: string;
}

// Where a value sits in the event. Tab, CR and LF are allowed only in FREE strings: statement text,
// error messages and the free-form values, where multi-line SQL and messages are normal.
const STRICT = 0;
const FREE = 1;
const ROOT = 2;
const DATA = 3;
const STATEMENT = 4;
const OUTCOME = 5;
const TOOL = 6;
const CONFIG = 7;
type Context = number;

function childContext(context: Context, key: string): Context {
  switch (context) {
    case FREE:
      return FREE;
    case ROOT:
      return key === 'data' ? DATA : STRICT;
    case DATA:
      if (key === 'statement') return STATEMENT;
      if (key === 'outcome') return OUTCOME;
      if (key === 'tool') return TOOL;
      if (key === 'config') return CONFIG;
      return STRICT;
    case STATEMENT:
      return key === 'text' || key === 'parameters' ? FREE : STRICT;
    case OUTCOME:
      return key === 'errorMessage' ? FREE : STRICT;
    case TOOL:
      return key === 'arguments' ? FREE : STRICT;
    case CONFIG:
      return key === 'oldValue' || key === 'newValue' ? FREE : STRICT;
    default:
      return STRICT;
  }
}

// C0 controls, DEL and C1 controls, plus UTF-16 surrogates that are not part of a pair (JSON escapes
// such as "\ud800" produce them; they have no UTF-8 encoding, so the event could not be stored as sent).
const STRICT_BAD =
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
  /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const FREE_BAD =
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const STRICT_HINT =
  'tab, CR and LF are allowed only in statement text, error messages and free-form values';
const FREE_HINT = 'only tab, CR and LF are allowed';

/** Scans `event`, a parsed value at the root of an event; returns the first violation in document order. */
export function scanEvent(event: object): ScanFailure | undefined {
  return scanContainer(event, 1, ROOT);
}

function scanValue(value: unknown, depth: number, context: Context): ScanFailure | undefined {
  switch (typeof value) {
    case 'string':
      return scanString(
        value,
        context === FREE ? FREE_BAD : STRICT_BAD,
        context === FREE ? FREE_HINT : STRICT_HINT,
      );
    case 'number':
      return Number.isFinite(value)
        ? undefined
        : failure('invalid-json', `must be a finite number (got ${value})`);
    case 'boolean':
      return undefined;
    case 'object':
      if (value === null) {
        return undefined;
      }
      if (depth >= MAX_DEPTH) {
        return failure(
          'too-deep',
          `must not nest objects or arrays more than ${MAX_DEPTH} levels deep`,
        );
      }
      return scanContainer(value, depth + 1, context);
    default:
      return failure('invalid-json', `must be a JSON value (got ${typeof value})`);
  }
}

function scanContainer(
  container: object,
  depth: number,
  context: Context,
): ScanFailure | undefined {
  if (Array.isArray(container)) {
    const itemContext = context === FREE ? FREE : STRICT;
    for (let index = 0; index < container.length; index++) {
      const found = scanValue(container[index], depth, itemContext);
      if (found !== undefined) {
        found.reversedPath.push(index);
        return found;
      }
    }
    return undefined;
  }
  const prototype = Object.getPrototypeOf(container) as unknown;
  if (prototype !== Object.prototype && prototype !== null) {
    return failure('invalid-json', 'must be a plain JSON object');
  }
  const record = container as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    // Outside the free-form parts the schema admits only its own field names (and attribute names of
    // lower-case letters and digits), so only the forbidden names need checking here.
    const found =
      (context === FREE ? scanFreeFormKey(key) : forbiddenKey(key)) ??
      scanValue(record[key], depth, childContext(context, key));
    if (found !== undefined) {
      found.reversedPath.push(key);
      return found;
    }
  }
  return undefined;
}

/** FORBIDDEN_KEYS, compared one by one: this runs for every key of every event. */
function forbiddenKey(key: string): ScanFailure | undefined {
  return key === '__proto__' || key === 'constructor' || key === 'prototype'
    ? failure(
        'forbidden-key',
        `is a forbidden key (${FORBIDDEN_KEYS.join(', ')} are refused anywhere)`,
      )
    : undefined;
}

function scanFreeFormKey(key: string): ScanFailure | undefined {
  const forbidden = forbiddenKey(key);
  if (forbidden !== undefined) {
    return forbidden;
  }
  if (key.length > MAX_KEY_LENGTH) {
    return failure(
      'string-too-long',
      `key must be at most ${MAX_KEY_LENGTH} characters (got ${key.length})`,
    );
  }
  const bad = key.search(STRICT_BAD);
  return bad === -1
    ? undefined
    : badCharacter(key, bad, 'key must not contain', 'no control characters are allowed in keys');
}

function scanString(value: string, bad: RegExp, hint: string): ScanFailure | undefined {
  if (value.length > MAX_STRING_LENGTH) {
    return failure(
      'string-too-long',
      `must be at most ${MAX_STRING_LENGTH} characters (got ${value.length})`,
    );
  }
  if (!bad.test(value)) {
    return undefined;
  }
  return badCharacter(value, value.search(bad), 'must not contain', hint);
}

function badCharacter(text: string, index: number, lead: string, hint: string): ScanFailure {
  const code = text.charCodeAt(index);
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  if (code >= 0xd800 && code <= 0xdfff) {
    return failure(
      'invalid-utf8',
      `${lead} an unpaired UTF-16 surrogate (\\u${hex.toLowerCase()} at index ${index}); it has no UTF-8 encoding`,
    );
  }
  return failure(
    'control-character',
    `${lead} control character U+${hex} (at index ${index}); ${hint}`,
  );
}

function failure(code: RejectionCode, expectation: string): ScanFailure {
  return { code, reversedPath: [], expectation };
}
