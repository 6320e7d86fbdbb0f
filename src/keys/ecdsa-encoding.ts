/**
 * Conversion between the two encodings of an ECDSA P-256 signature (r, s):
 * raw r || s, 32 bytes each (IEEE P1363; what JWS and Key Vault's ES256 return), and
 * ASN.1 DER SEQUENCE { INTEGER r, INTEGER s } (what X.509, OpenSSL and C2SP signed notes use).
 *
 * DER INTEGERs are minimal two's complement: leading zero bytes are dropped, and a 0x00 is put
 * back in front when the first remaining byte has its high bit set (else it would read as negative).
 */

const SCALAR_SIZE = 32;

export class SignatureEncodingError extends Error {
  override readonly name = 'SignatureEncodingError';
  constructor(readonly reason: string) {
    super(`invalid ECDSA P-256 signature encoding: ${reason}`);
  }
}

export function rawSignatureToDer(raw: Uint8Array): Buffer {
  if (raw.length !== 2 * SCALAR_SIZE) {
    throw new SignatureEncodingError(`raw signature is ${raw.length} bytes, expected 64`);
  }
  const r = derInteger(raw.subarray(0, SCALAR_SIZE));
  const s = derInteger(raw.subarray(SCALAR_SIZE));
  // At most 2 * (2 + 33) = 70 bytes, so the short length form always applies.
  return Buffer.concat([Buffer.from([0x30, r.length + s.length]), r, s]);
}

function derInteger(scalar: Uint8Array): Buffer {
  let start = 0;
  while (start < scalar.length - 1 && scalar[start] === 0) start++;
  const magnitude = scalar.subarray(start);
  const pad = (magnitude[0] as number) >= 0x80 ? [0x00] : [];
  return Buffer.concat([Buffer.from([0x02, pad.length + magnitude.length, ...pad]), magnitude]);
}

/** Strict DER: no long lengths, no non-minimal integers, no negative values, no trailing bytes. */
export function derSignatureToRaw(der: Uint8Array): Buffer {
  const bytes = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  if (bytes.length < 2 || bytes[0] !== 0x30) {
    throw new SignatureEncodingError('does not start with a SEQUENCE');
  }
  if (bytes[1] !== bytes.length - 2) {
    throw new SignatureEncodingError(
      `SEQUENCE length ${bytes[1]} does not match the ${bytes.length - 2} bytes that follow`,
    );
  }
  const r = readInteger(bytes, 2, 'r');
  const s = readInteger(bytes, r.next, 's');
  if (s.next !== bytes.length) throw new SignatureEncodingError('trailing bytes after s');
  return Buffer.concat([r.value, s.value]);
}

function readInteger(
  bytes: Buffer,
  offset: number,
  name: 'r' | 's',
): { value: Buffer; next: number } {
  if (bytes[offset] !== 0x02) throw new SignatureEncodingError(`${name} is not an INTEGER`);
  const length = bytes[offset + 1];
  if (length === undefined || length === 0 || length >= 0x80) {
    throw new SignatureEncodingError(`${name} has an invalid length`);
  }
  const start = offset + 2;
  const content = bytes.subarray(start, start + length);
  if (content.length !== length) throw new SignatureEncodingError(`${name} is truncated`);
  const first = content[0] as number;
  if (first >= 0x80) throw new SignatureEncodingError(`${name} is negative`);
  if (first === 0 && length > 1 && (content[1] as number) < 0x80) {
    throw new SignatureEncodingError(`${name} has a non-minimal leading zero`);
  }
  const magnitude = first === 0 && length > 1 ? content.subarray(1) : content;
  if (magnitude.length > SCALAR_SIZE) {
    throw new SignatureEncodingError(`${name} is longer than 32 bytes`);
  }
  const value = Buffer.alloc(SCALAR_SIZE);
  magnitude.copy(value, SCALAR_SIZE - magnitude.length);
  return { value, next: start + length };
}
