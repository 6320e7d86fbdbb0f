/**
 * Webhook subscriptions: who wants which new audit events, and their delivery (docs/connector.md).
 * The signature helpers are what receivers need; the rest is for the HTTP routes and the dispatcher.
 */
export {
  verifyWebhookSignature,
  signWebhook,
  webhookHeaders,
  WebhookVerificationError,
  WEBHOOK_HEADERS,
  DEFAULT_TOLERANCE_SECONDS,
  type HeaderSource,
  type VerifiedDelivery,
  type WebhookRejection,
} from './signature';
export {
  resolveCallback,
  redactCallbackUrl,
  systemResolver,
  CallbackUrlError,
  type CallbackPolicy,
  type CallbackRefusal,
  type PinnedCallback,
  type ResolvedAddress,
  type Resolver,
} from './callback-url';
export { classifyAddress, type AddressClass } from './addresses';
export {
  dispatchOnce,
  retryDelayMs,
  DEFAULT_RETRY,
  type DispatcherDependencies,
  type DispatchSummary,
  type RetrySchedule,
  type WebhookDelivery,
} from './dispatcher';
export {
  nodeTransport,
  postWebhook,
  type WebhookTransport,
  type WebhookAnswer,
} from './delivery-client';
export { parseSubscriptionFilter, type SubscriptionFilter } from './filter';
export type { Subscription } from './store';
export type { Delivery } from './outbox';
