import { createHmac } from 'node:crypto';
import { canonicalJson } from '../json/canonical';
import { quoteJsonString } from '../json/quote';
import { detachedCopy, RecentMap } from '../normalize/recent-map';
import { HmacSha256 } from './hmac-sha256';

export const HMAC_PREFIX = 'hmac-sha256:';

/**
 * `hmac-sha256:<hex>` of the canonical JSON of `value` under `key`: what 'hmac' puts in place of a value.
 * Exported so a reader holding the key can compute the pseudonym of a known value to search for it
 * (for a string, the input is its JSON text, quotes included, so "1" and 1 differ).
 */
export function hmacValue(key: Uint8Array, value: unknown): string {
  return HMAC_PREFIX + createHmac('sha256', key).update(canonicalJson(value), 'utf8').digest('hex');
}

/** Values whose remembered form is longer than this are not remembered: long values rarely repeat. */
export const MEMO_MAX_TEXT = 64;
/** Entries per generation of a memo (see RecentMap); a memo holds at most twice this many. */
export const MEMO_GENERATION_ENTRIES = 4096;

/**
 * The pseudonyms of one key, with memos of recent ones. The same few values (an agent's IP address,
 * `{}` tool arguments, a customer id parameter) recur across many events, and an HMAC costs more than
 * the rest of redaction together.
 *
 * The memos belong to the key: a Pseudonyms instance never serves another key, so values pseudonymised
 * under different keys (tenants, rotations) never share entries. String values are remembered by the
 * string itself (skipping its quoting: JSON.parse hands over flat strings whose hash V8 computes once),
 * other values by their canonical text; the two memos are apart, so the string "{}" and the object {}
 * never meet. Values longer than MEMO_MAX_TEXT are not remembered; what is remembered is bounded and
 * kept while it recurs (RecentMap).
 */
export class Pseudonyms {
  private readonly hmac: HmacSha256;
  private readonly strings = new RecentMap<string, string>(MEMO_GENERATION_ENTRIES);
  private readonly texts = new RecentMap<string, string>(MEMO_GENERATION_ENTRIES);

  /** `key` is copied. */
  constructor(key: Uint8Array) {
    this.hmac = new HmacSha256(key);
  }

  of(value: unknown): string {
    if (typeof value === 'string') {
      if (value.length > MEMO_MAX_TEXT) {
        return this.compute(quoteJsonString(value));
      }
      let pseudonym = this.strings.get(value);
      if (pseudonym === undefined) {
        pseudonym = this.compute(quoteJsonString(value));
        this.strings.set(detachedCopy(value), pseudonym);
      }
      return pseudonym;
    }
    const canonical = canonicalJson(value);
    if (canonical.length > MEMO_MAX_TEXT) {
      return this.compute(canonical);
    }
    let pseudonym = this.texts.get(canonical);
    if (pseudonym === undefined) {
      pseudonym = this.compute(canonical);
      this.texts.set(canonical, pseudonym);
    }
    return pseudonym;
  }

  private compute(canonical: string): string {
    return HMAC_PREFIX + this.hmac.hex(canonical);
  }
}
