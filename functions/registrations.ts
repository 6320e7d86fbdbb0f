import type {
  EventHubHandler,
  HttpHandler,
  HttpMethod,
  RetryOptions,
  TimerHandler,
} from '@azure/functions';
import { ingestEventHubBatch } from './ingest';

/**
 * Every Azure Function of the app, declared once. functions/index.ts hands each entry to `app.*`; the local
 * host reads the same list to serve the same routes and run the same triggers, so the two cannot drift.
 */
export interface EventHubRegistration {
  kind: 'eventHub';
  name: string;
  /** Names of app settings (binding expressions), never the values themselves. */
  connection: string;
  eventHubName: string;
  consumerGroup: string;
  retry: RetryOptions;
  handler: EventHubHandler;
}

export interface HttpRegistration {
  kind: 'http';
  name: string;
  route: string;
  methods: HttpMethod[];
  authLevel: 'anonymous' | 'function' | 'admin';
  handler: HttpHandler;
}

export interface TimerRegistration {
  kind: 'timer';
  name: string;
  schedule: string;
  retry?: RetryOptions;
  handler: TimerHandler;
}

export type Registration = EventHubRegistration | HttpRegistration | TimerRegistration;

/**
 * The Event Hubs trigger checkpoints even when the function throws, so a failed batch would be skipped
 * without a retry policy (Azure/Azure-Functions#947). Unlimited exponential backoff: a batch is retried
 * until every event in it is durably accepted or dead-lettered.
 */
export const INGEST_RETRY: RetryOptions = {
  strategy: 'exponentialBackoff',
  maxRetryCount: -1,
  minimumInterval: { seconds: 2 },
  maximumInterval: { minutes: 5 },
};

export const registrations: readonly Registration[] = [
  {
    kind: 'eventHub',
    name: 'ingest',
    connection: 'EVENTHUB_CONNECTION',
    eventHubName: '%EVENTHUB_NAME%',
    consumerGroup: '%EVENTHUB_CONSUMER_GROUP%',
    retry: INGEST_RETRY,
    handler: ingestEventHubBatch,
  },
];
