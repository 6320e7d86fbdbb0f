/** Public contract of the local Event Hubs endpoint. */

export interface LocalEventHubsOptions {
  /** Loopback address to listen on. Default 127.0.0.1. */
  host?: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  eventHubName: string;
  /** Partitions are named "0".."partitionCount-1". 1..1024. */
  partitionCount: number;
  /**
   * A further host name under which clients may name this endpoint in token audiences, for a
   * client whose connection string names e.g. `sb://audit-local.servicebus.windows.net` and that
   * reaches this endpoint through `customEndpointAddress`. Tokens naming `host` (or, when host is a
   * loopback address, `localhost`/`127.0.0.1`/`::1`) are always accepted.
   */
  namespace?: string;
  /** Shared access key name in the connection string and tokens. Default LOCAL_EVENT_HUBS_KEY_NAME. */
  sharedAccessKeyName?: string;
  /** Shared access key. Default LOCAL_EVENT_HUBS_KEY, so a restarted endpoint accepts the same connection string. */
  sharedAccessKey?: string;
  /**
   * Next sequence number per partition id (missing partitions start at 0), for a host restarting
   * on a data folder that already holds events numbered below these.
   */
  initialSequenceNumbers?: Record<string, number>;
  /**
   * Called for every received event, in order per partition; one call per partition per transfer
   * (a client batch reaches it as one call). The endpoint settles the AMQP delivery (accepted) only
   * after this promise resolves, so a producer's send resolves only when the event is durable; a
   * rejection is reported to the producer as a rejected disposition with an error condition.
   * Precondition: a rejection means none of the batch was stored, because the sequence numbers it
   * carried are handed out again to the next batch of that partition.
   */
  onEvents(batch: ReceivedEvent[]): Promise<void>;
}

export interface ReceivedEvent {
  partitionId: string;
  /** The `x-opt-partition-key` annotation, when the producer sent one. */
  partitionKey?: string;
  /** Exact bytes of the AMQP data section(s), or the JSON encoding of an amqp-value / amqp-sequence body. */
  body: Uint8Array;
  contentType?: string;
  /** AMQP application properties as decoded by rhea (strings, numbers, booleans, Dates, Buffers, null). */
  properties: Record<string, unknown>;
  /** AMQP message-id as text: strings as-is, numbers in decimal, UUIDs in 8-4-4-4-12 form, other binary in hex. */
  messageId?: string;
  enqueuedTimeUtc: Date;
  /** Per partition, from 0 (or initialSequenceNumbers), increasing by one. */
  sequenceNumber: number;
  /** Decimal text of the sequence number: offsets are opaque to consumers, and this one survives restarts. */
  offset: string;
}

export interface LocalEventHubs {
  readonly port: number;
  /** `Endpoint=sb://<host>:<port>;SharedAccessKeyName=…;SharedAccessKey=…;EntityPath=<hub>;UseDevelopmentEmulator=true` */
  readonly connectionString: string;
  /** Stops accepting, waits for in-flight onEvents calls to settle their deliveries, closes every connection. */
  close(): Promise<void>;
}
