import type { ContainerClient } from '@azure/storage-blob';
import { deadLetterBlobName, UNKNOWN_TENANT } from './names';

export interface DeadLetterReason {
  code: string;
  pointer: string;
  message: string;
}

export interface DeadLetter {
  /** The tenant the event claimed, when well formed; otherwise it is filed under `_unknown`. */
  tenant: string | undefined;
  partitionId: string;
  sequenceNumber: number;
  offset: string;
  enqueuedTime: Date;
  reason: DeadLetterReason;
  /** The original bytes exactly as delivered. */
  body: Uint8Array;
}

/** The stored document: the reason and coordinates beside the original bytes (base64, so any bytes survive). */
export interface DeadLetterDocument {
  tenant: string;
  partitionId: string;
  sequenceNumber: number;
  offset: string;
  enqueuedTime: string;
  deadLetteredAt: string;
  reason: DeadLetterReason;
  bodyBase64: string;
  bodyBytes: number;
}

/**
 * Keeps a rejected event. The blob name is derived from the Event Hubs coordinates, so a redelivered
 * batch overwrites the same blob instead of filing the event twice.
 */
export async function writeDeadLetter(
  container: ContainerClient,
  letter: DeadLetter,
  now: Date,
): Promise<string> {
  const tenant = letter.tenant ?? UNKNOWN_TENANT;
  const name = deadLetterBlobName(
    tenant,
    letter.partitionId,
    letter.sequenceNumber,
    letter.enqueuedTime,
  );
  const document: DeadLetterDocument = {
    tenant,
    partitionId: letter.partitionId,
    sequenceNumber: letter.sequenceNumber,
    offset: letter.offset,
    enqueuedTime: letter.enqueuedTime.toISOString(),
    deadLetteredAt: now.toISOString(),
    reason: letter.reason,
    bodyBase64: Buffer.from(letter.body).toString('base64'),
    bodyBytes: letter.body.length,
  };
  const text = JSON.stringify(document);
  await container.getBlockBlobClient(name).upload(text, Buffer.byteLength(text), {
    blobHTTPHeaders: { blobContentType: 'application/json' },
    metadata: { reasoncode: letter.reason.code },
  });
  return name;
}

export interface DeadLetterQuery {
  /** Tenants the caller may read; undefined means all (an admin key). */
  tenants: readonly string[] | undefined;
  from?: Date;
  to?: Date;
  limit: number;
}

/** Lists dead letters, newest hours last, reading only the tenants' prefixes. */
export async function listDeadLetters(
  container: ContainerClient,
  query: DeadLetterQuery,
): Promise<DeadLetterDocument[]> {
  const prefixes = query.tenants === undefined ? [''] : query.tenants.map((tenant) => `${tenant}/`);
  const found: DeadLetterDocument[] = [];
  for (const prefix of prefixes) {
    for await (const item of container.listBlobsFlat({ prefix })) {
      const hour = hourOfDeadLetterName(item.name);
      if (hour === undefined) continue;
      if (query.from && hour.getTime() + 3_600_000 <= query.from.getTime()) continue;
      if (query.to && hour.getTime() > query.to.getTime()) continue;
      const body = await container.getBlockBlobClient(item.name).downloadToBuffer();
      const document = JSON.parse(body.toString('utf8')) as DeadLetterDocument;
      const enqueued = new Date(document.enqueuedTime);
      if (query.from && enqueued < query.from) continue;
      if (query.to && enqueued >= query.to) continue;
      found.push(document);
      if (found.length >= query.limit) return found;
    }
  }
  return found;
}

function hourOfDeadLetterName(name: string): Date | undefined {
  const match = /^[^/]+\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\//.exec(name);
  if (!match) return undefined;
  return new Date(
    Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4])),
  );
}
