/**
 * The Sentinel uploader and exportBatch against a local HTTPS endpoint that speaks the Logs Ingestion API
 * protocol as @azure/monitor-ingestion uses it (POST /dataCollectionRules/{ruleId}/streams/{stream},
 * gzip-compressed JSON arrays, bearer tokens, 204 on success, 429 with Retry-After when throttled). It is a
 * test server on 127.0.0.1, not Azure: it checks what the real SDK sends through its real pipeline (token,
 * gzip, retry and TLS policies), trusting the test-only certificate in test/data/sentinel/ via tlsOptions.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { deriveFacts } from '../../src/normalize/facts';
import { encodeRecord, recordLeafHash, type AuditRecord } from '../../src/pipeline/record';
import type { AuditEvent } from '../../src/schema/types';
import { toAsimRow, type AsimAuditEventRow } from '../../src/sentinel/asim';
import { SENTINEL_STREAM_NAME } from '../../src/sentinel/columns';
import { exportBatch } from '../../src/sentinel/export';
import type { SentinelSettings } from '../../src/sentinel/settings';
import {
  createSentinelUploader,
  MAX_ROW_BYTES,
  type SentinelUploader,
} from '../../src/sentinel/uploader';
import { freshStorage } from '../support/storage';
import { deliver, toolEvent } from './support/events';
import { ingest } from './support/ingest';

const TLS_DIR = join(__dirname, '..', 'data', 'sentinel');
const CERT = readFileSync(join(TLS_DIR, 'localhost.cert.pem'));
const KEY = readFileSync(join(TLS_DIR, 'localhost.key.pem'));
const RULE_ID = 'dcr-00112233445566778899aabbccddeeff';

interface RecordedRequest {
  at: number;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rows: AsimAuditEventRow[];
  uncompressedBytes: number;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** The local endpoint: records every request and answers as `reply` decides (204 by default). */
class LocalIngestionEndpoint {
  readonly requests: RecordedRequest[] = [];
  reply: (request: RecordedRequest, ordinal: number) => Reply = () => ({ status: 204 });
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer({ key: KEY, cert: CERT }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        const recorded: RecordedRequest = {
          at: Date.now(),
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          rows: JSON.parse(body.toString('utf8')) as AsimAuditEventRow[],
          uncompressedBytes: body.length,
        };
        this.requests.push(recorded);
        const reply = this.reply(recorded, this.requests.length);
        res.writeHead(reply.status, {
          ...(reply.body ? { 'content-type': 'application/json' } : {}),
          ...reply.headers,
        });
        res.end(reply.body);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

class FakeCredential implements TokenCredential {
  readonly scopes: string[][] = [];
  async getToken(scopes: string | string[]): Promise<AccessToken> {
    this.scopes.push(Array.isArray(scopes) ? scopes : [scopes]);
    return { token: 'local-test-token', expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

function rowFor(event: AuditEvent, index: number): AsimAuditEventRow {
  const record: AuditRecord = {
    v: 1,
    event,
    derived: deriveFacts(event),
    log: { partition: '0', index, sequenceNumber: index, enqueuedTime: '2025-03-04T05:06:30.000Z' },
  };
  return toAsimRow(record, recordLeafHash(encodeRecord(record)).toString('hex'));
}

function rows(count: number, statementChars = 40): AsimAuditEventRow[] {
  return Array.from({ length: count }, (_, i) =>
    rowFor(
      toolEvent(`row-${i}`, {
        data: {
          statement: { text: `SELECT '${'x'.repeat(statementChars)}' AS c${i}` },
        } as AuditEvent['data'],
      }),
      i,
    ),
  );
}

describe('Sentinel upload over the Logs Ingestion protocol (local endpoint)', () => {
  const endpoint = new LocalIngestionEndpoint();
  let settings: SentinelSettings;
  let credential: FakeCredential;
  let uploader: SentinelUploader;

  beforeAll(async () => {
    settings = {
      endpoint: await endpoint.start(),
      ruleId: RULE_ID,
      streamName: SENTINEL_STREAM_NAME,
    };
  });
  afterAll(async () => {
    await endpoint.stop();
  });
  beforeEach(() => {
    endpoint.requests.length = 0;
    endpoint.reply = () => ({ status: 204 });
    credential = new FakeCredential();
    uploader = createSentinelUploader(settings, {
      credential,
      clientOptions: {
        tlsOptions: { ca: CERT },
        retryOptions: { maxRetries: 2, retryDelayInMs: 10, maxRetryDelayInMs: 40 },
      },
    });
  });

  it('posts to /dataCollectionRules/{ruleId}/streams/{stream}', async () => {
    await uploader.upload(rows(2));
    expect(
      endpoint.requests.map((r) => `${r.method} ${new URL(r.url, 'https://local').pathname}`),
    ).toEqual([`POST /dataCollectionRules/${RULE_ID}/streams/Custom-SqlMcpAudit_CL`]);
  });

  it('names api-version 2023-01-01 in the query (the SDK percent-encodes the hyphen; servers decode it)', async () => {
    await uploader.upload(rows(1));
    const url = (endpoint.requests[0] as RecordedRequest).url;
    expect([
      url.slice(url.indexOf('?')),
      new URL(url, 'https://local').searchParams.get('api-version'),
    ]).toEqual(['?api%2Dversion=2023-01-01', '2023-01-01']);
  });

  it('sends the rows as a gzip-compressed JSON array', async () => {
    const sent = rows(3);
    await uploader.upload(sent);
    const request = endpoint.requests[0] as RecordedRequest;
    expect([request.headers['content-encoding'], request.headers['content-type']]).toEqual([
      'gzip',
      'application/json',
    ]);
    expect(request.rows).toEqual(sent);
  });

  it('authenticates with a bearer token for the Azure Monitor scope', async () => {
    await uploader.upload(rows(1));
    expect(endpoint.requests[0]?.headers.authorization).toBe('Bearer local-test-token');
    expect(credential.scopes).toEqual([['https://monitor.azure.com/.default']]);
  });

  it('splits a large batch into requests under 1 MB and sends every row exactly once', async () => {
    const sent = rows(1200, 2000); // about 3 MB of JSON
    await uploader.upload(sent);
    expect(endpoint.requests.length).toBeGreaterThanOrEqual(3);
    expect(endpoint.requests.filter((r) => r.uncompressedBytes > 1_048_576)).toEqual([]);
    const received = endpoint.requests.flatMap((r) => r.rows.map((row) => row.AuditEventId)).sort();
    expect(received).toEqual(sent.map((row) => row.AuditEventId).sort());
  });

  it('waits for Retry-After when throttled (429) and then succeeds', async () => {
    endpoint.reply = (_, ordinal) =>
      ordinal === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 204 };
    await uploader.upload(rows(2));
    expect(endpoint.requests.length).toBe(2);
    expect(
      (endpoint.requests[1]?.at ?? 0) - (endpoint.requests[0]?.at ?? 0),
    ).toBeGreaterThanOrEqual(900);
    expect(endpoint.requests[1]?.rows).toEqual(endpoint.requests[0]?.rows);
  });

  it('fails the whole batch when the endpoint keeps answering 500, naming how many rows failed', async () => {
    endpoint.reply = () => ({
      status: 500,
      body: JSON.stringify({ error: { code: 'InternalServerError', message: 'try later' } }),
    });
    await expect(uploader.upload(rows(2))).rejects.toMatchObject({
      name: 'SentinelUploadError',
      failedRows: 2,
      totalRows: 2,
      message:
        '2 of 2 rows were not accepted by stream Custom-SqlMcpAudit_CL; first cause: try later',
    });
    expect(endpoint.requests.length).toBe(3); // the first attempt and maxRetries = 2
  });

  it('counts only the rows of the chunk that failed, and still fails the batch', async () => {
    const sent = rows(700, 2000); // at least two chunks
    const poisoned = 'row-0';
    endpoint.reply = (request) =>
      request.rows.some((row) => row.AuditEventId === poisoned)
        ? {
            status: 400,
            body: JSON.stringify({ error: { code: 'InvalidStream', message: 'bad row' } }),
          }
        : { status: 204 };
    const failure = await uploader.upload(sent).catch((error: unknown) => error);
    const failedChunk = endpoint.requests.find((r) =>
      r.rows.some((row) => row.AuditEventId === poisoned),
    ) as RecordedRequest;
    expect(failedChunk.rows.length).toBeLessThan(sent.length);
    expect(failure).toMatchObject({
      name: 'SentinelUploadError',
      failedRows: failedChunk.rows.length,
      totalRows: 700,
    });
  });

  it('refuses a row too large for one request without sending anything', async () => {
    const [row] = rows(1);
    const huge = { ...(row as AsimAuditEventRow), EventMessage: 'x'.repeat(MAX_ROW_BYTES) };
    const bytes = Buffer.byteLength(JSON.stringify(huge), 'utf8');
    await expect(uploader.upload([huge])).rejects.toThrow(
      `row 0 (event row-0) is ${bytes} bytes of JSON; one upload request takes at most 1000000`,
    );
    expect(endpoint.requests).toEqual([]);
  });

  it('sends nothing for an empty batch', async () => {
    await uploader.upload([]);
    expect(endpoint.requests).toEqual([]);
  });

  describe('exportBatch', () => {
    it('throws while the endpoint keeps failing, and uploads every row once it recovers', async () => {
      const clients = await freshStorage();
      const delivered = deliver('0', 0, [toolEvent('x-1'), toolEvent('x-2')]);
      await ingest(clients, delivered);
      const deps = { tables: clients.tables, archive: clients.containers.archive, sink: uploader };

      endpoint.reply = () => ({
        status: 500,
        body: JSON.stringify({ error: { code: 'InternalServerError', message: 'down' } }),
      });
      await expect(exportBatch(deps, delivered)).rejects.toThrow(
        '2 of 2 rows were not accepted by stream Custom-SqlMcpAudit_CL; first cause: down',
      );

      endpoint.requests.length = 0;
      endpoint.reply = () => ({ status: 204 });
      await expect(exportBatch(deps, delivered)).resolves.toEqual({
        delivered: 2,
        exported: 2,
        fromArchive: 0,
        deadLettered: 0,
        duplicates: 0,
      });
      expect(endpoint.requests.flatMap((r) => r.rows.map((row) => row.AuditEventId))).toEqual([
        'x-1',
        'x-2',
      ]);
    });
  });
});
