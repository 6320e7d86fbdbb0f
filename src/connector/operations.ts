import { EVENT_TYPES, FILTER_PARAMETERS, QUERY_FIELDS } from '../query/ql';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../http/events';
import type { SwaggerSchema } from './schema-convert';

/**
 * The connector (Power Automate, Logic Apps) in one description: every operation it offers, and every
 * HTTP route of the app it deliberately leaves out, with the reason. The Swagger definition and its
 * connection properties are generated from this (src/connector/generate.ts), and a test checks it
 * against the registration table (functions/registrations.ts): a route added without a decision here, or
 * an operation whose route is gone, fails it.
 */

export type Visibility = 'important' | 'advanced' | 'internal';

export interface ParameterSpec {
  name: string;
  in: 'query' | 'path' | 'body';
  /** x-ms-summary: the label a flow author sees. */
  summary: string;
  description: string;
  visibility: Visibility;
  required?: boolean;
  type?: 'string' | 'integer';
  format?: string;
  enum?: readonly string[];
  default?: string | number;
  minimum?: number;
  maximum?: number;
  /** For `in: body`: the request schema. */
  schema?: SwaggerSchema;
}

export interface ResponseSpec {
  description: string;
  schema?: SwaggerSchema;
  headers?: Record<string, { type: 'string'; description: string }>;
}

export interface OperationSpec {
  /** PascalCase, unique: what Power Automate and Logic Apps key the action by. */
  operationId: string;
  method: 'get' | 'post' | 'delete';
  /** Below the base path `/api`, in route-template form: `/events/{id}`. */
  path: string;
  summary: string;
  description: string;
  visibility: Visibility;
  parameters: readonly ParameterSpec[];
  responses: Readonly<Record<string, ResponseSpec>>;
  /** A webhook trigger: the platform registers its callback with this operation. */
  trigger?: { kind: 'single' | 'batch'; hint: string };
  /** The list answers with a `nextLink` to the next page. */
  pageable?: boolean;
}

/** An HTTP route of the app that the connector leaves out on purpose. */
export interface ExcludedRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  route: string;
  reason: string;
}

const ref = (name: string): SwaggerSchema => ({ $ref: `#/definitions/${name}` });
const problemResponse: ResponseSpec = {
  description: 'The request could not be served; the body says why.',
  schema: ref('Problem'),
};

const tenantParameter = (description: string): ParameterSpec => ({
  name: 'tenant',
  in: 'query',
  summary: 'Tenant',
  description,
  visibility: 'advanced',
  type: 'string',
});

const limitParameter: ParameterSpec = {
  name: 'limit',
  in: 'query',
  summary: 'Page size',
  description: `How many items one page holds, 1 to ${MAX_LIMIT}.`,
  visibility: 'advanced',
  type: 'integer',
  format: 'int32',
  default: DEFAULT_LIMIT,
  minimum: 1,
  maximum: MAX_LIMIT,
};

const continuationParameter: ParameterSpec = {
  name: 'continuationToken',
  in: 'query',
  summary: 'Continuation token',
  description:
    'Where the previous page stopped, as it returned it. Leave empty for the first page.',
  visibility: 'advanced',
  type: 'string',
};

const idParameter = (what: string): ParameterSpec => ({
  name: 'id',
  in: 'path',
  summary: `${what} id`,
  description: `The id of the ${what.toLowerCase()}.`,
  visibility: 'important',
  required: true,
  type: 'string',
});

function fieldValues(column: string): readonly string[] {
  const field = QUERY_FIELDS.find((f) => f.column === column);
  if (field?.values === undefined) throw new Error(`query field of column ${column} has no values`);
  return field.values;
}

/** The filter parameters of GET /api/events, in FILTER_PARAMETERS order. */
const EVENT_FILTERS: Record<(typeof FILTER_PARAMETERS)[number], ParameterSpec> = {
  from: {
    name: 'from',
    in: 'query',
    summary: 'From',
    description:
      'Earliest event time, inclusive: an RFC 3339 time or a span back from now such as 24h or 7d.',
    visibility: 'important',
    type: 'string',
  },
  to: {
    name: 'to',
    in: 'query',
    summary: 'To',
    description: 'Latest event time, exclusive: an RFC 3339 time or a span back from now.',
    visibility: 'advanced',
    type: 'string',
  },
  tenant: tenantParameter('Only this tenant (the key must be allowed to read it).'),
  actor: {
    name: 'actor',
    in: 'query',
    summary: 'Actor',
    description: 'Id of the user, agent or service that acted.',
    visibility: 'important',
    type: 'string',
  },
  database: {
    name: 'database',
    in: 'query',
    summary: 'Database',
    description: 'Target database.',
    visibility: 'important',
    type: 'string',
  },
  tool: {
    name: 'tool',
    in: 'query',
    summary: 'Tool',
    description: 'MCP tool name.',
    visibility: 'advanced',
    type: 'string',
  },
  status: {
    name: 'status',
    in: 'query',
    summary: 'Outcome',
    description: 'How the action ended.',
    visibility: 'advanced',
    type: 'string',
    enum: fieldValues('status'),
  },
  type: {
    name: 'type',
    in: 'query',
    summary: 'Event type',
    description: 'CloudEvents type of the event.',
    visibility: 'advanced',
    type: 'string',
    enum: EVENT_TYPES,
  },
  session: {
    name: 'session',
    in: 'query',
    summary: 'Session',
    description: 'MCP session id.',
    visibility: 'advanced',
    type: 'string',
  },
  q: {
    name: 'q',
    in: 'query',
    summary: 'Query',
    description:
      'A query in the audit query language, AND-ed with the other filters, e.g. actor:agent-7 AND rows>1000.',
    visibility: 'important',
    type: 'string',
  },
};

export const OPERATIONS: readonly OperationSpec[] = [
  {
    operationId: 'QueryEvents',
    method: 'get',
    path: '/events',
    summary: 'Query audit events',
    description:
      'Finds audit events of the tenants the connection may read, in time order within each tenant, filtered by time, actor, database, tool, outcome, type, session and the query language.',
    visibility: 'important',
    parameters: [
      ...FILTER_PARAMETERS.map((name) => EVENT_FILTERS[name]),
      limitParameter,
      continuationParameter,
    ],
    responses: {
      '200': { description: 'A page of events.', schema: ref('EventPage') },
      default: problemResponse,
    },
    pageable: true,
  },
  {
    operationId: 'GetEvent',
    method: 'get',
    path: '/events/{id}',
    summary: 'Get an audit event',
    description:
      'Returns one audit event by its CloudEvents id, with its stored record and leaf hash.',
    visibility: 'important',
    parameters: [
      idParameter('Event'),
      tenantParameter('The tenant of the event, when the connection may read several.'),
    ],
    responses: {
      '200': { description: 'The event.', schema: ref('Event') },
      default: problemResponse,
    },
  },
  {
    operationId: 'ListDeadLetters',
    method: 'get',
    path: '/deadletters',
    summary: 'List rejected events',
    description:
      'Lists events the audit log rejected (dead letters), with the reason and the Event Hubs coordinates of each, oldest first within each tenant.',
    visibility: 'advanced',
    parameters: [
      {
        ...EVENT_FILTERS.from,
        description:
          'Earliest time Event Hubs received the event, inclusive: an RFC 3339 time or a span such as 24h.',
      },
      {
        ...EVENT_FILTERS.to,
        description:
          'Latest time Event Hubs received the event, exclusive: an RFC 3339 time or a span such as 1h.',
      },
      limitParameter,
    ],
    responses: {
      '200': { description: 'Rejected events.', schema: ref('DeadLetterList') },
      default: problemResponse,
    },
  },
  {
    operationId: 'GetInclusionProof',
    method: 'get',
    path: '/events/{id}/proof',
    summary: 'Get the inclusion proof of an event',
    description:
      'Returns a self-contained proof that an event is in the signed log: its record, leaf hash, inclusion proof and the signed checkpoint, verifiable offline with the public keys. Answers 202 until a checkpoint covers the event.',
    visibility: 'advanced',
    parameters: [
      idParameter('Event'),
      tenantParameter('The tenant of the event, when the connection may read several.'),
    ],
    responses: {
      '200': { description: 'The proof document.', schema: ref('InclusionProof') },
      '202': {
        description: 'No signed checkpoint covers the event yet; retry after Retry-After seconds.',
        schema: ref('NotYetSealed'),
      },
      default: problemResponse,
    },
  },
  {
    operationId: 'VerifyRange',
    method: 'post',
    path: '/verify',
    summary: 'Verify the audit log',
    description:
      "Checks that the connection's events are unaltered and complete against the signed checkpoints, optionally only those enqueued in a time range, and names the first bad position if any.",
    visibility: 'advanced',
    parameters: [
      {
        name: 'body',
        in: 'body',
        summary: 'Scope',
        description: 'What to verify; every field is optional.',
        visibility: 'important',
        required: false,
        schema: ref('VerifyRequest'),
      },
    ],
    responses: {
      '200': {
        description: 'The verification report; ok says the verdict.',
        schema: ref('VerificationReport'),
      },
      default: problemResponse,
    },
  },
  {
    operationId: 'OnMatchingAuditEvent',
    method: 'post',
    path: '/subscriptions',
    summary: 'When a matching audit event arrives',
    description:
      'Triggers for each newly accepted audit event that matches the filter. Saving the flow subscribes its callback; removing the flow deletes the subscription.',
    visibility: 'important',
    trigger: {
      kind: 'single',
      hint: 'To see it work, send an audit event that matches the filter.',
    },
    parameters: [
      {
        name: 'body',
        in: 'body',
        summary: 'Subscription',
        description: 'What to watch for and where to send it.',
        visibility: 'important',
        required: true,
        schema: ref('SubscriptionRequest'),
      },
    ],
    responses: {
      '201': {
        description:
          'Subscribed. The Location header names the subscription; each delivery has this shape.',
        headers: {
          Location: {
            type: 'string',
            description: 'URL of the subscription; DELETE it to unsubscribe.',
          },
        },
        schema: ref('WebhookDelivery'),
      },
      default: problemResponse,
    },
  },
  {
    operationId: 'DeleteSubscription',
    method: 'delete',
    path: '/subscriptions/{id}',
    summary: 'Delete a subscription',
    description:
      'Stops the deliveries of a subscription and drops the ones still pending or failed.',
    visibility: 'internal',
    parameters: [{ ...idParameter('Subscription'), visibility: 'internal' }],
    responses: { '204': { description: 'Deleted.' }, default: problemResponse },
  },
  {
    operationId: 'ListSubscriptions',
    method: 'get',
    path: '/subscriptions',
    summary: 'List subscriptions',
    description:
      'Lists the webhook subscriptions of the tenants the connection may use, without their secrets.',
    visibility: 'advanced',
    parameters: [tenantParameter('Only the subscriptions of this tenant.')],
    responses: {
      '200': { description: 'The subscriptions.', schema: ref('SubscriptionList') },
      default: problemResponse,
    },
  },
  {
    operationId: 'GetSubscription',
    method: 'get',
    path: '/subscriptions/{id}',
    summary: 'Get a subscription',
    description: 'Returns one webhook subscription, without its secret.',
    visibility: 'advanced',
    parameters: [idParameter('Subscription'), tenantParameter('The tenant of the subscription.')],
    responses: {
      '200': { description: 'The subscription.', schema: ref('Subscription') },
      default: problemResponse,
    },
  },
  {
    operationId: 'ListFailedDeliveries',
    method: 'get',
    path: '/subscriptions/{id}/deadletters',
    summary: 'List failed deliveries',
    description:
      'Lists the deliveries of a subscription that failed every attempt, with the last error of each, in log order.',
    visibility: 'advanced',
    parameters: [idParameter('Subscription'), limitParameter, continuationParameter],
    responses: {
      '200': { description: 'A page of failed deliveries.', schema: ref('FailedDeliveryPage') },
      default: problemResponse,
    },
    pageable: true,
  },
];

export const EXCLUDED_ROUTES: readonly ExcludedRoute[] = [
  {
    method: 'POST',
    route: 'events',
    reason: 'ingest is for SQL MCP servers (the client library or Event Hubs), not for flows',
  },
  {
    method: 'GET',
    route: 'health',
    reason: 'an anonymous probe for monitoring, with no tenant data',
  },
  {
    method: 'GET',
    route: 'checkpoints',
    reason: 'signed checkpoints are material for offline verifiers; flows verify with VerifyRange',
  },
  {
    method: 'GET',
    route: 'checkpoints/consistency',
    reason: 'consistency proofs are material for offline verifiers; flows verify with VerifyRange',
  },
  { method: 'GET', route: 'keys', reason: 'the anonymous public key set, for offline verifiers' },
  {
    method: 'GET',
    route: 'holds',
    reason: 'legal holds are an administrator act, kept out of low-code flows',
  },
  {
    method: 'POST',
    route: 'holds',
    reason: 'legal holds are an administrator act, kept out of low-code flows',
  },
  {
    method: 'DELETE',
    route: 'holds/{id}',
    reason: 'legal holds are an administrator act, kept out of low-code flows',
  },
];

/** The connector's own schemas; the event itself comes from schema/audit-event.v1.json. */
export const DEFINITIONS: Readonly<Record<string, SwaggerSchema>> = {
  Problem: {
    type: 'object',
    description: 'What was wrong, where, and what to do.',
    properties: {
      error: { type: 'string', description: 'A stable code, e.g. invalid-query.' },
      message: { type: 'string', description: 'What was wrong and what to do.' },
    },
  },
  Event: {
    type: 'object',
    description: 'An audit event as stored: its record, and the leaf hash that proves it.',
    properties: {
      id: { type: 'string', description: 'CloudEvents id.' },
      tenant: { type: 'string', description: 'Tenant of the event.' },
      time: {
        type: 'string',
        format: 'date-time',
        description: 'When the audited action happened.',
      },
      type: { type: 'string', description: 'CloudEvents type.' },
      leafHash: { type: 'string', description: 'Hex SHA-256 leaf hash of the record (RFC 6962).' },
      record: ref('AuditRecord'),
    },
  },
  AuditRecord: {
    type: 'object',
    description: 'What the audit log stores for one accepted event.',
    properties: {
      v: { type: 'integer', description: 'Record format version.' },
      event: ref('AuditEvent'),
      derived: ref('DerivedFacts'),
      redacted: {
        type: 'array',
        items: { type: 'string' },
        description: 'JSON pointers of the fields redaction changed.',
      },
      log: ref('LogPosition'),
    },
  },
  DerivedFacts: {
    type: 'object',
    description: 'Facts the audit log derived from the statement.',
    properties: {
      statementKind: { type: 'string', description: 'Statement kind, sent or derived.' },
      statementKindDerived: {
        type: 'boolean',
        description: 'True when the kind was derived from the text.',
      },
      statementVerb: { type: 'string', description: 'First verb of the statement, upper-cased.' },
      fingerprint: { type: 'string', description: 'The statement with literals replaced.' },
      fingerprintId: { type: 'string', description: 'Short grouping key of the fingerprint.' },
    },
  },
  LogPosition: {
    type: 'object',
    description: 'Where the record sits in the tamper-evident log.',
    properties: {
      region: { type: 'string', description: 'Region whose log holds the record.' },
      partition: { type: 'string', description: 'Event Hubs partition.' },
      index: { type: 'integer', format: 'int64', description: 'Position in the partition log.' },
      sequenceNumber: {
        type: 'integer',
        format: 'int64',
        description: 'Event Hubs sequence number.',
      },
      enqueuedTime: {
        type: 'string',
        format: 'date-time',
        description: 'When Event Hubs received the event.',
      },
    },
  },
  EventPage: {
    type: 'object',
    description: 'A page of events.',
    properties: {
      events: { type: 'array', items: ref('Event'), description: 'The events of this page.' },
      continuationToken: {
        type: 'string',
        description: 'Pass it back to get the next page; absent on the last page.',
      },
      nextLink: { type: 'string', description: 'URL of the next page; absent on the last page.' },
    },
  },
  DeadLetter: {
    type: 'object',
    description: 'An event the audit log rejected, with the reason.',
    properties: {
      tenant: { type: 'string', description: 'Tenant the event claimed, or _unknown.' },
      partitionId: { type: 'string', description: 'Event Hubs partition.' },
      sequenceNumber: {
        type: 'integer',
        format: 'int64',
        description: 'Event Hubs sequence number.',
      },
      offset: { type: 'string', description: 'Event Hubs offset.' },
      enqueuedTime: {
        type: 'string',
        format: 'date-time',
        description: 'When Event Hubs received it.',
      },
      deadLetteredAt: { type: 'string', format: 'date-time', description: 'When it was rejected.' },
      reason: {
        type: 'object',
        description: 'Why it was rejected.',
        properties: {
          code: { type: 'string', description: 'Rejection code.' },
          pointer: { type: 'string', description: 'JSON pointer of the bad field.' },
          message: { type: 'string', description: 'What was wrong.' },
        },
      },
      bodyBase64: { type: 'string', description: 'The original bytes, base64.' },
      bodyBytes: { type: 'integer', description: 'Length of the original bytes.' },
    },
  },
  DeadLetterList: {
    type: 'object',
    description: 'Rejected events.',
    properties: {
      deadLetters: {
        type: 'array',
        items: ref('DeadLetter'),
        description: 'By tenant, oldest first.',
      },
    },
  },
  InclusionProof: {
    type: 'object',
    description: 'Everything needed to check offline that one record is in a signed checkpoint.',
    properties: {
      format: { type: 'string', description: 'Document format: sql-mcp-audit.inclusion-proof.v1.' },
      eventId: { type: 'string', description: 'CloudEvents id of the event.' },
      tenant: { type: 'string', description: 'Tenant of the event.' },
      region: { type: 'string', description: 'Region whose log holds the record.' },
      partition: { type: 'string', description: 'Event Hubs partition.' },
      logIndex: { type: 'integer', format: 'int64', description: 'Position in the partition log.' },
      record: { type: 'string', description: "The record's exact canonical bytes, base64." },
      leafHash: { type: 'string', description: 'SHA-256 of 0x00 and the record bytes, base64.' },
      treeSize: {
        type: 'integer',
        format: 'int64',
        description: 'Size of the tree the proof is for.',
      },
      inclusionProof: {
        type: 'array',
        items: { type: 'string' },
        description: 'RFC 6962 inclusion proof, base64 hashes.',
      },
      checkpoint: { type: 'string', description: 'The signed checkpoint note of treeSize.' },
    },
  },
  NotYetSealed: {
    type: 'object',
    description: 'The event is in the log, past the latest signed checkpoint.',
    properties: {
      error: { type: 'string', description: 'not-yet-sealed' },
      message: { type: 'string', description: 'When to retry.' },
      partition: { type: 'string', description: 'Event Hubs partition.' },
      logIndex: { type: 'integer', format: 'int64', description: 'Position in the partition log.' },
      latestCheckpointSize: {
        type: 'integer',
        format: 'int64',
        description: 'Size of the latest checkpoint, if any.',
      },
    },
  },
  VerifyRequest: {
    type: 'object',
    description:
      "The scope of a verification: a tenant's events (the connection's own by default), or for a key of every tenant the whole log or one partition.",
    properties: {
      tenant: {
        type: 'string',
        description: 'Tenant whose events to verify.',
        'x-ms-summary': 'Tenant',
        'x-ms-visibility': 'advanced',
      },
      partition: {
        type: 'string',
        description: 'One partition of the whole log (keys of every tenant only).',
        'x-ms-summary': 'Partition',
        'x-ms-visibility': 'advanced',
      },
      from: {
        type: 'string',
        format: 'date-time',
        description: 'Only events enqueued at or after this time.',
        'x-ms-summary': 'From',
        'x-ms-visibility': 'important',
      },
      to: {
        type: 'string',
        format: 'date-time',
        description: 'Only events enqueued before this time.',
        'x-ms-summary': 'To',
        'x-ms-visibility': 'important',
      },
    },
  },
  VerificationFailure: {
    type: 'object',
    description: 'One thing verification found wrong.',
    properties: {
      kind: { type: 'string', description: 'What is wrong, e.g. record-modified.' },
      partition: { type: 'string', description: 'Event Hubs partition.' },
      index: {
        type: 'integer',
        format: 'int64',
        description: 'Log index of the record concerned.',
      },
      eventId: { type: 'string', description: 'The event at that index, when readable.' },
      checkpointSize: {
        type: 'integer',
        format: 'int64',
        description: 'Tree size of the checkpoint concerned.',
      },
      message: { type: 'string', description: 'What differed.' },
      expected: { type: 'string', description: 'What was expected.' },
      actual: { type: 'string', description: 'What was found.' },
    },
  },
  VerificationReport: {
    type: 'object',
    description: 'What verification found.',
    properties: {
      ok: { type: 'boolean', description: 'True when nothing is wrong.' },
      scope: { type: 'string', description: 'log, export or tenant.' },
      region: { type: 'string', description: 'Region of the log.' },
      tenants: { type: 'array', items: { type: 'string' }, description: 'Tenants verified.' },
      partitions: {
        type: 'array',
        description: 'One report per partition.',
        items: {
          type: 'object',
          properties: {
            partition: { type: 'string', description: 'Event Hubs partition.' },
            origin: { type: 'string', description: 'Checkpoint origin of the partition log.' },
            ok: { type: 'boolean', description: 'True when nothing is wrong in it.' },
            records: { type: 'integer', description: 'Records checked.' },
            checkpoints: { type: 'integer', description: 'Checkpoints verified.' },
            latestCheckpointSize: {
              type: 'integer',
              format: 'int64',
              description: 'Size of the latest checkpoint.',
            },
            unsealed: { type: 'integer', description: 'Records past the latest checkpoint.' },
            keyIds: {
              type: 'array',
              items: { type: 'string' },
              description: 'Keys that signed its checkpoints.',
            },
            failures: {
              type: 'array',
              items: ref('VerificationFailure'),
              description: 'In order of position.',
            },
          },
        },
      },
      firstFailure: ref('VerificationFailure'),
      startedAt: { type: 'string', format: 'date-time', description: 'When verification started.' },
      durationMs: { type: 'integer', description: 'How long it took.' },
    },
  },
  SubscriptionRequest: {
    type: 'object',
    description: 'A webhook subscription to create.',
    required: ['callbackUrl'],
    properties: {
      callbackUrl: {
        type: 'string',
        description: 'Where deliveries are POSTed: https, on a public address.',
        'x-ms-notification-url': true,
        'x-ms-visibility': 'internal',
        'x-ms-summary': 'Callback URL',
      },
      filter: {
        type: 'string',
        description:
          'Which events to deliver, in the audit query language, e.g. status:denied OR kind:DDL. Empty: every event.',
        'x-ms-visibility': 'important',
        'x-ms-summary': 'Filter',
      },
      tenant: {
        type: 'string',
        description: 'Tenant to watch; needed when the connection may use several.',
        'x-ms-visibility': 'advanced',
        'x-ms-summary': 'Tenant',
      },
      description: {
        type: 'string',
        description: 'A note for whoever lists the subscriptions later.',
        'x-ms-visibility': 'advanced',
        'x-ms-summary': 'Description',
      },
    },
  },
  Subscription: {
    type: 'object',
    description: 'A webhook subscription, without its secret.',
    properties: {
      id: { type: 'string', description: 'Subscription id.' },
      tenant: { type: 'string', description: 'Tenant it watches.' },
      callbackUrl: { type: 'string', description: 'Where deliveries go, query values hidden.' },
      filter: { type: 'string', description: 'Which events it delivers.' },
      description: { type: 'string', description: 'The note given at creation.' },
      createdAt: { type: 'string', format: 'date-time', description: 'When it was created.' },
    },
  },
  SubscriptionList: {
    type: 'object',
    description: 'Subscriptions.',
    properties: {
      subscriptions: {
        type: 'array',
        items: ref('Subscription'),
        description: 'By tenant, oldest first.',
      },
    },
  },
  FailedDelivery: {
    type: 'object',
    description: 'A delivery that failed every attempt.',
    properties: {
      deliveryId: { type: 'string', description: 'Delivery id, as sent in x-mcp-audit-delivery.' },
      eventId: { type: 'string', description: 'Id of the event it carried.' },
      partition: { type: 'string', description: 'Event Hubs partition of the event.' },
      logIndex: { type: 'integer', format: 'int64', description: 'Log position of the event.' },
      attempts: { type: 'integer', description: 'Attempts made.' },
      createdAt: {
        type: 'string',
        format: 'date-time',
        description: 'When the event was matched.',
      },
      lastAttemptAt: {
        type: 'string',
        format: 'date-time',
        description: 'When the last attempt was made.',
      },
      lastStatus: { type: 'integer', description: 'HTTP status of the last answer, if any.' },
      lastError: { type: 'string', description: 'Why the last attempt failed.' },
      failedAt: { type: 'string', format: 'date-time', description: 'When it was given up.' },
    },
  },
  FailedDeliveryPage: {
    type: 'object',
    description: 'A page of failed deliveries.',
    properties: {
      deliveries: { type: 'array', items: ref('FailedDelivery'), description: 'In log order.' },
      continuationToken: {
        type: 'string',
        description: 'Pass it back to get the next page; absent on the last page.',
      },
      nextLink: { type: 'string', description: 'URL of the next page; absent on the last page.' },
    },
  },
  WebhookDelivery: {
    type: 'object',
    description: 'What each delivery carries.',
    properties: {
      subscriptionId: { type: 'string', description: 'The subscription it is for.' },
      deliveryId: {
        type: 'string',
        description: 'The same on every retry of one delivery: de-duplicate on it.',
      },
      tenant: { type: 'string', description: 'Tenant of the event.' },
      event: ref('Event'),
    },
  },
};
