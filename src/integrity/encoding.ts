/**
 * Strict text encodings for hashes. Lenient decoders (Buffer.from(s, 'base64') skips bad characters)
 * would let two different strings name the same hash, so every decoder here round-trips its input.
 */

export class EncodingError extends Error {
  override readonly name = 'EncodingError';
  constructor(
    readonly what: string,
    readonly value: string,
    readonly expected: string,
  ) {
    super(`${what} ${JSON.stringify(value)} is not ${expected}`);
  }
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Lower-case hex only, so that the text form of a hash is unique. */
export function fromHex(text: string, what: string, byteLength?: number): Buffer {
  const pattern = /^(?:[0-9a-f]{2})*$/;
  if (!pattern.test(text) || (byteLength !== undefined && text.length !== byteLength * 2)) {
    const size = byteLength === undefined ? '' : ` of ${byteLength} bytes`;
    throw new EncodingError(what, text, `lower-case hex${size}`);
  }
  return Buffer.from(text, 'hex');
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Standard padded base64 (RFC 4648 §4) in its one canonical spelling. */
export function fromBase64(text: string, what: string, byteLength?: number): Buffer {
  const decoded = Buffer.from(text, 'base64');
  const canonical = decoded.toString('base64') === text;
  if (!canonical || (byteLength !== undefined && decoded.length !== byteLength)) {
    const size = byteLength === undefined ? '' : ` of ${byteLength} bytes`;
    throw new EncodingError(what, text, `canonical base64${size}`);
  }
  return decoded;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
