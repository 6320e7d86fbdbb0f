import { ApiClient } from '../../src/cli/api-client';
import type { InputEvent } from '../../src/cli/event-input';
import { SendInterruptedError, sendEvents } from '../../src/cli/send-events';
import { formatSummary } from '../../src/cli/summary';

type Answer = (lines: string[]) => { status: number; body: unknown } | Error;

/** A fetch standing in for POST /api/events: records each request's lines and answers with `answer`. */
function fakeApi(answer: Answer) {
  const requests: string[][] = [];
  const fetchImpl = (async (_url: URL, init?: RequestInit) => {
    const lines = Buffer.from(init?.body as Uint8Array)
      .toString('utf8')
      .split('\n');
    requests.push(lines);
    const result = answer(lines);
    if (result instanceof Error) throw result;
    return new Response(JSON.stringify(result.body), {
      status: result.status,
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof fetch;
  const client = new ApiClient(
    { url: 'http://127.0.0.1:7071', key: 'k'.repeat(20), keySource: '--key' },
    fetchImpl,
  );
  return { client, requests };
}

const acceptAll: Answer = (lines) => ({
  status: 200,
  body: { results: lines.map((_, index) => ({ index, status: 'accepted' })) },
});

async function* eventsOf(bodies: string[]): AsyncGenerator<InputEvent> {
  let position = 0;
  for (const body of bodies) yield { body: Buffer.from(body), position: ++position };
}

const clock = () => 0;

describe('sendEvents', () => {
  it('sends NDJSON chunks of at most chunkEvents events, in order', async () => {
    const { client, requests } = fakeApi(acceptAll);
    const summary = await sendEvents(eventsOf(['1', '2', '3', '4', '5']), {
      client,
      chunkEvents: 2,
      clock,
    });
    expect(requests).toEqual([['1', '2'], ['3', '4'], ['5']]);
    expect([summary.sent, summary.accepted]).toEqual([5, 5]);
  });

  it('cuts chunks at chunkBytes, counting the newline of each event', async () => {
    const { client, requests } = fakeApi(acceptAll);
    await sendEvents(eventsOf(['aaaa', 'bbbb', 'cccc']), { client, chunkBytes: 10, clock });
    expect(requests).toEqual([['aaaa', 'bbbb'], ['cccc']]);
  });

  it('does not send an event larger than a request may be, and says so', async () => {
    const { client, requests } = fakeApi(acceptAll);
    const summary = await sendEvents(eventsOf(['ok', 'x'.repeat(20)]), {
      client,
      chunkBytes: 10,
      clock,
    });
    expect(requests).toEqual([['ok']]);
    expect([summary.notSent, summary.reasons]).toEqual([
      1,
      [
        {
          code: 'too-large',
          pointer: '',
          message: 'the event is 20 bytes; one request carries at most 10',
          positions: [2],
        },
      ],
    ]);
  });

  it('groups rejections by reason code and field, most frequent first', async () => {
    const reason = (code: string, pointer: string) => ({
      code,
      pointer,
      message: `${code} at ${pointer}`,
    });
    const { client } = fakeApi(() => ({
      status: 200,
      body: {
        results: [
          { status: 'accepted' },
          { status: 'rejected', reason: reason('invalid-json', '') },
          { status: 'rejected', reason: reason('schema', '/data/actor') },
          { status: 'duplicate' },
          { status: 'rejected', reason: reason('schema', '/data/actor') },
        ],
      },
    }));
    const summary = await sendEvents(eventsOf(['a', 'b', 'c', 'd', 'e']), { client, clock });
    expect(summary).toEqual({
      sent: 5,
      accepted: 1,
      duplicate: 1,
      rejected: 3,
      notSent: 0,
      reasons: [
        {
          code: 'schema',
          pointer: '/data/actor',
          message: 'schema at /data/actor',
          positions: [3, 5],
        },
        { code: 'invalid-json', pointer: '', message: 'invalid-json at ', positions: [2] },
      ],
      elapsedMs: 0,
    });
  });

  it('sends a chunk again after a 503 and after a dropped connection', async () => {
    const answers: (ReturnType<Answer> | undefined)[] = [
      { status: 503, body: { message: 'storage down' } },
      new Error('socket hang up'),
    ];
    const { client, requests } = fakeApi((lines) => answers.shift() ?? acceptAll(lines));
    const summary = await sendEvents(eventsOf(['a']), { client, retryDelayMs: 1, clock });
    expect([requests.length, summary.accepted]).toEqual([3, 1]);
  });

  it('stops with the summary so far when a chunk keeps failing', async () => {
    let calls = 0;
    const { client } = fakeApi((lines) =>
      ++calls === 1 ? acceptAll(lines) : { status: 503, body: { message: 'storage down' } },
    );
    const error = await sendEvents(eventsOf(['a', 'b', 'c']), {
      client,
      chunkEvents: 2,
      retries: 2,
      retryDelayMs: 1,
      clock,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendInterruptedError);
    const interrupted = error as SendInterruptedError;
    expect([interrupted.message, interrupted.position, interrupted.summary.accepted]).toEqual([
      'sending events failed: 503 storage down (gave up after 2 retries)',
      3,
      2,
    ]);
  });

  it('stops at once on a 403, with the server’s message', async () => {
    const { client, requests } = fakeApi(() => ({
      status: 403,
      body: { error: 'forbidden', message: 'this key may not use tenant "b"' },
    }));
    await expect(sendEvents(eventsOf(['a']), { client, retryDelayMs: 1, clock })).rejects.toThrow(
      'sending events failed: 403 this key may not use tenant "b"',
    );
    expect(requests).toHaveLength(1);
  });
});

describe('formatSummary', () => {
  it('lists totals and each reason with the lines that carried it', () => {
    const lines = formatSummary(
      {
        sent: 12,
        accepted: 9,
        duplicate: 1,
        rejected: 2,
        notSent: 0,
        reasons: [{ code: 'invalid-json', pointer: '', message: 'not JSON', positions: [4, 9] }],
        elapsedMs: 2000,
      },
      'events.ndjson',
      'line',
    );
    expect(lines).toEqual([
      '12 events sent from events.ndjson in 2.0 s (6 events/s)',
      '  accepted   9',
      '  duplicate  1',
      '  rejected   2  (kept as dead letters: mcp-audit deadletters)',
      '    2 × invalid-json: not JSON',
      '      lines 4, 9',
    ]);
  });

  it('shows at most eight positions per reason', () => {
    const positions = Array.from({ length: 11 }, (_, i) => i + 1);
    const lines = formatSummary(
      {
        sent: 11,
        accepted: 0,
        duplicate: 0,
        rejected: 11,
        notSent: 0,
        reasons: [{ code: 'schema', pointer: '/id', message: 'bad id', positions }],
        elapsedMs: 0,
      },
      'x',
      'element',
    );
    expect(lines.slice(-2)).toEqual([
      '    11 × schema at /id: bad id',
      '      elements 1, 2, 3, 4, 5, 6, 7, 8 and 3 more',
    ]);
  });
});
