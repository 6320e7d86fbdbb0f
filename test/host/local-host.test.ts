/**
 * The local host as a user runs it: `mcp-audit start` in a child process with a fresh data folder (its own
 * Azurite under <data>/azurite), traffic sent through the CLI, read back over HTTP and through the CLI.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventHubProducerClient } from '@azure/event-hubs';
import { partitionForKey } from '../../src/eventhubs-local';
import { HubJournal } from '../../src/host/hub-journal';
import { simulateTraffic } from '../../src/simulate/traffic';
import { HostProcess, runCli } from './support/cli-process';

jest.setTimeout(120_000);

interface SimEvent {
  id: string;
  time: string;
  type: string;
  tenantid: string;
  data: {
    actor: { id: string };
    target?: { database?: string; objects?: string[] };
    tool?: { name?: string };
    statement?: { text?: string };
    outcome?: { status?: string };
    session?: { id?: string };
  };
}

const SEED = 11;
const COUNT = 240;
const simulated = [...simulateTraffic({ seed: SEED, count: COUNT, tenants: 3 })].map(
  (s) => s.event as unknown as SimEvent,
);
const [A, B] = [...new Set(simulated.map((e) => e.tenantid))].sort() as [string, string];
const ADMIN = 'admin-key-for-local-host-tests';
const KEY_A = `key-for-${A}-only-0001`;
const KEY_B = `key-for-${B}-only-0002`;

const idsWhere = (predicate: (event: SimEvent) => boolean): string[] =>
  simulated
    .filter(predicate)
    .map((e) => e.id)
    .sort();
const mostCommon = (values: (string | undefined)[]): string => {
  const counts = new Map<string, number>();
  for (const value of values)
    if (value !== undefined) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort((x, y) => y[1] - x[1])[0]?.[0] as string;
};

interface Page {
  events: { id: string; tenant: string }[];
  continuationToken?: string;
}

function api(host: HostProcess) {
  const call = async (
    route: string,
    init: {
      key?: string;
      query?: Record<string, string>;
      method?: string;
      body?: string | Buffer;
      type?: string;
    } = {},
  ) => {
    const url = new URL(`${host.url}/api/${route}`);
    for (const [name, value] of Object.entries(init.query ?? {})) url.searchParams.set(name, value);
    const headers: Record<string, string> = {};
    if (init.key !== undefined) headers['x-functions-key'] = init.key;
    if (init.type !== undefined) headers['content-type'] = init.type;
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
    };
  };
  /** Every event id of a listing, following continuation tokens; also the page sizes. */
  const listAll = async (query: Record<string, string>, key = ADMIN) => {
    const ids: string[] = [];
    const pages: number[] = [];
    let token: string | undefined;
    do {
      const result = await call('events', {
        key,
        query: { limit: '1000', ...query, ...(token ? { continuationToken: token } : {}) },
      });
      if (result.status !== 200)
        throw new Error(
          `listing ${JSON.stringify(query)}: ${result.status} ${JSON.stringify(result.body)}`,
        );
      const page = result.body as unknown as Page;
      ids.push(...page.events.map((e) => e.id));
      pages.push(page.events.length);
      token = page.continuationToken;
    } while (token !== undefined);
    return { ids, pages };
  };
  return { call, listAll };
}

describe('the local host, started with `mcp-audit start`', () => {
  let cwd: string;
  let host: HostProcess;
  let http: ReturnType<typeof api>;

  beforeAll(async () => {
    cwd = mkdtempSync(path.join(tmpdir(), 'local-host-'));
    const keys = { [ADMIN]: '*', [KEY_A]: [A], [KEY_B]: [B] };
    writeFileSync(
      path.join(cwd, 'local.settings.json'),
      JSON.stringify({ Values: { AUDIT_API_KEYS: JSON.stringify(keys) } }),
    );
    host = await HostProcess.start(['--port', '0', '--amqp-port', '0'], { cwd });
    http = api(host);
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('prints where it listens, where data lives, its keys and how to stop', () => {
    expect(host.output).toContain(`data         ${path.join(cwd, '.data')}\n`);
    expect(host.output).toContain(`storage      Azurite on 127.0.0.1:`);
    expect(host.output).toContain('key          3 key(s) from AUDIT_API_KEYS\n');
    expect(host.output).toContain('stop         Ctrl+C or SIGTERM');
  });

  it('answers /api/health without a key', async () => {
    const result = await http.call('health');
    expect([result.status, result.body?.status, result.body?.storage]).toEqual([
      200,
      'ok',
      'reachable',
    ]);
  });

  it('answers 401 without a key and with an unknown key', async () => {
    expect((await http.call('events')).status).toBe(401);
    expect((await http.call('events', { key: 'not-a-key-this-log-knows' })).status).toBe(401);
  });

  it('takes simulated traffic sent through the CLI, every event accepted', async () => {
    const run = await runCli(
      [
        'simulate',
        '--count',
        String(COUNT),
        '--seed',
        String(SEED),
        '--tenants',
        '3',
        '--url',
        host.url,
        '--key',
        ADMIN,
      ],
      { cwd },
    );
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toContain(`${COUNT} events sent from the simulation (seed ${SEED})`);
    expect(run.stdout).toContain(`\n  accepted   ${COUNT}\n  duplicate  0\n  rejected   0\n`);
  });

  it('reads every event back', async () => {
    const { ids } = await http.listAll({});
    expect(ids.sort()).toEqual(idsWhere(() => true));
  });

  it.each([
    ['tenant', () => A, (e: SimEvent, v: string) => e.tenantid === v],
    [
      'actor',
      () => mostCommon(simulated.map((e) => e.data.actor.id)),
      (e: SimEvent, v: string) => e.data.actor.id === v,
    ],
    [
      'database',
      () => mostCommon(simulated.map((e) => e.data.target?.database)),
      (e: SimEvent, v: string) => e.data.target?.database === v,
    ],
    [
      'tool',
      () => mostCommon(simulated.map((e) => e.data.tool?.name)),
      (e: SimEvent, v: string) => e.data.tool?.name === v,
    ],
    ['status', () => 'denied', (e: SimEvent, v: string) => e.data.outcome?.status === v],
    ['type', () => 'session.started', (e: SimEvent, v: string) => e.type === `com.sqlmcp.${v}`],
    [
      'session',
      () => mostCommon(simulated.map((e) => e.data.session?.id)),
      (e: SimEvent, v: string) => e.data.session?.id === v,
    ],
    ['from', () => simulated[60]?.time as string, (e: SimEvent, v: string) => e.time >= v],
    ['to', () => simulated[120]?.time as string, (e: SimEvent, v: string) => e.time < v],
  ])('filters by %s', async (name, value, matches) => {
    const v = value();
    const expected = idsWhere((e) => matches(e, v));
    expect(expected.length).toBeGreaterThan(0);
    const { ids } = await http.listAll({ [name]: v });
    expect(ids.sort()).toEqual(expected);
  });

  it('filters with the query language (q), AND-ed with the other filters', async () => {
    const database = mostCommon(simulated.map((e) => e.data.target?.database));
    const { ids } = await http.listAll({ q: `database:${database} AND status:success`, tenant: B });
    const expected = idsWhere(
      (e) =>
        e.tenantid === B &&
        e.data.target?.database === database &&
        e.data.outcome?.status === 'success',
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(ids.sort()).toEqual(expected);
  });

  it('matches object: and text: by substring against the whole record', async () => {
    // Neither is a hot-store column: the reader takes both from each row's record.
    const object = mostCommon(simulated.flatMap((e) => e.data.target?.objects ?? []));
    const word = 'where';
    const byObject = idsWhere((e) =>
      (e.data.target?.objects ?? []).join(',').toLowerCase().includes(String(object).toLowerCase()),
    );
    const byText = idsWhere(
      (e) => e.tenantid === A && (e.data.statement?.text ?? '').toLowerCase().includes(word),
    );
    const ofA = idsWhere((e) => e.tenantid === A).length;
    expect([byObject.length > 0, byText.length > 0, byText.length < ofA]).toEqual([
      true,
      true,
      true,
    ]);
    expect((await http.listAll({ q: `object:${String(object)}` })).ids.sort()).toEqual(byObject);
    expect((await http.listAll({ q: `text:${word.toUpperCase()}`, tenant: A })).ids.sort()).toEqual(
      byText,
    );
  });

  it('pages with continuation tokens: every event once, no page over the limit', async () => {
    const { ids, pages } = await http.listAll({ tenant: A, limit: '7' });
    expect(pages.length).toBeGreaterThan(2);
    expect(Math.max(...pages)).toBeLessThanOrEqual(7);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(idsWhere((e) => e.tenantid === A));
  });

  it('answers a query-language error with 400 and its position', async () => {
    const result = await http.call('events', {
      key: ADMIN,
      query: { q: 'database:sales AND databse:x' },
    });
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({
      error: 'invalid-query',
      position: 19,
      token: 'databse',
      caret: 'database:sales AND databse:x\n                   ^^^^^^^',
    });
    expect(String(result.body?.message)).toMatch(
      /^unknown field "databse" at 19: expected one of actor, /,
    );
  });

  describe('tenant isolation, with a key for one tenant', () => {
    const firstOf = (tenant: string): SimEvent =>
      simulated.find((e) => e.tenantid === tenant) as SimEvent;

    it('lists only that tenant', async () => {
      const { ids } = await http.listAll({}, KEY_A);
      expect(ids.sort()).toEqual(idsWhere((e) => e.tenantid === A));
    });

    it('answers 403 for another tenant', async () => {
      const result = await http.call('events', { key: KEY_A, query: { tenant: B } });
      expect([result.status, result.body]).toEqual([
        403,
        { error: 'forbidden', message: `this key may not use tenant "${B}"`, tenant: B },
      ]);
    });

    it('answers 403 to a POST of another tenant’s event', async () => {
      const event = { ...firstOf(B), id: 'posted-by-the-wrong-key' };
      const result = await http.call('events', {
        key: KEY_A,
        method: 'POST',
        body: JSON.stringify(event),
        type: 'application/cloudevents+json',
      });
      expect([result.status, result.body?.error]).toEqual([403, 'forbidden']);
    });

    it('answers 404 for another tenant’s event id, which that tenant’s key reads', async () => {
      const id = firstOf(B).id;
      expect((await http.call(`events/${id}`, { key: KEY_A })).status).toBe(404);
      const own = await http.call(`events/${id}`, { key: KEY_B });
      expect([own.status, own.body?.id, own.body?.tenant]).toEqual([200, id, B]);
    });

    it('refuses a forged continuation token with 400', async () => {
      const result = await http.call('events', {
        key: KEY_A,
        query: { continuationToken: 'eyJmb3JnZWQiOnRydWV9' },
      });
      expect([result.status, result.body?.error]).toEqual([400, 'invalid-continuation-token']);
    });

    it('refuses one key’s continuation token presented with another key', async () => {
      const query = { limit: '3' };
      const first = await http.call('events', { key: KEY_A, query });
      const token = (first.body as unknown as Page).continuationToken as string;
      expect(typeof token).toBe('string');
      const replay = await http.call('events', {
        key: KEY_B,
        query: { ...query, continuationToken: token },
      });
      expect([replay.status, replay.body?.error]).toEqual([400, 'invalid-continuation-token']);
    });
  });

  describe('request bodies', () => {
    it('answers 413 to a body over 4 MiB', async () => {
      const result = await http.call('events', {
        key: KEY_A,
        method: 'POST',
        body: Buffer.alloc(5 * 1024 * 1024, 0x20),
        type: 'application/x-ndjson',
      });
      expect([result.status, result.body?.error]).toEqual([413, 'too-large']);
    });

    it('answers 415 to a content type that is not JSON', async () => {
      const result = await http.call('events', {
        key: KEY_A,
        method: 'POST',
        body: 'hello',
        type: 'text/plain',
      });
      expect([result.status, result.body?.error]).toEqual([415, 'unsupported-media-type']);
    });

    it('answers 400 to a body that is not JSON', async () => {
      const result = await http.call('events', {
        key: KEY_A,
        method: 'POST',
        body: '{"nope',
        type: 'application/json',
      });
      expect([result.status, result.body?.error]).toEqual([400, 'invalid-json']);
    });
  });

  it('reads the events back through the CLI, as JSON lines and as a table', async () => {
    const json = await runCli(
      [
        'query',
        '--tenant',
        A,
        '--all',
        '--json',
        '--limit',
        '50',
        '--url',
        host.url,
        '--key',
        KEY_A,
      ],
      { cwd },
    );
    expect(json.code).toBe(0);
    const ids = json.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { id: string }).id);
    expect(ids.sort()).toEqual(idsWhere((e) => e.tenantid === A));
    const table = await runCli(
      ['query', 'type:session.started', '--tenant', A, '--url', host.url, '--key', KEY_A],
      { cwd },
    );
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME +TENANT +TYPE +ACTOR +DATABASE +TOOL +STATUS +ID$/);
    expect(lines.length - 1).toBe(
      idsWhere((e) => e.tenantid === A && e.type === 'com.sqlmcp.session.started').length,
    );
    expect(table.stderr).toBe(`${lines.length - 1} events\n`);
  });

  it('takes events over AMQP and numbers them with HTTP events without a collision', async () => {
    const producer = new EventHubProducerClient(host.amqpConnection as string, {
      retryOptions: { maxRetries: 1, retryDelayInMs: 50, timeoutInMs: 10_000 },
    });
    const template = simulated.find((e) => e.tenantid === A) as SimEvent;
    const viaAmqp = [1, 2, 3].map((n) => ({ ...template, id: `amqp-${n}` }));
    const batch = await producer.createBatch({ partitionKey: A });
    for (const event of viaAmqp)
      expect(
        batch.tryAdd({
          body: Buffer.from(JSON.stringify(event)),
          contentType: 'application/cloudevents+json',
        }),
      ).toBe(true);
    await producer.sendBatch(batch);
    await producer.close();
    for (const event of viaAmqp)
      expect((await http.call(`events/${event.id}`, { key: KEY_A })).status).toBe(200);
    const viaHttp = [1, 2, 3]
      .map((n) => JSON.stringify({ ...template, id: `http-${n}` }))
      .join('\n');
    const posted = await http.call('events', {
      key: KEY_A,
      method: 'POST',
      body: viaHttp,
      type: 'application/x-ndjson',
    });
    expect((posted.body?.results as { status: string }[]).map((r) => r.status)).toEqual([
      'accepted',
      'accepted',
      'accepted',
    ]);
  });
});

describe('stopping and restarting the local host on the same data folder', () => {
  let cwd: string;
  let host: HostProcess | undefined;

  beforeAll(() => {
    cwd = mkdtempSync(path.join(tmpdir(), 'local-host-restart-'));
  });
  afterAll(async () => {
    await host?.stop();
  });

  const bodies = (seed: number, count: number): string[] =>
    [...simulateTraffic({ seed, count, tenants: 2 })].map((s) => s.body);

  it('loses no accepted event to a SIGTERM in the middle of ingest, redelivers what it journaled, keeps its key and continues sequence numbers', async () => {
    host = await HostProcess.start(['--port', '0', '--no-amqp'], { cwd });
    const key = host.key as string;
    expect(host.output).toContain(
      `generated now and kept in ${path.join(cwd, '.data', 'admin-key.json')}`,
    );
    const keyFile = path.join(cwd, '.data', 'admin-key.json');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(keyFile, 'utf8'))).toEqual({ [key]: '*' });

    // Four senders post batches of 10 until the host stops answering; SIGTERM after the third answer.
    const queue = bodies(99, 600);
    const accepted = new Set<string>();
    const highest = new Map<string, number>();
    let answers = 0;
    let stopping: Promise<number | null> | undefined;
    const running = host;
    const sender = async (): Promise<void> => {
      for (let batch = queue.splice(0, 10); batch.length > 0; batch = queue.splice(0, 10)) {
        let response: Response;
        try {
          response = await fetch(`${running.url}/api/events`, {
            method: 'POST',
            headers: { 'x-functions-key': key, 'content-type': 'application/x-ndjson' },
            body: batch.join('\n'),
          });
        } catch {
          return; // the host has stopped listening
        }
        if (response.status !== 200) return;
        const { results } = (await response.json()) as {
          results: {
            status: string;
            eventId: string;
            partitionId: string;
            sequenceNumber: number;
          }[];
        };
        for (const result of results) {
          if (result.status === 'accepted') accepted.add(result.eventId);
          highest.set(
            result.partitionId,
            Math.max(highest.get(result.partitionId) ?? -1, result.sequenceNumber),
          );
        }
        if (++answers === 3) stopping = running.stop('SIGTERM');
      }
    };
    await Promise.all([sender(), sender(), sender(), sender()]);
    expect(await (stopping ?? running.stop('SIGTERM'))).toBe(0);
    expect(running.output).toContain('SIGTERM: stopping');
    expect(running.output).toMatch(/\nstopped\n$/);
    expect(accepted.size).toBeGreaterThanOrEqual(30);
    expect(queue.length).toBeGreaterThan(0); // it really stopped in the middle

    // A batch the stopped host had numbered and journaled but not ingested (as after a crash): the next
    // start must redeliver it under its own sequence number before taking new events.
    const leftover = JSON.parse(bodies(101, 1)[0] as string) as { id: string; tenantid: string };
    const partition = partitionForKey(leftover.tenantid, 4);
    const leftoverSequence = (highest.get(partition) ?? -1) + 1;
    const journal = await HubJournal.open(path.join(cwd, '.data', 'hub'));
    await journal.append(partition, [
      {
        partitionId: partition,
        sequenceNumber: leftoverSequence,
        offset: String(leftoverSequence),
        enqueuedTime: new Date(),
        partitionKey: leftover.tenantid,
        body: Buffer.from(JSON.stringify(leftover)),
      },
    ]);
    await journal.close();
    highest.set(partition, leftoverSequence);
    accepted.add(leftover.id);

    host = await HostProcess.start(['--port', '0', '--no-amqp'], { cwd });
    expect(host.output).toContain(
      `partition ${partition}: redelivering 1 events (sequence ${leftoverSequence}..${leftoverSequence}) the last run did not finish`,
    );
    expect(host.key).toBe(key);
    expect(host.output).not.toContain('generated now');
    const { listAll, call } = api(host);
    const { ids } = await listAll({}, key);
    expect(new Set(ids).size).toBe(ids.length);
    const stored = new Set(ids);
    expect([...accepted].filter((id) => !stored.has(id))).toEqual([]);

    const fresh = bodies(100, 40).join('\n');
    const posted = await call('events', {
      key,
      method: 'POST',
      body: fresh,
      type: 'application/x-ndjson',
    });
    const results = posted.body?.results as {
      status: string;
      partitionId: string;
      sequenceNumber: number;
    }[];
    expect(results.map((r) => r.status)).toEqual(new Array(40).fill('accepted'));
    for (const result of results)
      expect(result.sequenceNumber).toBeGreaterThan(highest.get(result.partitionId) ?? -1);
  });
});
