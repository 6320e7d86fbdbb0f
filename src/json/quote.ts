/** Characters JSON.stringify escapes: quote, backslash, C0 controls, and (possibly lone) surrogates. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * `text` as a JSON string literal, exactly as JSON.stringify writes it (RFC 8785 §3.2.2.2 asks for the
 * same escapes; a lone surrogate becomes \udXXX). Most strings need no escaping and are quoted directly,
 * which is cheaper than the native call.
 */
export function quoteJsonString(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : '"' + text + '"';
}
