import { ApiClient } from '../api-client';
import { resolveConnection, type ConnectionOptions } from '../connection';
import { EXIT } from '../errors';
import type { CliIo } from '../io';
import { formatTable } from '../table';
import { wholeNumber } from './ingest';

export interface DeadLettersOptions extends ConnectionOptions {
  from?: string;
  to?: string;
  limit?: string;
  json?: boolean;
}

interface DeadLetterView {
  tenant: string;
  partitionId: string;
  sequenceNumber: number;
  enqueuedTime: string;
  reason: { code: string; pointer: string; message: string };
  bodyBytes: number;
}

/** `mcp-audit deadletters`: rejected events with their reasons, filtered by enqueued time. */
export async function deadLettersCommand(options: DeadLettersOptions, io: CliIo): Promise<number> {
  const limit = wholeNumber('--limit', options.limit, 100, 1, 1000);
  const client = new ApiClient(await resolveConnection(options, io));
  const result = await client.get('deadletters', {
    from: options.from,
    to: options.to,
    limit: String(limit),
  });
  if (result.status !== 200) throw client.failure(result, 'listing dead letters');
  const letters = (result.body as { deadLetters: DeadLetterView[] }).deadLetters;
  if (options.json) {
    for (const letter of letters) io.stdout.write(`${JSON.stringify(letter)}\n`);
    return EXIT.ok;
  }
  if (letters.length === 0) {
    io.stdout.write('no dead letters\n');
    return EXIT.ok;
  }
  const rows = letters.map((letter) => [
    letter.enqueuedTime,
    letter.tenant,
    `${letter.partitionId}/${letter.sequenceNumber}`,
    letter.reason.code,
    letter.reason.pointer,
    letter.reason.message,
  ]);
  for (const line of formatTable(
    ['ENQUEUED', 'TENANT', 'PARTITION/SEQ', 'REASON', 'FIELD', 'MESSAGE'],
    rows,
    60,
  )) {
    io.stdout.write(`${line}\n`);
  }
  io.stderr.write(
    `${letters.length} dead letter${letters.length === 1 ? '' : 's'}${letters.length === limit ? ` (the first ${limit}: raise --limit for more)` : ''}\n`,
  );
  return EXIT.ok;
}
