/**
 * The whole path on one machine: the example SQL MCP server, audited through the client, publishes
 * to the local host's AMQP Event Hubs endpoint (src/host with src/eventhubs-local, not Azure); the
 * ingest function stores the events in the host's own Azurite; GET /api/events reads them back.
 * Once in-process over an in-memory transport, and once as a user runs it: the documented command
 * in a child process, spoken to over stdio.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { startLocalHost, type LocalHost } from '../../../src/host/server';
import { AuditEventBuilder, AuditProducer, createUuidV7Generator } from '../../../client';
import { openDatabase } from '../../../examples/sql-mcp-server/database';
import { createAuditedSqlServer } from '../../../examples/sql-mcp-server/server';

jest.setTimeout(120_000);

const REGISTER = path.resolve(__dirname, '../../host/support/register-ts.js');
const MAIN = path.resolve(__dirname, '../../../examples/sql-mcp-server/main.ts');

interface EventView {
  id: string;
  tenant: string;
  type: string;
  record: { event: { source: string; data: Record<string, unknown> } };
}

let host: LocalHost;
let folder: string;

beforeAll(async () => {
  folder = mkdtempSync(path.join(tmpdir(), 'audit-client-host-'));
  host = await startLocalHost({
    port: 0,
    amqpPort: 0,
    dataDir: path.join(folder, 'data'),
    env: {},
    cwd: folder,
    log: () => undefined,
  });
});

afterAll(async () => {
  await host?.close();
  rmSync(folder, { recursive: true, force: true });
});

async function get(
  route: string,
  query: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const url = new URL(`${host.url}/api/${route}`);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const response = await fetch(url, { headers: { 'x-functions-key': host.adminKey as string } });
  return { status: response.status, body: await response.json() };
}

describe('an audited tool call, read back from the local host', () => {
  it('is queryable through GET /api/events as soon as the client has its result', async () => {
    const ids: string[] = [];
    const newId = createUuidV7Generator();
    const producer = await AuditProducer.open({
      connection: { connectionString: host.eventHubs!.connectionString },
    });
    const { server } = createAuditedSqlServer(await openDatabase(), {
      producer,
      events: new AuditEventBuilder({
        source: '/sqlmcp/servers/in-process',
        tenantId: 'contoso',
        newId: () => {
          const id = newId();
          ids.push(id);
          return id;
        },
      }),
      actor: { id: 'analyst-1', type: 'user' },
      target: { server: 'sqlite', database: 'demo' },
      mode: 'fail-closed',
    });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await server.connect(serverTransport);
    const client = new Client({ name: 'host-test', version: '1.0.0' });
    await client.connect(clientTransport);
    try {
      await client.callTool({ name: 'read_query', arguments: { query: 'SELECT * FROM orders' } });
      const toolEventId = ids.at(-1) as string;
      const { status, body } = await get(`events/${toolEventId}`);
      expect(status).toBe(200);
      const view = body as EventView;
      expect([view.id, view.tenant, view.type]).toEqual([
        toolEventId,
        'contoso',
        'com.sqlmcp.tool.invoked',
      ]);
      expect(view.record.event.data).toMatchObject({
        actor: { id: 'analyst-1', type: 'user' },
        client: { name: 'host-test', version: '1.0.0' },
        // The default redaction policy replaces free-form tool arguments with their keyed hash.
        tool: {
          name: 'read_query',
          arguments: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/),
        },
        statement: { text: 'SELECT * FROM orders' },
        target: { server: 'sqlite', database: 'demo' },
        outcome: { status: 'success', rowsReturned: 4 },
      });
      expect(
        (view.record as unknown as { derived: { statementKind: string } }).derived.statementKind,
      ).toBe('SELECT');
      const listed = await get('events', { tool: 'read_query', type: 'com.sqlmcp.tool.invoked' });
      expect((listed.body as { events: EventView[] }).events.map((e) => e.id)).toContain(
        toolEventId,
      );
    } finally {
      await client.close();
      await producer.close();
    }
  });
});

describe('the example server run with its documented command', () => {
  it('answers an MCP client over stdio and its audit events reach the local host', async () => {
    const spool = path.join(folder, 'example.spool');
    const stderr: string[] = [];
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['-r', REGISTER, MAIN],
      cwd: folder,
      env: {
        PATH: process.env.PATH ?? '',
        EVENTHUB_CONNECTION: host.eventHubs!.connectionString,
        AUDIT_TENANT: 'stdio-demo',
        AUDIT_SPOOL: spool,
      },
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const client = new Client({ name: 'stdio-test', version: '2.0.0' });
    await client.connect(transport);
    try {
      const result = await client.callTool({ name: 'list_tables', arguments: {} });
      expect(result.structuredContent).toEqual({
        rows: [{ name: 'customers' }, { name: 'orders' }],
      });
    } finally {
      await client.close();
    }
    const listed = await get('events', { tool: 'list_tables' });
    const events = (listed.body as { events: EventView[] }).events.filter(
      (e) => e.tenant === 'stdio-demo',
    );
    expect(events.map((e) => [e.type, e.record.event.source])).toEqual([
      ['com.sqlmcp.tool.invoked', '/sqlmcp/servers/example-sqlite'],
    ]);
    expect(events[0]?.record.event.data).toMatchObject({
      actor: { id: 'local-user', type: 'user' },
      client: { name: 'stdio-test', version: '2.0.0' },
      target: { server: 'sqlite', database: 'demo' },
      outcome: { status: 'success', rowsReturned: 2 },
    });
    expect(stderr.join('')).toContain(
      'sql-mcp-example on stdio, auditing fail-closed as tenant stdio-demo',
    );

    // Closing stdin ends the session; the server records that before it exits.
    const deadline = Date.now() + 15_000;
    let ended: EventView[] = [];
    while (ended.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const page = await get('events', { type: 'com.sqlmcp.session.ended' });
      ended = (page.body as { events: EventView[] }).events.filter(
        (e) => e.tenant === 'stdio-demo',
      );
    }
    expect(ended.map((e) => e.record.event.data['session'])).toEqual([
      events[0]?.record.event.data['session'],
    ]);
  });
});
