import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { CliError } from '../../src/cli/errors';
import { openEventInput, readEvents, type InputEvent } from '../../src/cli/event-input';
import type { CliIo } from '../../src/cli/io';

async function collect(
  chunks: (string | Buffer)[],
): Promise<{ events: [number, string][]; unit: string }> {
  const state = { bytesRead: 0, unit: 'line' as 'line' | 'element' };
  const events: [number, string][] = [];
  for await (const event of readEvents(Readable.from(chunks), state, 'input'))
    events.push([event.position, event.body.toString('utf8')]);
  return { events, unit: state.unit };
}

describe('readEvents', () => {
  it('splits NDJSON into lines, across chunk boundaries, skipping blank lines and CRs', async () => {
    expect(await collect(['{"a":1}\r\n\n  \n{"b"', ':2}\n{"c":3}'])).toEqual({
      events: [
        [1, '{"a":1}'],
        [4, '{"b":2}'],
        [5, '{"c":3}'],
      ],
      unit: 'line',
    });
  });

  it('keeps the bytes of a line exactly, even when they are not valid UTF-8', async () => {
    const state = { bytesRead: 0, unit: 'line' as const };
    const bad = Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]);
    const events: InputEvent[] = [];
    for await (const event of readEvents(
      Readable.from([Buffer.from('{}\n'), bad]),
      { ...state },
      'input',
    ))
      events.push(event);
    expect(events[1]?.body.equals(bad)).toBe(true);
  });

  it('reads a JSON array as elements, each sent as its JSON text', async () => {
    expect(await collect(['  [{"a": 1},', ' {"b": [2, 3]}]'])).toEqual({
      events: [
        [1, '{"a":1}'],
        [2, '{"b":[2,3]}'],
      ],
      unit: 'element',
    });
  });

  it('drops a UTF-8 byte order mark before the first event', async () => {
    expect((await collect([Buffer.from([0xef, 0xbb, 0xbf]), '{"a":1}\n'])).events).toEqual([
      [1, '{"a":1}'],
    ]);
  });

  it('refuses input whose first line is not a JSON event, before anything is sent', async () => {
    await expect(collect(['{\n  "a": 1\n}\n'])).rejects.toThrow(
      new CliError('input: line 1 is not a complete JSON event'),
    );
  });

  it('lets a later bad line through, for the log to dead-letter with its reason', async () => {
    expect((await collect(['{"a":1}\nnot json\n'])).events).toEqual([
      [1, '{"a":1}'],
      [2, 'not json'],
    ]);
  });

  it('refuses a broken JSON array', async () => {
    await expect(collect(['[{"a":1},'])).rejects.toThrow(/^input is not a valid JSON array: /);
  });
});

describe('openEventInput', () => {
  const io = (cwd: string, stdin: NodeJS.ReadableStream = Readable.from([])): CliIo => ({
    stdout: { write: () => true },
    stderr: { write: () => true },
    stdin,
    env: {},
    cwd,
  });

  it('reads a file relative to the working directory and knows its size', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'input-'));
    writeFileSync(path.join(dir, 'events.ndjson'), '{"a":1}\n{"b":2}\n');
    const input = await openEventInput('events.ndjson', io(dir));
    const bodies: string[] = [];
    for await (const event of input.events) bodies.push(event.body.toString());
    expect([input.label, input.totalBytes, input.bytesRead, bodies]).toEqual([
      'events.ndjson',
      16,
      16,
      ['{"a":1}', '{"b":2}'],
    ]);
  });

  it('says which file it cannot read', async () => {
    await expect(openEventInput('missing.ndjson', io(tmpdir()))).rejects.toThrow(
      new CliError('cannot read missing.ndjson: ENOENT'),
    );
  });

  it('refuses standard input that is a terminal', async () => {
    const terminal = Object.assign(Readable.from([]), { isTTY: true });
    await expect(openEventInput('-', io(tmpdir(), terminal))).rejects.toThrow(
      'standard input is a terminal, not a stream of events',
    );
  });
});
