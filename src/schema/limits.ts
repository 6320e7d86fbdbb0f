/**
 * Limits every event must respect, checked by parseEvent before and alongside schema validation.
 * Field-specific string limits live in schema/audit-event.v1.json (maxLength); these are the global ones
 * that also bound the free-form parts (tool arguments, statement parameters, config values).
 */

/** Largest accepted event body in bytes, checked before decoding (256 KiB, the Event Hubs standard-tier limit). */
export const MAX_EVENT_BYTES = 256 * 1024;

/** Deepest accepted nesting of objects and arrays; the event object itself is depth 1. */
export const MAX_DEPTH = 32;

/** Longest accepted string value anywhere in an event, in UTF-16 code units. */
export const MAX_STRING_LENGTH = 65536;

/** Longest accepted object key anywhere in an event, in UTF-16 code units. */
export const MAX_KEY_LENGTH = 256;

/** Keys rejected anywhere in an event: they name JavaScript prototype machinery. */
export const FORBIDDEN_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/**
 * Top-level attributes whose values become Table keys or blob path segments; they must not contain
 * `/` `\` `#` `?` (forbidden in Table keys) or control characters.
 */
export const STORAGE_KEY_ATTRIBUTES: readonly string[] = ['tenantid', 'id', 'partitionkey'];

/**
 * `source` is a URI-reference, so `/`, `#` and `?` are legitimate in it; it is still held to no `\`
 * and no control characters, and storage must encode it (never use it raw) where it forms a key.
 */
export const SOURCE_ATTRIBUTE = 'source';
