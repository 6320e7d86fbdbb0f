import type { SizedAction } from '../store/table-batch';
import { toHotEntity } from '../store/hot-entity';
import { hourStart, segmentBlobName } from '../store/names';
import { encodeFrame, type FrameRecord } from '../store/segment-format';
import type { PreparedEvent } from './prepare';
import { encodeRecordWithLeafHash, type AuditRecord } from './record';

/** Which retention class an event belongs to, and the tags a segment of that class carries. */
export interface Retention {
  classify(tenant: string, eventType: string): string;
  segmentTags(
    tenant: string,
    retentionClass: string,
    hourStart: Date,
    eventTypes: readonly string[],
  ): Record<string, string>;
}

export interface SegmentWrite {
  blobName: string;
  tenant: string;
  /** Blob index tags selecting the segment's lifecycle rules. */
  tags: Record<string, string>;
  records: FrameRecord[];
  /** The frame of all `records`, encoded once here (the common case: nothing of it archived yet). */
  frame: Buffer;
}

/** Everything one batch writes for its accepted events, built without I/O. */
export interface WriteSet {
  /** Hot-store upserts grouped by partition key (one entity-group transaction never spans two). */
  entities: Map<string, SizedAction[]>;
  segments: SegmentWrite[];
  /** Leaf hashes in log-index order, starting at `firstIndex`. */
  leafHashes: Buffer[];
  firstIndex: number;
  /** Log index of each accepted event, in the order given. */
  indexes: number[];
}

/**
 * Gives each accepted event its log index (consecutive from `firstIndex`, in delivery order), builds its
 * record, canonical bytes and leaf hash, its hot-store row and its archive frame.
 * Precondition: `accepted` is sorted by sequence number and all belong to `partitionId`.
 */
export function buildWriteSet(
  accepted: readonly PreparedEvent[],
  partitionId: string,
  firstIndex: number,
  region: string | undefined,
  retention: Retention,
): WriteSet {
  const entities = new Map<string, SizedAction[]>();
  const segmentRecords = new Map<
    string,
    {
      tenant: string;
      retentionClass: string;
      hour: Date;
      eventTypes: Set<string>;
      records: FrameRecord[];
    }
  >();
  const leafHashes: Buffer[] = [];
  const indexes: number[] = [];
  accepted.forEach((item, position) => {
    const index = firstIndex + position;
    const record: AuditRecord = {
      v: 1,
      event: item.event,
      derived: item.facts,
      ...(item.redacted.length > 0 ? { redacted: item.redacted } : {}),
      log: {
        ...(region === undefined ? {} : { region }),
        partition: partitionId,
        index,
        sequenceNumber: item.delivered.sequenceNumber,
        enqueuedTime: item.delivered.enqueuedTime.toISOString(),
      },
    };
    const { bytes, leafHash } = encodeRecordWithLeafHash(record);
    leafHashes.push(leafHash);
    indexes.push(index);

    const { entity, bytes: estimate } = toHotEntity(
      item.eventPartitionKey,
      item.eventRowKey,
      record,
      bytes,
      leafHash,
    );
    const group = entities.get(item.eventPartitionKey);
    const action: SizedAction = { action: ['upsert', entity, 'Replace'], bytes: estimate };
    if (group) group.push(action);
    else entities.set(item.eventPartitionKey, [action]);

    const tenant = item.event.tenantid;
    const retentionClass = retention.classify(tenant, item.event.type);
    const blobName = segmentBlobName(
      tenant,
      partitionId,
      item.delivered.enqueuedTime,
      retentionClass,
    );
    const segment = segmentRecords.get(blobName);
    if (segment) {
      segment.records.push({ logIndex: index, bytes });
      segment.eventTypes.add(item.event.type);
    } else {
      segmentRecords.set(blobName, {
        tenant,
        retentionClass,
        hour: hourStart(item.delivered.enqueuedTime),
        eventTypes: new Set([item.event.type]),
        records: [{ logIndex: index, bytes }],
      });
    }
  });
  const segments: SegmentWrite[] = [];
  for (const [blobName, { tenant, retentionClass, hour, eventTypes, records }] of segmentRecords) {
    const tags = retention.segmentTags(tenant, retentionClass, hour, [...eventTypes]);
    segments.push({ blobName, tenant, tags, records, frame: encodeFrame(records) });
  }
  return { entities, segments, leafHashes, firstIndex, indexes };
}
