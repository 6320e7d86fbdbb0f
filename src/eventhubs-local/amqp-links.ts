import {
  types as amqpTypes,
  type AmqpError,
  type Connection,
  type Delivery,
  type Message,
  type Receiver,
  type Sender,
} from 'rhea';

/** Server-side link chores on top of rhea: answering attaches, settling, replying on request/response pairs. */

/** The fields of rhea's link object that its typings leave out. */
interface LinkInternals {
  local: { attach: { max_message_size?: unknown } };
}

/** Answers an attach with the peer's own source and target: a null terminus would mean "refused". */
export function mirrorTermini(link: Sender | Receiver): void {
  if (link.source !== undefined && link.source !== null) link.set_source(link.source);
  if (link.target !== undefined && link.target !== null) link.set_target(link.target);
}

/**
 * Refuses an attach the AMQP way: the answering attach leaves the termini null (they are never
 * mirrored) and is followed at once by a detach carrying the error, which the peer's
 * createSender/createReceiver reports.
 */
export function refuseLink(link: Sender | Receiver, condition: string, description: string): void {
  link.close({ condition, description });
}

/** Announces the largest transfer the peer may send; @azure/event-hubs sizes its batches by it. */
export function advertiseMaxMessageSize(receiver: Receiver, bytes: number): void {
  // The attach frame declares this field as ulong and encodes the plain number itself.
  (receiver as unknown as LinkInternals).local.attach.max_message_size = bytes;
}

export function hasCapability(
  capabilities: string | string[] | undefined,
  wanted: string,
): boolean {
  if (capabilities === undefined || capabilities === null) return false;
  return (Array.isArray(capabilities) ? capabilities : [capabilities]).includes(wanted);
}

/**
 * Settles a delivery (accepted when `error` is undefined, rejected otherwise) and returns its
 * credit. A delivery whose link has gone cannot be settled; its producer retries on a new link.
 */
export function settle(receiver: Receiver, delivery: Delivery, error: AmqpError | undefined): void {
  if (!receiver.is_open()) return;
  if (!delivery.remote_settled) {
    if (error === undefined) delivery.accept();
    else delivery.reject(error);
  }
  receiver.add_credit(1);
}

/** The answer to a $cbs or $management request, as Event Hubs shapes it. */
export interface StatusReply {
  readonly statusCode: number;
  readonly statusDescription: string;
  /** Sent as `error-condition`, which the client prefers over mapping the status code. */
  readonly errorCondition?: string;
  readonly body?: unknown;
}

/**
 * Replies to requests on the peer's reply link: the receiving link whose name or target address
 * equals the request's `reply-to`, on the same connection. Replies wait for link credit.
 */
export class ReplyChannel {
  private readonly pending = new WeakMap<Sender, Message[]>();

  send(connection: Connection, request: Message, reply: StatusReply): void {
    const replyTo = request.reply_to;
    if (replyTo === undefined) return;
    const sender = connection.find_sender(
      (link: Sender) => link.name === replyTo || link.target?.address === replyTo,
    );
    if (sender === undefined) return;
    const applicationProperties: Record<string, unknown> = {
      'status-code': amqpTypes.wrap_int(reply.statusCode),
      'status-description': reply.statusDescription,
    };
    if (reply.errorCondition !== undefined) {
      applicationProperties['error-condition'] = reply.errorCondition;
    }
    const queue = this.pending.get(sender) ?? [];
    queue.push({
      to: replyTo,
      correlation_id: request.message_id,
      application_properties: applicationProperties,
      body: reply.body,
    });
    this.pending.set(sender, queue);
    this.flush(sender);
  }

  /** Sends what credit allows; call again when the link becomes sendable. */
  flush(sender: Sender): void {
    const queue = this.pending.get(sender);
    while (queue !== undefined && queue.length > 0 && sender.sendable()) {
      const next = queue.shift();
      if (next !== undefined) sender.send(next);
    }
  }
}
