import type {
  HttpHandler,
  HttpMethod,
  InvocationContext,
  RetryOptions,
  TimerHandler,
} from '@azure/functions';
import type { EventOutcome } from '../src/pipeline/delivered';

/** The shapes of the registration table (functions/registrations.ts). */
export interface EventHubRegistration {
  kind: 'eventHub';
  name: string;
  /** Names of app settings (binding expressions), never the values themselves. */
  connection: string;
  eventHubName: string;
  consumerGroup: string;
  retry: RetryOptions;
  /**
   * The ingest trigger resolves with each event's outcome (the local host reports them to HTTP callers);
   * other consumers resolve with nothing. The Functions host ignores the value.
   */
  handler: (messages: unknown, context: InvocationContext) => Promise<EventOutcome[] | void>;
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
