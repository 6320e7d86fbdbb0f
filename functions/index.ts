import { app, trigger } from '@azure/functions';
import { registrations } from './registrations';

/**
 * The Functions entry point: registers every function of the registration table. Outside the Functions
 * host `app.*` registers nothing (the library switches to test mode); the local host reads the same table.
 */
for (const registration of registrations) {
  switch (registration.kind) {
    case 'eventHub':
      app.generic(registration.name, {
        trigger: trigger.generic({
          type: 'eventHubTrigger',
          connection: registration.connection,
          eventHubName: registration.eventHubName,
          consumerGroup: registration.consumerGroup,
          cardinality: 'many',
          // Bodies as bytes: dead letters keep the original bytes and leaf hashes never depend on a
          // host-side JSON round trip.
          dataType: 'binary',
        }),
        retry: registration.retry,
        handler: async (messages: unknown, context) => {
          await registration.handler(messages, context);
        },
      });
      break;
    case 'http':
      app.http(registration.name, {
        route: registration.route,
        methods: registration.methods,
        authLevel: registration.authLevel,
        handler: registration.handler,
      });
      break;
    case 'timer':
      app.timer(registration.name, {
        schedule: registration.schedule,
        ...(registration.retry ? { retry: registration.retry } : {}),
        handler: registration.handler,
      });
      break;
  }
}
