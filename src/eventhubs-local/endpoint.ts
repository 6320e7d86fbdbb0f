import type { Server, Socket } from 'node:net';
import {
  create_container,
  type Connection,
  type Container,
  type EventContext,
  type Message,
  type Receiver,
} from 'rhea';
import { classifyAddress, requiredClaimPath, type LinkNode } from './addresses';
import {
  advertiseMaxMessageSize,
  hasCapability,
  mirrorTermini,
  refuseLink,
  ReplyChannel,
  settle,
  type StatusReply,
} from './amqp-links';
import { claimsCover, handleCbsRequest, type Claim } from './cbs';
import { handleManagementRequest } from './management';
import { resolveOptions, type ResolvedOptions } from './options';
import { MAX_MESSAGE_SIZE_BYTES, Publisher, SHUTTING_DOWN } from './publisher';
import type { LocalEventHubs, LocalEventHubsOptions } from './types';

/** Transfers a publisher may have outstanding per link; credit returns as deliveries are settled. */
const PUBLISH_LINK_CREDIT = 300;
const REQUEST_LINK_CREDIT = 100;
const IDEMPOTENT_PRODUCER_CAPABILITY = 'com.microsoft:idempotent-producer';
/** How long close() lets clients answer the AMQP close before cutting their sockets. */
const CLOSE_GRACE_MS = 2000;

type ReceiverRole =
  | { readonly kind: 'cbs' }
  | { readonly kind: 'management' }
  | { readonly kind: 'publish'; readonly partitionId: string | undefined };

/**
 * Starts an AMQP 1.0 listener that speaks the Event Hubs dialect to publishers
 * (@azure/event-hubs EventHubProducerClient / EventHubBufferedProducerClient): SASL ANONYMOUS or
 * PLAIN, CBS put-token with SharedAccessSignature checking, $management READ of hub and
 * partition properties, and sender links to `<hub>` and `<hub>/Partitions/<id>`.
 * Plain TCP only (connection strings carry UseDevelopmentEmulator=true, which makes the client skip TLS).
 */
export async function startLocalEventHubs(options: LocalEventHubsOptions): Promise<LocalEventHubs> {
  const endpoint = new LocalEventHubsEndpoint(resolveOptions(options));
  await endpoint.listen();
  return {
    port: endpoint.port,
    connectionString: endpoint.connectionString,
    close: () => endpoint.close(),
  };
}

class LocalEventHubsEndpoint {
  private readonly container: Container;
  private readonly publisher: Publisher;
  private readonly replies = new ReplyChannel();
  private readonly claims = new WeakMap<Connection, Claim[]>();
  private readonly receiverRoles = new WeakMap<Receiver, ReceiverRole>();
  private readonly connections = new Set<Connection>();
  private readonly sockets = new Set<Socket>();
  private readonly createdAt = new Date();
  private server: Server | undefined;
  private listeningPort = 0;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: ResolvedOptions) {
    this.publisher = new Publisher(options);
    this.container = create_container({ id: `local-eventhubs-${options.eventHubName}` });
    // Clients authenticate through CBS; SASL only has to let them in. PLAIN must carry this endpoint's key.
    this.container.sasl_server_mechanisms.enable_anonymous();
    this.container.sasl_server_mechanisms.enable_plain(
      (username: string, password: string) =>
        username === options.keyName && password === options.key,
    );
    this.wireEvents();
  }

  get port(): number {
    return this.listeningPort;
  }

  get connectionString(): string {
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return [
      `Endpoint=sb://${host}:${this.listeningPort}`,
      `SharedAccessKeyName=${this.options.keyName}`,
      `SharedAccessKey=${this.options.key}`,
      `EntityPath=${this.options.eventHubName}`,
      'UseDevelopmentEmulator=true',
    ].join(';');
  }

  async listen(): Promise<void> {
    const listenOptions = {
      host: this.options.host,
      port: this.options.port,
      transport: 'tcp' as const,
      // Settlement and credit are driven by this endpoint, not by rhea's defaults.
      autoaccept: false,
      credit_window: 0,
      reconnect: false,
    };
    const server = this.container.listen(listenOptions);
    this.server = server;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => {
        reject(
          new Error(
            `local Event Hubs endpoint could not listen on ${this.options.host}:${this.options.port}: ${error.message}`,
          ),
        );
      };
      server.once('error', onError);
      server.once('listening', () => {
        server.removeListener('error', onError);
        const address = server.address();
        this.listeningPort =
          address !== null && typeof address === 'object' ? address.port : this.options.port;
        resolve();
      });
    });
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    const server = this.server;
    const serverClosed = new Promise<void>((resolve) => {
      if (server === undefined || !server.listening) resolve();
      else server.close(() => resolve());
    });
    // Deliveries arriving from now on are rejected; those already handed to onEvents are
    // allowed to finish so their producers learn the outcome.
    await this.publisher.drain();
    for (const connection of this.connections) {
      connection.close({ condition: 'amqp:connection:forced', description: SHUTTING_DOWN });
    }
    await this.socketsClosed(CLOSE_GRACE_MS);
    for (const socket of this.sockets) socket.destroy();
    await serverClosed;
  }

  private async socketsClosed(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.sockets.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private wireEvents(): void {
    const c = this.container;
    c.on('connection_open', (context: EventContext) => {
      this.connections.add(context.connection);
      this.claims.set(context.connection, []);
    });
    c.on('disconnected', (context: EventContext) => this.connections.delete(context.connection));
    c.on('connection_close', (context: EventContext) =>
      this.connections.delete(context.connection),
    );
    c.on('receiver_open', (context: EventContext) => this.onPeerSenderAttached(context));
    c.on('sender_open', (context: EventContext) => this.onPeerReceiverAttached(context));
    c.on('message', (context: EventContext) => this.onMessage(context));
    c.on('sendable', (context: EventContext) => {
      if (context.sender !== undefined) this.replies.flush(context.sender);
    });
    // Peers detaching or dropping with an error is ordinary for a server: without these
    // listeners rhea would print warnings or, for 'error', throw from its EventEmitter.
    for (const event of [
      'error',
      'protocol_error',
      'connection_error',
      'session_error',
      'sender_error',
      'receiver_error',
    ]) {
      c.on(event, () => undefined);
    }
  }

  /** The peer attached a sending link: our end is the receiver. */
  private onPeerSenderAttached(context: EventContext): void {
    const receiver = context.receiver;
    if (receiver === undefined) return;
    const address = receiver.target?.address;
    const node = classifyAddress(address, this.options.eventHubName);
    if (this.closing !== undefined) {
      refuseLink(receiver, 'com.microsoft:server-busy', SHUTTING_DOWN);
      return;
    }
    switch (node.kind) {
      case 'cbs':
        this.acceptReceiver(receiver, { kind: 'cbs' }, REQUEST_LINK_CREDIT);
        return;
      case 'management':
        if (this.authorize(receiver, context.connection, node, address)) {
          this.acceptReceiver(receiver, { kind: 'management' }, REQUEST_LINK_CREDIT);
        }
        return;
      case 'hub':
      case 'partition': {
        const partitionId = node.kind === 'partition' ? node.partitionId : undefined;
        if (partitionId !== undefined && !this.publisher.hasPartition(partitionId)) {
          refuseLink(
            receiver,
            'amqp:not-found',
            `The messaging entity '${address}' could not be found: event hub '${this.options.eventHubName}' has partitions 0..${this.options.partitionIds.length - 1}.`,
          );
          return;
        }
        if (hasCapability(receiver.desired_capabilities, IDEMPOTENT_PRODUCER_CAPABILITY)) {
          refuseLink(
            receiver,
            'amqp:not-implemented',
            'Idempotent publishing (enableIdempotentRetries) is not implemented by the local Event Hubs endpoint; publish without it.',
          );
          return;
        }
        if (this.authorize(receiver, context.connection, node, address)) {
          advertiseMaxMessageSize(receiver, MAX_MESSAGE_SIZE_BYTES);
          this.acceptReceiver(receiver, { kind: 'publish', partitionId }, PUBLISH_LINK_CREDIT);
        }
        return;
      }
      case 'consumer-group':
      case 'unknown':
        refuseLink(
          receiver,
          'amqp:not-found',
          `The messaging entity '${address ?? ''}' could not be found or cannot be published to. This endpoint accepts '${this.options.eventHubName}', '${this.options.eventHubName}/Partitions/<id>', '$cbs' and '$management'.`,
        );
        return;
    }
  }

  /** The peer attached a receiving link: our end is the sender. Only CBS and management replies are served. */
  private onPeerReceiverAttached(context: EventContext): void {
    const sender = context.sender;
    if (sender === undefined) return;
    const address = sender.source?.address;
    const node = classifyAddress(address, this.options.eventHubName);
    switch (node.kind) {
      case 'cbs':
      case 'management':
        mirrorTermini(sender);
        return;
      case 'consumer-group':
      case 'hub':
      case 'partition':
        refuseLink(
          sender,
          'amqp:not-implemented',
          `Receiving events is not implemented by the local Event Hubs endpoint; it accepts publishers only (link source '${address}').`,
        );
        return;
      case 'unknown':
        refuseLink(
          sender,
          'amqp:not-found',
          `The messaging entity '${address ?? ''}' could not be found.`,
        );
        return;
    }
  }

  private authorize(
    link: Receiver,
    connection: Connection,
    node: LinkNode,
    address: string | undefined,
  ): boolean {
    const path = requiredClaimPath(node, this.options.eventHubName);
    if (path === undefined || claimsCover(this.claims.get(connection) ?? [], path, Date.now())) {
      return true;
    }
    refuseLink(
      link,
      'amqp:unauthorized-access',
      `Unauthorized access to '${address ?? ''}': put a SharedAccessSignature token for it on $cbs before attaching.`,
    );
    return false;
  }

  /** Remembers a claim for the connection, dropping expired ones (clients renew every 45 minutes). */
  private grantClaim(connection: Connection, claim: Claim): void {
    const nowMs = Date.now();
    const live = (this.claims.get(connection) ?? []).filter((c) => c.expiresAtMs > nowMs);
    this.claims.set(connection, [...live, claim]);
  }

  private acceptReceiver(receiver: Receiver, role: ReceiverRole, credit: number): void {
    mirrorTermini(receiver);
    this.receiverRoles.set(receiver, role);
    receiver.add_credit(credit);
  }

  private onMessage(context: EventContext): void {
    const { receiver, delivery } = context;
    if (receiver === undefined || delivery === undefined) return;
    const role = this.receiverRoles.get(receiver);
    if (role === undefined) return;
    switch (role.kind) {
      case 'cbs':
        this.answerRequest(context, (request) => {
          const outcome = handleCbsRequest(request, {
            eventHubName: this.options.eventHubName,
            audienceHosts: this.options.audienceHosts,
            key: { keyName: this.options.keyName, key: this.options.key },
            nowMs: Date.now(),
          });
          if (outcome.claim !== undefined) {
            this.grantClaim(context.connection, outcome.claim);
          }
          return outcome;
        });
        return;
      case 'management':
        this.answerRequest(context, (request) =>
          handleManagementRequest(request, {
            eventHubName: this.options.eventHubName,
            createdAt: this.createdAt,
            partitionIds: this.options.partitionIds,
            partitionState: (id) => this.publisher.partitionState(id),
          }),
        );
        return;
      case 'publish':
        this.publisher.publish(
          receiver,
          delivery,
          context.message as Message | Buffer,
          (context as { format?: number }).format ?? 0,
          role.partitionId,
        );
        return;
    }
  }

  private answerRequest(context: EventContext, handle: (request: Message) => StatusReply): void {
    const { receiver, delivery, message } = context;
    if (receiver === undefined || delivery === undefined) return;
    if (message === undefined || (context as { format?: number }).format !== undefined) {
      settle(receiver, delivery, {
        condition: 'amqp:decode-error',
        description: 'expected an AMQP message',
      });
      return;
    }
    const reply = handle(message);
    settle(receiver, delivery, undefined);
    this.replies.send(context.connection, message, reply);
  }
}
