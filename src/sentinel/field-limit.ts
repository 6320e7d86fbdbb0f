/**
 * The Logs Ingestion API accepts at most 64 KB per field. "KB" is read as 1,000 bytes here, the smaller of
 * the two readings, so a cut value fits whichever the service applies. Measured in UTF-8 bytes, the
 * encoding the service receives.
 */
export const SENTINEL_FIELD_LIMIT_BYTES = 64_000;

/** Appended to every value that was cut, so nobody mistakes a prefix for the whole text. */
export const TRUNCATION_MARKER = '…[truncated, full text in archive]';

/**
 * Returns `text` unchanged when it fits in `maxBytes` UTF-8 bytes; otherwise its longest prefix that ends on
 * a character boundary and leaves room for the marker, followed by the marker.
 * Precondition: `maxBytes` is at least the marker's UTF-8 length.
 */
export function truncateUtf8(text: string, maxBytes: number = SENTINEL_FIELD_LIMIT_BYTES): string {
  // Each UTF-16 code unit is at most 3 UTF-8 bytes: short strings need no encoding to know they fit.
  if (text.length * 3 <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  const markerBytes = Buffer.byteLength(TRUNCATION_MARKER, 'utf8');
  if (maxBytes < markerBytes) {
    throw new RangeError(
      `field limit ${maxBytes} is smaller than the truncation marker (${markerBytes} bytes)`,
    );
  }
  let end = maxBytes - markerBytes;
  // Step back over continuation bytes (10xxxxxx) so the cut never splits a character.
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8') + TRUNCATION_MARKER;
}
