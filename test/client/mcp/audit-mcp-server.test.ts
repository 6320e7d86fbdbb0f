/**
 * The MCP wrapper end to end: the SDK's Client calls the example SQL MCP server over an in-memory
 * transport; the audit events arrive at the local AMQP endpoint (src/eventhubs-local, not Azure).
 */
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Database } from 'sql.js';
import {
  AuditProducer,
  auditMcpServer,
  McpAuditSetupError,
  type McpAuditOptions,
  type McpCaller,
} from '../../../client';
import { openDatabase } from '../../../examples/sql-mcp-server/database';
import { createAuditedSqlServer } from '../../../examples/sql-mcp-server/server';
import { registerSqlTools } from '../../../examples/sql-mcp-server/tools';
import {
  builderFor,
  Cleanup,
  connectionStringFor,
  FAST_RETRIES,
  Recorder,
  startEndpoint,
  unreachablePort,
} from '../support/hub';
import { temporaryDirectory } from '../support/spool-fixture';

jest.setTimeout(30_000);
const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const CLIENT_INFO = { name: 'test-client', version: '1.2.3' };
const TARGET = { server: 'sqlite', database: 'demo' };

interface Setup {
  client: Client;
  db: Database;
  recorder: Recorder;
  producer: AuditProducer;
  callers: McpCaller[];
}

async function connect(
  options: Partial<McpAuditOptions> & { producer?: AuditProducer } = {},
): Promise<Setup> {
  const { hub, recorder } = await startEndpoint();
  cleanup.add(hub);
  const producer =
    options.producer ??
    cleanup.add(
      await AuditProducer.open({
        connection: { connectionString: hub.connectionString },
        retryOptions: FAST_RETRIES,
      }),
    );
  const db = await openDatabase();
  const callers: McpCaller[] = [];
  const { server } = createAuditedSqlServer(db, {
    producer,
    events: builderFor('contoso'),
    actor: (caller) => {
      callers.push(caller);
      return { id: `client:${caller.client?.name ?? 'unknown'}`, type: 'agent' };
    },
    target: TARGET,
    mode: 'fail-closed',
    timeoutMs: 2000,
    ...options,
  });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = new Client(CLIENT_INFO);
  await client.connect(clientTransport);
  cleanup.add(client);
  return { client, db, recorder, producer, callers };
}

function toolEvents(recorder: Recorder) {
  return recorder.bodies.filter((body) => body.type === 'com.sqlmcp.tool.invoked');
}

describe('a tool call through the audited example server', () => {
  it('returns the rows and has recorded the call at the endpoint by the time the client sees them', async () => {
    const { client, recorder } = await connect();
    const result = await client.callTool({
      name: 'read_query',
      arguments: { query: 'SELECT id, name FROM customers ORDER BY id' },
    });
    expect(result.structuredContent).toEqual({
      rows: [
        { id: 1, name: 'Contoso Ltd' },
        { id: 2, name: 'Fabrikam Inc' },
        { id: 3, name: 'Northwind Traders' },
      ],
    });
    const [event] = toolEvents(recorder);
    const started = recorder.bodies.find((body) => body.type === 'com.sqlmcp.session.started');
    const sessionId = (started?.data['session'] as { id: string }).id;
    expect(event).toMatchObject({
      specversion: '1.0',
      source: '/sqlmcp/servers/test-01',
      tenantid: 'contoso',
      data: {
        actor: { id: 'client:test-client', type: 'agent' },
        client: CLIENT_INFO,
        session: { id: sessionId },
        tool: {
          name: 'read_query',
          arguments: { query: 'SELECT id, name FROM customers ORDER BY id' },
        },
        target: TARGET,
        statement: { text: 'SELECT id, name FROM customers ORDER BY id' },
        outcome: { status: 'success', rowsReturned: 3, durationMs: expect.any(Number) },
      },
    });
  });

  it('records rows affected by a write', async () => {
    const { client, recorder } = await connect();
    await client.callTool({
      name: 'write_query',
      arguments: { query: "UPDATE customers SET country = 'BE' WHERE id < 3" },
    });
    expect(toolEvents(recorder)[0]?.data['outcome']).toMatchObject({
      status: 'success',
      rowsAffected: 2,
    });
  });

  it('records list_tables and describe_table', async () => {
    const { client, recorder } = await connect();
    const tables = await client.callTool({ name: 'list_tables', arguments: {} });
    expect(tables.structuredContent).toEqual({ rows: [{ name: 'customers' }, { name: 'orders' }] });
    const columns = await client.callTool({
      name: 'describe_table',
      arguments: { table: 'customers' },
    });
    expect(columns.structuredContent).toEqual({
      rows: [
        { name: 'id', type: 'INTEGER', nullable: true, default: null, primaryKey: true },
        { name: 'name', type: 'TEXT', nullable: false, default: null, primaryKey: false },
        { name: 'country', type: 'TEXT', nullable: false, default: null, primaryKey: false },
      ],
    });
    expect(
      toolEvents(recorder).map((e) => [
        (e.data['tool'] as { name: string }).name,
        e.data['outcome'],
      ]),
    ).toEqual([
      ['list_tables', { status: 'success', rowsReturned: 2, durationMs: expect.any(Number) }],
      ['describe_table', { status: 'success', rowsReturned: 3, durationMs: expect.any(Number) }],
    ]);
  });

  it('records a failing tool with its error message', async () => {
    const { client, recorder } = await connect();
    const result = await client.callTool({
      name: 'read_query',
      arguments: { query: 'SELECT * FROM nope' },
    });
    expect(result.isError).toBe(true);
    expect(toolEvents(recorder)[0]?.data['outcome']).toEqual({
      status: 'failure',
      durationMs: expect.any(Number),
      errorMessage: 'no such table: nope',
    });
  });

  it('records a call the server refuses: an unknown tool', async () => {
    const { client, recorder } = await connect();
    await client.callTool({ name: 'drop_everything', arguments: { really: true } });
    expect(toolEvents(recorder)[0]?.data).toMatchObject({
      tool: { name: 'drop_everything', arguments: { really: true } },
      outcome: {
        status: 'failure',
        errorMessage: 'MCP error -32602: Tool drop_everything not found',
      },
    });
  });

  it('records a call the server refuses: invalid arguments', async () => {
    const { client, recorder } = await connect();
    await client.callTool({ name: 'read_query', arguments: { query: 42 } });
    const outcome = toolEvents(recorder)[0]?.data['outcome'] as {
      status: string;
      errorMessage: string;
    };
    expect(outcome.status).toBe('failure');
    expect(outcome.errorMessage).toMatch(
      /^MCP error -32602: Input validation error: Invalid arguments for tool read_query: /,
    );
  });

  it('reports the session and the client to the actor function', async () => {
    const { client, callers } = await connect();
    await client.callTool({ name: 'list_tables', arguments: {} });
    expect(callers.at(-1)).toEqual({ sessionId: expect.any(String), client: CLIENT_INFO });
  });
});

describe('the example tools', () => {
  it('undo whatever read_query changed and refuse it', async () => {
    const { client, db, recorder } = await connect();
    const result = await client.callTool({
      name: 'read_query',
      arguments: { query: 'DELETE FROM orders' },
    });
    expect(result.content).toEqual([
      {
        type: 'text',
        text: 'read_query runs read-only statements; use write_query to change data',
      },
    ]);
    expect(db.exec('SELECT COUNT(*) FROM orders')[0]?.values).toEqual([[4]]);
    expect(toolEvents(recorder)[0]?.data['statement']).toEqual({ text: 'DELETE FROM orders' });
  });

  it('refuse more than one statement', async () => {
    const { client, db } = await connect();
    const result = await client.callTool({
      name: 'write_query',
      arguments: { query: 'DELETE FROM orders; DELETE FROM customers' },
    });
    expect(result.content).toEqual([
      { type: 'text', text: 'expected one SQL statement, got several' },
    ]);
    expect(db.exec('SELECT COUNT(*) FROM orders')[0]?.values).toEqual([[4]]);
  });

  it('refuse a SELECT through write_query', async () => {
    const { client } = await connect();
    const result = await client.callTool({ name: 'write_query', arguments: { query: 'SELECT 1' } });
    expect(result.content).toEqual([
      { type: 'text', text: 'write_query does not return rows; use read_query for SELECT' },
    ]);
  });

  it('create a table through write_query', async () => {
    const { client, recorder } = await connect();
    await client.callTool({
      name: 'write_query',
      arguments: { query: 'CREATE TABLE notes (body TEXT)' },
    });
    const tables = await client.callTool({ name: 'list_tables', arguments: {} });
    expect(tables.structuredContent).toEqual({
      rows: [{ name: 'customers' }, { name: 'notes' }, { name: 'orders' }],
    });
    expect(toolEvents(recorder)[0]?.data['outcome']).toMatchObject({
      status: 'success',
      rowsAffected: 0,
    });
  });
});

describe('sessions', () => {
  it('records session started after initialize and session ended when the connection closes', async () => {
    const { client, recorder, producer } = await connect();
    await client.callTool({ name: 'list_tables', arguments: {} });
    await client.close();
    await new Promise((resolve) => setImmediate(resolve));
    await producer.flush();
    const types = recorder.bodies.map((body) => body.type);
    expect(types).toEqual([
      'com.sqlmcp.session.started',
      'com.sqlmcp.tool.invoked',
      'com.sqlmcp.session.ended',
    ]);
    const sessions = new Set(
      recorder.bodies.map((body) => (body.data['session'] as { id: string }).id),
    );
    expect(sessions.size).toBe(1);
    expect(recorder.bodies[0]?.data).toEqual({
      actor: { id: 'client:test-client', type: 'agent' },
      session: { id: [...sessions][0] },
      client: CLIENT_INFO,
    });
  });
});

describe('fail-closed with nowhere to record', () => {
  it('refuses a write before it runs once the spool is known to be full', async () => {
    const producer = cleanup.add(
      await AuditProducer.open({
        connection: { connectionString: connectionStringFor(await unreachablePort()) },
        retryOptions: FAST_RETRIES,
        spool: { path: path.join(temporaryDirectory(), 'audit.spool'), maxBytes: 1200 },
      }),
    );
    const { client, db } = await connect({ producer });
    // The session event and this call's event fill the spool; the next one does not fit.
    await client.callTool({ name: 'list_tables', arguments: {} }).catch(() => undefined);
    await client.callTool({ name: 'list_tables', arguments: {} }).catch(() => undefined);
    const writing = client.callTool({
      name: 'write_query',
      arguments: { query: 'DELETE FROM orders' },
    });
    await expect(writing).rejects.toThrow(
      /^MCP error -32603: tool write_query did not run: its audit event could not be recorded \(Event Hubs is unreachable and the spool cannot take more events \(spool .* is full: .*\)\)$/,
    );
    expect(db.exec('SELECT COUNT(*) FROM orders')[0]?.values).toEqual([[4]]);
  });

  it('withholds the result when Event Hubs is unreachable and there is no spool', async () => {
    const producer = cleanup.add(
      await AuditProducer.open({
        connection: { connectionString: connectionStringFor(await unreachablePort()) },
        retryOptions: FAST_RETRIES,
      }),
    );
    const { client } = await connect({ producer });
    await expect(client.callTool({ name: 'list_tables', arguments: {} })).rejects.toThrow(
      /^MCP error -32603: the result of tool list_tables is withheld: its audit event [0-9a-f-]{36} was not recorded \(Event Hubs did not accept the event and no spool is configured \(.+\)\)$/,
    );
  });
});

describe('fail-open with nowhere to record', () => {
  it('returns the result and counts the gap', async () => {
    const producer = cleanup.add(
      await AuditProducer.open({
        connection: { connectionString: connectionStringFor(await unreachablePort()) },
        retryOptions: FAST_RETRIES,
      }),
    );
    const { client } = await connect({ producer, mode: 'fail-open' });
    const result = await client.callTool({ name: 'list_tables', arguments: {} });
    expect(result.isError).toBeUndefined();
    await producer.flush();
    await new Promise((resolve) => setImmediate(resolve));
    // The session start and the tool call.
    expect(producer.stats().gaps).toBe(2);
  });
});

describe('error messages', () => {
  it('are fitted to the schema: other control characters replaced, cut at 4096 code points', async () => {
    const { hub, recorder } = await startEndpoint();
    cleanup.add(hub);
    const producer = cleanup.add(
      await AuditProducer.open({
        connection: { connectionString: hub.connectionString },
        retryOptions: FAST_RETRIES,
      }),
    );
    const server = new McpServer({ name: 'noisy', version: '1' });
    auditMcpServer(server, {
      producer,
      events: builderFor(),
      actor: { id: 'a', type: 'user' },
      mode: 'fail-closed',
    });
    server.registerTool('noisy', { description: 'fails loudly' }, async () => ({
      content: [{ type: 'text', text: `bell\u0007tab\tline\n${'é'.repeat(5000)}` }],
      isError: true,
    }));
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await server.connect(serverTransport);
    const client = cleanup.add(new Client(CLIENT_INFO));
    await client.connect(clientTransport);
    await client.callTool({ name: 'noisy', arguments: {} });
    const message = (toolEvents(recorder)[0]?.data['outcome'] as { errorMessage: string })
      .errorMessage;
    expect(message).toBe(`bell\ufffdtab\tline\n${'é'.repeat(4096 - 14)}`);
  });
});

describe('attaching the wrapper', () => {
  it('refuses a server whose tools are already registered', async () => {
    const producer = cleanup.add(
      await AuditProducer.open({ connection: { connectionString: connectionStringFor(1) } }),
    );
    const server = new McpServer({ name: 'late', version: '1' });
    registerSqlTools(server, await openDatabase());
    expect(() =>
      auditMcpServer(server, {
        producer,
        events: builderFor(),
        actor: { id: 'a', type: 'user' },
        mode: 'fail-open',
      }),
    ).toThrow(
      new McpAuditSetupError(
        'auditMcpServer must be called before the first tool is registered: the tools/call handler is already installed',
      ),
    );
  });
});
