import type { HttpHandler, HttpMethod, InvocationContext, RetryOptions, TimerHandler } from '@azure/functions';
import type { EventOutcome } from '../src/pipeline/delivered';
import { ingestEventHubBatch } from './ingest';
import { httpTrigger } from './http';
import { getEvent, listEvents, postEvents } from '../src/http/events';
import { getDeadLetters } from '../src/http/deadletters';
import { getHealth } from '../src/http/health';

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
  /** Resolves with each event's outcome (the local host reports them); the Functions host ignores them. */
  handler: (messages: unknown, context: InvocationContext) => Promise<EventOutcome[]>;
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
  { kind: 'http', name: 'postEvents', route: 'events', methods: ['POST'], authLevel: 'function', handler: httpTrigger(postEvents) },
  { kind: 'http', name: 'listEvents', route: 'events', methods: ['GET'], authLevel: 'function', handler: httpTrigger(listEvents) },
  { kind: 'http', name: 'getEvent', route: 'events/{id}', methods: ['GET'], authLevel: 'function', handler: httpTrigger(getEvent) },
  {
    kind: 'http',
    name: 'listDeadLetters',
    route: 'deadletters',
    methods: ['GET'],
    authLevel: 'function',
    handler: httpTrigger(getDeadLetters),
  },
  { kind: 'http', name: 'health', route: 'health', methods: ['GET'], authLevel: 'anonymous', handler: httpTrigger(getHealth) },
];
