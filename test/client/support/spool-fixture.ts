/** Builds spool files for the spool tests and rewrites their bytes the way the tamper vectors say. */
import { mkdtempSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Spool } from '../../../client/spool/spool';
import { crc32 } from '../../../client/spool/crc32';
import {
  chainHash,
  DATA_START,
  decodeSlot,
  genesisHash,
  SLOT_SIZE,
  type SpoolHead,
} from '../../../client/spool/format';

export function temporaryDirectory(): string {
  return mkdtempSync(path.join(tmpdir(), 'audit-spool-'));
}

export function entry(n: number, key = 'contoso') {
  return { partitionKey: key, body: Buffer.from(`{"n":${n}}`) };
}

/** A new spool holding the fixture's four records, closed; resolves with its path. */
export async function fixtureSpool(directory: string): Promise<string> {
  const file = path.join(directory, 'fixture.spool');
  const spool = await Spool.open({ path: file });
  await spool.append([0, 1, 2, 3].map((n) => entry(n)));
  await spool.close();
  return file;
}

export type Mutation =
  | { kind: 'truncate'; size: number }
  | { kind: 'flip'; offset: number }
  | { kind: 'set-u32'; offset: number; value: number }
  | { kind: 'edit-payload'; record: number; at: number; byte: number }
  | { kind: 'reforge'; record: number; at: number; byte: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'remove'; record: number }
  | { kind: 'duplicate'; record: number }
  | { kind: 'flip-both-slots' };

/** Records of a spool file as [start, end) byte ranges, read by their length prefixes. */
function recordRanges(bytes: Buffer): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (let at = DATA_START; at + 8 <= bytes.length;) {
    const end = at + 40 + bytes.readUInt32BE(at);
    ranges.push([at, end]);
    at = end;
  }
  return ranges;
}

export function committedHead(bytes: Buffer): SpoolHead {
  const slots = [0, 1].map((i) => decodeSlot(bytes.subarray(i * SLOT_SIZE, (i + 1) * SLOT_SIZE)));
  const valid = slots.filter((slot): slot is SpoolHead => typeof slot !== 'string');
  return valid.reduce((x, y) => (y.generation > x.generation ? y : x));
}

/** Rewrites a record's payload byte and its checksum, leaving its chain hash as it was. */
function editPayload(bytes: Buffer, start: number, at: number, byte: number): void {
  const length = bytes.readUInt32BE(start);
  bytes[start + 8 + at] = byte;
  bytes.writeUInt32BE(
    crc32(bytes.subarray(start, start + 4), bytes.subarray(start + 8, start + 8 + length)),
    start + 4,
  );
}

export function mutate(original: Buffer, mutation: Mutation): Buffer {
  const bytes = Buffer.from(original);
  const ranges = recordRanges(bytes);
  const range = (i: number) => ranges[i] as [number, number];
  switch (mutation.kind) {
    case 'truncate':
      return bytes.subarray(0, mutation.size);
    case 'flip':
      bytes[mutation.offset] = (bytes[mutation.offset] as number) ^ 0x01;
      return bytes;
    case 'set-u32':
      bytes.writeUInt32BE(mutation.value, mutation.offset);
      return bytes;
    case 'edit-payload':
      editPayload(bytes, range(mutation.record)[0], mutation.at, mutation.byte);
      return bytes;
    case 'reforge': {
      // An editor who knows the format: edits a payload and recomputes every checksum and chain
      // hash from there on. Only the header's head hash still remembers the original.
      editPayload(bytes, range(mutation.record)[0], mutation.at, mutation.byte);
      let hash = genesisHash(committedHead(bytes).nonce);
      for (const [start, end] of ranges) {
        const length = bytes.readUInt32BE(start);
        hash = chainHash(
          hash,
          bytes.subarray(start, start + 4),
          bytes.subarray(start + 8, start + 8 + length),
        );
        hash.copy(bytes, end - 32);
      }
      return bytes;
    }
    case 'swap': {
      const [a, b] = [range(mutation.a), range(mutation.b)];
      const first = Buffer.from(bytes.subarray(...a));
      const second = Buffer.from(bytes.subarray(...b));
      return Buffer.concat([
        bytes.subarray(0, a[0]),
        second,
        bytes.subarray(a[1], b[0]),
        first,
        bytes.subarray(b[1]),
      ]);
    }
    case 'remove': {
      const [start, end] = range(mutation.record);
      return Buffer.concat([bytes.subarray(0, start), bytes.subarray(end)]);
    }
    case 'duplicate': {
      const [start, end] = range(mutation.record);
      return Buffer.concat([
        bytes.subarray(0, end),
        bytes.subarray(start, end),
        bytes.subarray(end),
      ]);
    }
    case 'flip-both-slots':
      bytes[20] = (bytes[20] as number) ^ 0xff;
      bytes[SLOT_SIZE + 20] = (bytes[SLOT_SIZE + 20] as number) ^ 0xff;
      return bytes;
  }
}

export async function rewrite(file: string, change: (bytes: Buffer) => Buffer): Promise<void> {
  await writeFile(file, change(await readFile(file)));
}
