import type { ApiClient } from './api-client';
import { CliError } from './errors';
import type { InputEvent } from './event-input';

/** The API's limit is 4 MiB per request; chunks stay well under it. */
export const DEFAULT_CHUNK_BYTES = 3 * 1024 * 1024;
export const DEFAULT_CHUNK_EVENTS = 500;
export const DEFAULT_RETRIES = 5;

export interface Reason {
  code: string;
  pointer: string;
  message: string;
}

export interface ReasonGroup extends Reason {
  positions: number[];
}

export interface SendSummary {
  sent: number;
  accepted: number;
  duplicate: number;
  rejected: number;
  /** Events never sent because no request could carry them (larger than a request may be). */
  notSent: number;
  /** Rejected and not-sent events grouped by reason code and field. */
  reasons: ReasonGroup[];
  elapsedMs: number;
}

export interface SendOptions {
  client: ApiClient;
  chunkEvents?: number;
  chunkBytes?: number;
  /** How often a chunk is retried after a transient failure (503, 5xx, connection lost). */
  retries?: number;
  /** First retry delay; doubles each time. */
  retryDelayMs?: number;
  onProgress?: (summary: SendSummary) => void;
  clock?: () => number;
}

/** A send that stopped part way: the summary of what was confirmed, and where to resume. */
export class SendInterruptedError extends CliError {
  constructor(
    message: string,
    readonly summary: SendSummary,
    readonly position: number,
    hint: string,
  ) {
    super(message, 1, hint);
    this.name = 'SendInterruptedError';
  }
}

interface ApiOutcome {
  status: 'accepted' | 'duplicate' | 'rejected';
  reason?: Reason;
}

/**
 * Sends events through POST /api/events as NDJSON, in order, in chunks of at most `chunkEvents` events and
 * `chunkBytes` bytes, and tallies each event's outcome. A chunk that meets a transient failure is sent again
 * (event ids make the repeat harmless: events already stored come back as duplicates).
 * @throws SendInterruptedError when a chunk still fails after the retries or is refused (401, 403, 4xx).
 */
export async function sendEvents(
  events: AsyncIterable<InputEvent>,
  options: SendOptions,
): Promise<SendSummary> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const chunkEvents = options.chunkEvents ?? DEFAULT_CHUNK_EVENTS;
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const summary: SendSummary = {
    sent: 0,
    accepted: 0,
    duplicate: 0,
    rejected: 0,
    notSent: 0,
    reasons: [],
    elapsedMs: 0,
  };
  const groups = new Map<string, ReasonGroup>();
  const note = (reason: Reason, position: number): void => {
    const key = `${reason.code}\n${reason.pointer}`;
    const group = groups.get(key) ?? { ...reason, positions: [] };
    group.positions.push(position);
    groups.set(key, group);
  };
  const finish = (): SendSummary => {
    summary.reasons = [...groups.values()].sort((a, b) => b.positions.length - a.positions.length);
    summary.elapsedMs = clock() - started;
    return summary;
  };

  let chunk: InputEvent[] = [];
  let chunkSize = 0;
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    const outcomes = await postChunk(chunk, options, finish);
    outcomes.forEach((outcome, i) => {
      const position = (chunk[i] as InputEvent).position;
      summary[outcome.status]++;
      if (outcome.status === 'rejected') {
        note(
          outcome.reason ?? { code: 'unknown', pointer: '', message: 'no reason given' },
          position,
        );
      }
    });
    summary.sent += chunk.length;
    chunk = [];
    chunkSize = 0;
    options.onProgress?.(finish());
  };

  for await (const event of events) {
    const size = event.body.length + 1;
    if (size > chunkBytes) {
      summary.notSent++;
      note(
        {
          code: 'too-large',
          pointer: '',
          message: `the event is ${event.body.length} bytes; one request carries at most ${chunkBytes}`,
        },
        event.position,
      );
      continue;
    }
    if (chunk.length >= chunkEvents || chunkSize + size > chunkBytes) await flush();
    chunk.push(event);
    chunkSize += size;
  }
  await flush();
  return finish();
}

async function postChunk(
  chunk: InputEvent[],
  options: SendOptions,
  progress: () => SendSummary,
): Promise<ApiOutcome[]> {
  const body = Buffer.concat(
    chunk.flatMap((event, i) => (i === 0 ? [event.body] : [Buffer.from('\n'), event.body])),
  );
  const retries = options.retries ?? DEFAULT_RETRIES;
  const first = (chunk[0] as InputEvent).position;
  const resume = `rerun the same command: events already stored are reported as duplicates, not stored twice`;
  let lastProblem = '';
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0)
      await new Promise((resolve) =>
        setTimeout(resolve, (options.retryDelayMs ?? 1000) * 2 ** (attempt - 1)),
      );
    let result;
    try {
      result = await options.client.post('events', body, 'application/x-ndjson');
    } catch (error) {
      lastProblem = (error as Error).message;
      continue;
    }
    if (result.status === 200) {
      const results = (result.body as { results?: ApiOutcome[] } | undefined)?.results;
      if (!Array.isArray(results) || results.length !== chunk.length) {
        throw new SendInterruptedError(
          `the host answered ${chunk.length} events with ${Array.isArray(results) ? results.length : 'no'} results`,
          progress(),
          first,
          resume,
        );
      }
      return results;
    }
    if (result.status >= 500) {
      lastProblem = options.client.failure(result, 'sending events').message;
      continue;
    }
    const refused = options.client.failure(result, 'sending events');
    throw new SendInterruptedError(refused.message, progress(), first, refused.hint ?? resume);
  }
  throw new SendInterruptedError(
    `${lastProblem} (gave up after ${retries} retries)`,
    progress(),
    first,
    resume,
  );
}
