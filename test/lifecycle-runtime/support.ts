import { parseApiKeys } from '../../src/auth/api-keys';
import type { ApiDependencies } from '../../src/http/dependencies';
import type { ApiRequest, ApiResponse } from '../../src/http/types';
import type { EventSink, PublishOutcome } from '../../src/sink/types';
import type { StorageClients } from '../../src/store/clients';
import type { Harness } from '../support/ingest-harness';
import { testEvent, type TestEventOptions } from '../support/events';

export const ADMIN_KEY = 'admin-key-0123456789abcdef';
export const ACME_KEY = 'acme-key-0123456789abcdef';
export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** The enqueued time the ingest harness gives sequence number 0 (test/support/ingest-harness.ts). */
export const HARNESS_ENQUEUED = Date.parse('2026-11-26T10:30:00.000Z');

export function apiDependencies(
  clients: StorageClients,
  options: { sink?: EventSink; clock?: () => Date } = {},
): ApiDependencies {
  return {
    keyring: parseApiKeys(JSON.stringify({ [ADMIN_KEY]: '*', [ACME_KEY]: ['acme'] })),
    clients,
    sink: options.sink ?? { publish: () => Promise.reject(new Error('no sink in this test')) },
    tokenKey: Buffer.alloc(32, 7),
    clock: options.clock ?? (() => new Date('2026-12-01T00:00:00.000Z')),
    ingestTimeoutMs: 5000,
  };
}

export function apiRequest(
  method: string,
  path: string,
  options: {
    query?: Record<string, string>;
    params?: Record<string, string>;
    body?: unknown;
    key?: string;
  } = {},
): ApiRequest {
  const text = options.body === undefined ? '' : JSON.stringify(options.body);
  const headers = new Map<string, string>([['content-length', String(Buffer.byteLength(text))]]);
  if (options.key !== undefined) headers.set('x-functions-key', options.key);
  const bytes = Buffer.from(text, 'utf8');
  return {
    method,
    url: `http://localhost/api/${path}`,
    headers: { get: (name) => headers.get(name.toLowerCase()) ?? null },
    query: new URLSearchParams(options.query ?? {}),
    params: options.params ?? {},
    arrayBuffer: async () =>
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  };
}

export function bodyOf(response: ApiResponse): Record<string, unknown> {
  return response.jsonBody as Record<string, unknown>;
}

/**
 * A sink that ingests what it is given through the harness, as the local hub does: each publish is one
 * batch on partition `partitionId`, with sequence numbers continuing from `firstSequence`.
 */
export function harnessSink(
  harness: Harness,
  partitionId: string,
  firstSequence: number,
): EventSink & { published: Buffer[] } {
  let next = firstSequence;
  const published: Buffer[] = [];
  return {
    published,
    async publish(events) {
      const batch = events.map((event) => ({
        sequenceNumber: next++,
        body: Buffer.from(event.body),
      }));
      published.push(...batch.map((item) => item.body));
      const outcomes = await harness.deliver(partitionId, batch);
      return outcomes.map(({ sequenceNumber: _s, ...rest }): PublishOutcome => rest);
    },
  };
}

/** An event body of `type`, with the fields that type requires. */
export function typedBody(n: number, type: string, options: TestEventOptions = {}): Buffer {
  const event = testEvent(n, options) as { type: string; data: Record<string, unknown> };
  event.type = type;
  if (type === 'com.sqlmcp.config.changed') {
    event.data = {
      actor: event.data.actor,
      config: { key: 'policy.allowedTools', oldValue: ['a'], newValue: ['a', 'b'] },
    };
  }
  return Buffer.from(JSON.stringify(event), 'utf8');
}
