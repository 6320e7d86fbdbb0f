import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { CliError, EXIT } from './errors';
import type { CliIo } from './io';

/** One event read from the input: its bytes, and where it was (line of NDJSON, element of an array). */
export interface InputEvent {
  body: Buffer;
  /** 1-based line number (NDJSON) or element number (JSON array). */
  position: number;
}

export interface EventInput {
  /** "events.ndjson" or "standard input", for messages. */
  label: string;
  /** Size of the file, when the input is one (drives the progress bar). */
  totalBytes: number | undefined;
  /** Bytes read so far. */
  readonly bytesRead: number;
  /** What a position means: "line" or "element" (known once the first event is read). */
  readonly unit: 'line' | 'element';
  events: AsyncIterable<InputEvent>;
}

/**
 * Opens `source` (a file path, or `-` for standard input) as a stream of events. The format is told by the
 * first non-blank byte: `[` starts a JSON array (read whole, each element sent as its JSON text); anything
 * else is NDJSON, read line by line with each line's bytes kept exactly as they are.
 * @throws CliError when the file cannot be opened, or when standard input is a terminal.
 */
export async function openEventInput(source: string, io: CliIo): Promise<EventInput> {
  let stream: NodeJS.ReadableStream;
  let totalBytes: number | undefined;
  let label: string;
  if (source === '-') {
    if ((io.stdin as { isTTY?: boolean }).isTTY) {
      throw new CliError(
        'standard input is a terminal, not a stream of events',
        EXIT.usage,
        'pipe events in, e.g. "mcp-audit ingest - < events.ndjson", or name a file',
      );
    }
    stream = io.stdin;
    label = 'standard input';
  } else {
    const file = path.resolve(io.cwd, source);
    try {
      const stat = await fs.stat(file);
      if (!stat.isFile()) throw new CliError(`${source} is not a file`, EXIT.usage);
      totalBytes = stat.size;
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new CliError(
        `cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        EXIT.usage,
      );
    }
    stream = createReadStream(file);
    label = source;
  }
  const state = { bytesRead: 0, unit: 'line' as 'line' | 'element' };
  return {
    label,
    totalBytes,
    get bytesRead() {
      return state.bytesRead;
    },
    get unit() {
      return state.unit;
    },
    events: readEvents(stream as AsyncIterable<Buffer>, state, label),
  };
}

/** Splits NDJSON or a JSON array into events; exported for tests. */
export async function* readEvents(
  chunks: AsyncIterable<Buffer | string>,
  state: { bytesRead: number; unit: 'line' | 'element' },
  label: string,
): AsyncGenerator<InputEvent> {
  let mode: 'unknown' | 'ndjson' | 'array' = 'unknown';
  const whole: Buffer[] = [];
  let pending: Buffer = Buffer.alloc(0);
  let line = 0;
  let checkedFirst = false;
  for await (const raw of chunks) {
    let chunk: Buffer = typeof raw === 'string' ? Buffer.from(raw) : raw;
    if (state.bytesRead === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
      state.bytesRead += 3;
      chunk = chunk.subarray(3); // a UTF-8 byte order mark is not part of the first event
    }
    state.bytesRead += chunk.length;
    if (mode === 'unknown') {
      const first = chunk.findIndex((byte) => !isWhitespace(byte));
      if (first === -1) {
        pending = Buffer.concat([pending, chunk]);
        continue;
      }
      mode = chunk[first] === 0x5b /* [ */ ? 'array' : 'ndjson';
      if (mode === 'array') state.unit = 'element';
    }
    if (mode === 'array') {
      whole.push(chunk);
      continue;
    }
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let start = 0;
    for (
      let newline = pending.indexOf(0x0a, start);
      newline !== -1;
      newline = pending.indexOf(0x0a, start)
    ) {
      line++;
      const event = lineEvent(pending.subarray(start, newline), line);
      start = newline + 1;
      if (event === undefined) continue;
      if (!checkedFirst) {
        checkFirstLine(event, label);
        checkedFirst = true;
      }
      yield event;
    }
    pending = pending.subarray(start);
  }
  if (mode === 'array') {
    yield* arrayEvents(Buffer.concat(whole), label);
    return;
  }
  const last = lineEvent(pending, line + 1);
  if (last !== undefined) {
    if (!checkedFirst) checkFirstLine(last, label);
    yield last;
  }
}

function lineEvent(bytes: Buffer, line: number): InputEvent | undefined {
  const body =
    bytes.length > 0 && bytes[bytes.length - 1] === 0x0d
      ? bytes.subarray(0, bytes.length - 1)
      : bytes;
  // The same test the API applies, so both sides count the same events.
  if (body.toString('utf8').trim() === '') return undefined;
  return { body: Buffer.from(body), position: line };
}

/**
 * A first line that is not JSON means the input is not NDJSON at all (a pretty-printed event, say):
 * refuse it before sending anything. Later bad lines are sent, and the log dead-letters them with a reason.
 */
function checkFirstLine(event: InputEvent, label: string): void {
  try {
    JSON.parse(event.body.toString('utf8'));
  } catch {
    throw new CliError(
      `${label}: line ${event.position} is not a complete JSON event`,
      EXIT.usage,
      'the input must be NDJSON (one event per line) or a JSON array of events',
    );
  }
}

function* arrayEvents(bytes: Buffer, label: string): Generator<InputEvent> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new CliError(
      `${label} is not a valid JSON array: ${(error as Error).message}`,
      EXIT.usage,
    );
  }
  if (!Array.isArray(parsed))
    throw new CliError(`${label} starts with "[" but is not a JSON array`, EXIT.usage);
  let position = 0;
  for (const element of parsed) {
    position++;
    yield { body: Buffer.from(JSON.stringify(element) ?? 'null', 'utf8'), position };
  }
}

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}
