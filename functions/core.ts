import type { RetryOptions } from '@azure/functions';
import type { Registration } from './registration-types';
import { ingestEventHubBatch } from './ingest';
import { httpTrigger } from './http';
import { getEvent, listEvents, postEvents } from '../src/http/events';
import { getDeadLetters } from '../src/http/deadletters';
import { getHealth } from '../src/http/health';

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

/** Ingest and the core HTTP API. */
export const coreRegistrations: readonly Registration[] = [
  {
    kind: 'eventHub',
    name: 'ingest',
    connection: 'EVENTHUB_CONNECTION',
    eventHubName: '%EVENTHUB_NAME%',
    consumerGroup: '%EVENTHUB_CONSUMER_GROUP%',
    retry: INGEST_RETRY,
    handler: ingestEventHubBatch,
  },
  {
    kind: 'http',
    name: 'postEvents',
    route: 'events',
    methods: ['POST'],
    authLevel: 'function',
    handler: httpTrigger(postEvents),
  },
  {
    kind: 'http',
    name: 'listEvents',
    route: 'events',
    methods: ['GET'],
    authLevel: 'function',
    handler: httpTrigger(listEvents),
  },
  {
    kind: 'http',
    name: 'getEvent',
    route: 'events/{id}',
    methods: ['GET'],
    authLevel: 'function',
    handler: httpTrigger(getEvent),
  },
  {
    kind: 'http',
    name: 'listDeadLetters',
    route: 'deadletters',
    methods: ['GET'],
    authLevel: 'function',
    handler: httpTrigger(getDeadLetters),
  },
  {
    kind: 'http',
    name: 'health',
    route: 'health',
    methods: ['GET'],
    authLevel: 'anonymous',
    handler: httpTrigger(getHealth),
  },
];
