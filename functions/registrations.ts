import type { Registration } from './registration-types';
import { coreRegistrations } from './core';
import { sentinelRegistrations } from './sentinel';
import { lifecycleRegistrations } from './lifecycle';
import { subscriptionRegistrations } from './subscriptions';
import { integrityRegistrations } from './integrity';

export type {
  EventHubRegistration,
  HttpRegistration,
  Registration,
  TimerRegistration,
} from './registration-types';
export { INGEST_RETRY } from './core';

/**
 * Every Azure Function of the app, declared once. functions/index.ts hands each entry to `app.*`; the local
 * host reads the same list to serve the same routes and run the same triggers, so the two cannot drift.
 * Each area declares its functions in its own module; this list joins them.
 */
export const registrations: readonly Registration[] = [
  ...coreRegistrations,
  ...sentinelRegistrations,
  ...subscriptionRegistrations,
  ...lifecycleRegistrations,
  ...integrityRegistrations,
];
