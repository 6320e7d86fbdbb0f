/**
 * Splits a POST /api/events body into single events, keeping each event's bytes as sent where the format
 * allows (one event; NDJSON lines). Elements of a JSON array are re-serialized: the array had to be parsed
 * to find them. A line or element that is not a valid event is not an error here: it goes through the
 * pipeline, which dead-letters it with its reason.
 */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

export type BodyFormat = 'single' | 'batch' | 'ndjson';

export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

export function bodyFormatOf(contentType: string | null): BodyFormat {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  switch (type) {
    case 'application/cloudevents+json':
      return 'single';
    case 'application/cloudevents-batch+json':
      return 'batch';
    case 'application/json':
    case '':
      return 'batch'; // an object is one event, an array a batch: decided after parsing
    case 'application/x-ndjson':
    case 'application/ndjson':
    case 'application/jsonl':
      return 'ndjson';
    default:
      throw new BodyError(
        415,
        'unsupported-media-type',
        `content type "${type}" is not supported: send application/cloudevents+json, application/cloudevents-batch+json, application/json or application/x-ndjson`,
      );
  }
}

export function splitEvents(body: Buffer, format: BodyFormat): Buffer[] {
  if (body.length > MAX_REQUEST_BYTES) {
    throw new BodyError(
      413,
      'too-large',
      `request body is ${body.length} bytes; the limit is ${MAX_REQUEST_BYTES}`,
    );
  }
  if (format === 'ndjson') {
    const lines: Buffer[] = [];
    let start = 0;
    for (let i = 0; i <= body.length; i++) {
      if (i === body.length || body[i] === 0x0a) {
        let line = body.subarray(start, i);
        if (line.length > 0 && line[line.length - 1] === 0x0d)
          line = line.subarray(0, line.length - 1);
        if (line.toString('utf8').trim() !== '') lines.push(line);
        start = i + 1;
      }
    }
    if (lines.length === 0) throw new BodyError(400, 'empty', 'the body holds no events');
    return lines;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new BodyError(
      400,
      'invalid-json',
      `the body is not valid JSON: ${(error as Error).message}`,
    );
  }
  if (Array.isArray(parsed)) {
    if (format === 'single')
      throw new BodyError(
        400,
        'not-an-event',
        'application/cloudevents+json carries one event, not an array',
      );
    if (parsed.length === 0) throw new BodyError(400, 'empty', 'the batch holds no events');
    return parsed.map((item) => Buffer.from(JSON.stringify(item) ?? 'null', 'utf8'));
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw new BodyError(
      400,
      'not-an-event',
      'the body must be a JSON object (one event) or an array of events',
    );
  }
  return [body];
}

/** The tenant and partition key an event names, read without validating it (the pipeline validates). */
export function routingOf(event: Buffer): {
  tenant: string | undefined;
  partitionKey: string | undefined;
} {
  try {
    const value = JSON.parse(event.toString('utf8')) as Record<string, unknown>;
    const tenant = typeof value.tenantid === 'string' ? value.tenantid : undefined;
    const explicit =
      typeof value.partitionkey === 'string' && value.partitionkey !== ''
        ? value.partitionkey
        : undefined;
    return { tenant, partitionKey: explicit ?? tenant };
  } catch {
    return { tenant: undefined, partitionKey: undefined };
  }
}
