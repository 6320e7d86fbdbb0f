import type { AuditEvent } from './types';

/** Why an event was refused. Each code has its own check in parseEvent; docs/schema.md lists them. */
export type RejectionCode =
  | 'too-large'
  | 'invalid-utf8'
  | 'invalid-json'
  | 'not-an-object'
  | 'too-deep'
  | 'forbidden-key'
  | 'control-character'
  | 'forbidden-key-character'
  | 'missing-tenant'
  | 'invalid-tenant'
  | 'schema'
  | 'string-too-long';

/** Every RejectionCode, in the order parseEvent checks them (string-too-long comes from two places). */
export const REJECTION_CODES: readonly RejectionCode[] = [
  'too-large',
  'invalid-utf8',
  'invalid-json',
  'not-an-object',
  'forbidden-key-character',
  'missing-tenant',
  'invalid-tenant',
  'too-deep',
  'forbidden-key',
  'control-character',
  'string-too-long',
  'schema',
];

export interface Rejection {
  code: RejectionCode;
  /** RFC 6901 JSON pointer of the offending field; '' for the body as a whole. */
  pointer: string;
  /** `<pointer>: <what was expected>`, with `event body` standing for the empty pointer. */
  message: string;
}

export type ParseResult = { ok: true; event: AuditEvent } | { ok: false; rejection: Rejection };

export function reject(code: RejectionCode, pointer: string, expectation: string): ParseResult {
  return {
    ok: false,
    rejection: {
      code,
      pointer,
      message: `${pointer === '' ? 'event body' : pointer}: ${expectation}`,
    },
  };
}

/** RFC 6901: `~` becomes `~0` and `/` becomes `~1` inside a reference token. */
export function escapePointerToken(token: string): string {
  if (token.indexOf('~') === -1 && token.indexOf('/') === -1) {
    return token;
  }
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The pointer of `tokens`, outermost first. */
export function pointerOf(tokens: readonly (string | number)[]): string {
  let pointer = '';
  for (const token of tokens) {
    pointer += `/${escapePointerToken(String(token))}`;
  }
  return pointer;
}
