import eventSchema from '../../schema/audit-event.v1.json';

/** schema/audit-event.v1.json as parsed JSON: the one definition of the event contract. */
export const AUDIT_EVENT_SCHEMA = eventSchema;
