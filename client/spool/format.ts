/**
 * On-disk layout of the offline spool (docs/client.md, "Spool file format").
 *
 * ```
 * [slot A: 128 bytes][slot B: 128 bytes][record 0][record 1]...
 * slot:   "MCPSPOOL" | u16 version | u16 0 | u32 0 | u64 generation | 16-byte chain nonce
 *         | u64 recordCount | u64 dataLength | u64 ackedCount | u64 ackedLength | 32-byte head hash
 *         | u32 crc32(bytes 0..103) | zero padding
 * record: u32 payload length L | u32 crc32(length bytes, payload) | payload (L bytes) | 32-byte chain hash
 * payload: u8 1 | u16 partition-key length K | key (K bytes UTF-8) | event body
 * chain:  h(-1) = SHA-256("sql-mcp-audit spool v1\0" | nonce); h(i) = SHA-256(h(i-1) | u32 L | payload)
 * ```
 *
 * Records only ever go on the end. The two header slots are the commit points: a header names how
 * many records (and bytes) are committed and acknowledged and the chain hash after the last committed
 * record. Generation g is written to slot g % 2, so a torn header write leaves the other slot, one
 * generation older, intact. All integers are big-endian.
 */
import { createHash } from 'node:crypto';
import { crc32 } from './crc32';

export const SPOOL_MAGIC = Buffer.from('MCPSPOOL', 'ascii');
export const SPOOL_FORMAT_VERSION = 1;
export const SLOT_SIZE = 128;
/** Offset of the first record: both header slots come first. */
export const DATA_START = 2 * SLOT_SIZE;
/** Length prefix, checksum and chain hash around each payload. */
export const RECORD_OVERHEAD = 4 + 4 + 32;
/** Largest payload a record may hold; a larger length prefix can only be damage. */
export const MAX_PAYLOAD_BYTES = 2 * 1024 * 1024;
const SLOT_CHECKED_BYTES = 104;
const PAYLOAD_VERSION = 1;
const CHAIN_DOMAIN = Buffer.from('sql-mcp-audit spool v1\0', 'ascii');

/** What a header slot commits. */
export interface SpoolHead {
  generation: number;
  nonce: Buffer;
  recordCount: number;
  /** Bytes of committed records, counted from DATA_START. */
  dataLength: number;
  ackedCount: number;
  ackedLength: number;
  /** Chain hash after the last committed record (the genesis hash when there is none). */
  headHash: Buffer;
}

export function encodeSlot(head: SpoolHead): Buffer {
  const slot = Buffer.alloc(SLOT_SIZE);
  SPOOL_MAGIC.copy(slot, 0);
  slot.writeUInt16BE(SPOOL_FORMAT_VERSION, 8);
  slot.writeBigUInt64BE(BigInt(head.generation), 16);
  head.nonce.copy(slot, 24, 0, 16);
  slot.writeBigUInt64BE(BigInt(head.recordCount), 40);
  slot.writeBigUInt64BE(BigInt(head.dataLength), 48);
  slot.writeBigUInt64BE(BigInt(head.ackedCount), 56);
  slot.writeBigUInt64BE(BigInt(head.ackedLength), 64);
  head.headHash.copy(slot, 72, 0, 32);
  slot.writeUInt32BE(crc32(slot.subarray(0, SLOT_CHECKED_BYTES)), SLOT_CHECKED_BYTES);
  return slot;
}

/** The head a slot commits, or why the slot is not usable. */
export function decodeSlot(slot: Buffer): SpoolHead | string {
  if (slot.length < SLOT_SIZE) return 'is shorter than a header slot';
  if (slot.every((byte) => byte === 0)) return 'is empty';
  if (!slot.subarray(0, 8).equals(SPOOL_MAGIC)) return 'does not start with MCPSPOOL';
  if (slot.readUInt32BE(SLOT_CHECKED_BYTES) !== crc32(slot.subarray(0, SLOT_CHECKED_BYTES))) {
    return 'fails its checksum';
  }
  const version = slot.readUInt16BE(8);
  if (version !== SPOOL_FORMAT_VERSION) return `has format version ${version}, expected 1`;
  const number = (offset: number): number => Number(slot.readBigUInt64BE(offset));
  return {
    generation: number(16),
    nonce: Buffer.from(slot.subarray(24, 40)),
    recordCount: number(40),
    dataLength: number(48),
    ackedCount: number(56),
    ackedLength: number(64),
    headHash: Buffer.from(slot.subarray(72, 104)),
  };
}

export function genesisHash(nonce: Buffer): Buffer {
  return createHash('sha256').update(CHAIN_DOMAIN).update(nonce).digest();
}

export function chainHash(previous: Buffer, lengthBytes: Buffer, payload: Buffer): Buffer {
  return createHash('sha256').update(previous).update(lengthBytes).update(payload).digest();
}

/** One record's bytes and the chain hash it ends with. */
export function encodeRecord(previous: Buffer, payload: Buffer): { bytes: Buffer; hash: Buffer } {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(payload.length, 0);
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32BE(crc32(length, payload), 0);
  const hash = chainHash(previous, length, payload);
  return { bytes: Buffer.concat([length, checksum, payload, hash]), hash };
}

export function encodePayload(partitionKey: string, body: Buffer): Buffer {
  const key = Buffer.from(partitionKey, 'utf8');
  if (key.length > 0xffff) {
    throw new RangeError(`a partition key must be at most 65535 bytes, got ${key.length}`);
  }
  const prefix = Buffer.alloc(3);
  prefix.writeUInt8(PAYLOAD_VERSION, 0);
  prefix.writeUInt16BE(key.length, 1);
  return Buffer.concat([prefix, key, body]);
}

/** The partition key and event body of a payload, or why it cannot be one. */
export function decodePayload(payload: Buffer): { partitionKey: string; body: Buffer } | string {
  if (payload.length < 3) return `payload of ${payload.length} bytes is shorter than its prefix`;
  if (payload[0] !== PAYLOAD_VERSION) return `payload version ${payload[0]} is not 1`;
  const keyLength = payload.readUInt16BE(1);
  if (3 + keyLength > payload.length)
    return `partition key length ${keyLength} overruns the payload`;
  return {
    partitionKey: payload.subarray(3, 3 + keyLength).toString('utf8'),
    body: Buffer.from(payload.subarray(3 + keyLength)),
  };
}

/** Checks the part of a record before its chain hash: the length bytes and payload against the CRC. */
export function checksumMatches(header: Buffer, payload: Buffer): boolean {
  return header.readUInt32BE(4) === crc32(header.subarray(0, 4), payload);
}
