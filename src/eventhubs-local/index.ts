/**
 * A local AMQP 1.0 endpoint that speaks the Event Hubs protocol to publishers, standing in for
 * Azure Event Hubs where no emulator is available. See docs/eventhubs-local.md.
 */
export { startLocalEventHubs } from './endpoint';
export { partitionForKey } from './partition-key';
export {
  LOCAL_EVENT_HUBS_KEY,
  LOCAL_EVENT_HUBS_KEY_NAME,
  LocalEventHubsOptionError,
} from './options';
export type { LocalEventHubs, LocalEventHubsOptions, ReceivedEvent } from './types';
