import * as crypto from 'node:crypto';

/** SHA-256 works on 64-byte blocks; HMAC pads the key to one block (RFC 2104 §2). */
const BLOCK_BYTES = 64;
const DIGEST_BYTES = 32;
const INNER_PAD = 0x36;
const OUTER_PAD = 0x5c;
/** Texts whose UTF-8 form may exceed this take createHmac; shorter ones are written into a scratch block. */
const SCRATCH_TEXT_BYTES = 4096;
/** A UTF-16 code unit never takes more than 3 bytes of UTF-8 (a surrogate pair takes 4 for 2 units). */
const MAX_UTF8_BYTES_PER_UNIT = 3;

/**
 * HMAC-SHA256 (RFC 2104) under one key, for many short messages. createHmac prepares the key for every
 * message and costs about twice as much as two one-shot digests, so the key's inner and outer padded
 * blocks are computed once here and each message costs SHA-256(ipad || text) and
 * SHA-256(opad || inner digest) through crypto.hash (Node 20.12+). On older Node it uses createHmac.
 * Not re-entrant across threads, which JavaScript code never is: the scratch buffers are reused.
 */
export class HmacSha256 {
  private readonly key: Uint8Array;
  /** ipad block followed by room for the message. */
  private readonly inner: Buffer;
  /** opad block followed by the inner digest. */
  private readonly outer: Buffer;

  /** `key` is copied; any length is accepted (a key longer than a block is hashed first). */
  constructor(key: Uint8Array) {
    this.key = Uint8Array.from(key);
    const block = Buffer.alloc(BLOCK_BYTES);
    if (key.byteLength > BLOCK_BYTES) {
      crypto.createHash('sha256').update(key).digest().copy(block);
    } else {
      block.set(key);
    }
    this.inner = Buffer.alloc(BLOCK_BYTES + SCRATCH_TEXT_BYTES);
    this.outer = Buffer.alloc(BLOCK_BYTES + DIGEST_BYTES);
    for (let i = 0; i < BLOCK_BYTES; i++) {
      this.inner[i] = (block[i] as number) ^ INNER_PAD;
      this.outer[i] = (block[i] as number) ^ OUTER_PAD;
    }
  }

  /** Lower-case hex of HMAC-SHA256(key, UTF-8 bytes of `text`). */
  hex(text: string): string {
    if (oneShotHash === undefined || text.length * MAX_UTF8_BYTES_PER_UNIT > SCRATCH_TEXT_BYTES) {
      return crypto.createHmac('sha256', this.key).update(text, 'utf8').digest('hex');
    }
    const length = this.inner.write(text, BLOCK_BYTES, 'utf8');
    // 'binary' (latin1) maps each digest byte to one character and back; it is several times cheaper
    // than asking crypto.hash for a Buffer.
    const innerDigest = oneShotHash(
      'sha256',
      this.inner.subarray(0, BLOCK_BYTES + length),
      'binary',
    );
    this.outer.write(innerDigest, BLOCK_BYTES, 'binary');
    return oneShotHash('sha256', this.outer, 'hex');
  }
}

// crypto.hash arrived in Node 20.12; the declared types assume it is there.
const oneShotHash: typeof crypto.hash | undefined =
  typeof crypto.hash === 'function' ? crypto.hash : undefined;
