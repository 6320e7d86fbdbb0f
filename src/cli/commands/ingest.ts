import { ApiClient } from '../api-client';
import { resolveConnection, type ConnectionOptions } from '../connection';
import { EXIT, usageError } from '../errors';
import { openEventInput, type InputEvent } from '../event-input';
import type { CliIo } from '../io';
import { ProgressBar } from '../progress';
import {
  DEFAULT_CHUNK_EVENTS,
  DEFAULT_RETRIES,
  SendInterruptedError,
  sendEvents,
  type SendSummary,
} from '../send-events';
import { formatSummary } from '../summary';

export interface IngestOptions extends ConnectionOptions {
  batchSize?: string;
  retries?: string;
  json?: boolean;
}

/** `mcp-audit ingest <file|->`: sends NDJSON or a JSON array of events and reports every event's fate. */
export async function ingestCommand(
  source: string,
  options: IngestOptions,
  io: CliIo,
): Promise<number> {
  const chunkEvents = wholeNumber('--batch-size', options.batchSize, DEFAULT_CHUNK_EVENTS, 1, 1000);
  const retries = wholeNumber('--retries', options.retries, DEFAULT_RETRIES, 0, 100);
  const client = new ApiClient(await resolveConnection(options, io));
  const input = await openEventInput(source, io);
  return deliver(
    input.events,
    {
      label: input.label,
      totalBytes: input.totalBytes,
      bytesRead: () => input.bytesRead,
      unit: () => input.unit,
    },
    client,
    { chunkEvents, retries, json: options.json === true },
    io,
  );
}

export interface DeliverySource {
  label: string;
  totalBytes: number | undefined;
  bytesRead: () => number;
  unit: () => 'line' | 'element';
}

/** Sends events with a progress bar and prints the summary; shared by ingest and simulate. */
export async function deliver(
  events: AsyncIterable<InputEvent>,
  source: DeliverySource,
  client: ApiClient,
  settings: { chunkEvents: number; retries: number; json: boolean },
  io: CliIo,
): Promise<number> {
  const progress = new ProgressBar(io.stderr, source.totalBytes);
  const startedAt = Date.now();
  const report = (summary: SendSummary): void => {
    if (settings.json) io.stdout.write(`${JSON.stringify(summary)}\n`);
    else
      for (const line of formatSummary(summary, source.label, source.unit()))
        io.stdout.write(`${line}\n`);
  };
  let summary: SendSummary;
  try {
    summary = await sendEvents(events, {
      client,
      chunkEvents: settings.chunkEvents,
      retries: settings.retries,
      onProgress: (so) => progress.update(so.sent, source.bytesRead(), startedAt),
    });
  } catch (error) {
    progress.finish();
    if (error instanceof SendInterruptedError) {
      report(error.summary);
      io.stderr.write(
        `stopped at ${source.unit()} ${error.position}: nothing from there on was confirmed\n`,
      );
    }
    throw error;
  }
  progress.finish();
  report(summary);
  return summary.rejected > 0 || summary.notSent > 0 ? EXIT.rejected : EXIT.ok;
}

export function wholeNumber(
  option: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw usageError(option, raw, `expected a whole number from ${min} to ${max}`);
  }
  return value;
}
