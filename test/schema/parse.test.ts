import fc from 'fast-check';
import { AUDIT_EVENT_TYPES } from '../../src/schema/types';
import {
  FORBIDDEN_KEYS,
  REJECTION_CODES,
  MAX_DEPTH,
  MAX_EVENT_BYTES,
  MAX_KEY_LENGTH,
  MAX_STRING_LENGTH,
  parseEvent,
  parseEventObject,
  TENANT_ID_PATTERN,
  type ParseResult,
} from '../../src/schema/parse';
import { EXAMPLE_EVENT_FILES, exampleEvent, exampleEventBytes, exampleWith } from './examples';

function rejectionOf(result: ParseResult): unknown {
  return result.ok ? 'accepted' : result.rejection;
}

/** Nested objects `{"a":{"a":…}}` holding `levels` containers in all. */
function nestedObjects(levels: number): Record<string, unknown> {
  let node: Record<string, unknown> = {};
  for (let i = 1; i < levels; i++) {
    node = { a: node };
  }
  return node;
}

describe('parseEvent: valid events', () => {
  it.each(EXAMPLE_EVENT_FILES)('accepts the example %s as it was sent', (file) => {
    expect(parseEvent(exampleEventBytes(file))).toEqual({ ok: true, event: exampleEvent(file) });
  });

  it('ignores a UTF-8 byte order mark', () => {
    const body = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      exampleEventBytes('tool-invoked.json'),
    ]);
    expect(parseEvent(body)).toEqual({ ok: true, event: exampleEvent('tool-invoked.json') });
  });

  it('accepts a Uint8Array view into a larger buffer', () => {
    const bytes = exampleEventBytes('session-ended.json');
    const larger = new Uint8Array(bytes.length + 10);
    larger.set(bytes, 5);
    expect(parseEvent(larger.subarray(5, 5 + bytes.length)).ok).toBe(true);
  });

  it('accepts a body of exactly MAX_EVENT_BYTES', () => {
    const event = exampleEvent('tool-invoked.json');
    const base = Buffer.byteLength(JSON.stringify(event));
    const args: Record<string, string> = {};
    // Each filler key adds `"fN":"…",` around its value; fill with strings under MAX_STRING_LENGTH.
    let remaining = MAX_EVENT_BYTES - base;
    for (let n = 0; remaining > 0; n++) {
      const overhead = `,"f${n}":""`.length;
      const take = Math.min(60000, remaining - overhead);
      args[`f${n}`] = 'x'.repeat(take);
      remaining -= overhead + take;
    }
    event.data.tool = {
      name: 'execute_sql',
      arguments: { ...event.data.tool?.arguments, ...args },
    };
    const body = Buffer.from(JSON.stringify(event));
    expect(body.length).toBe(MAX_EVENT_BYTES);
    expect(parseEvent(body).ok).toBe(true);
  });

  it(`accepts nesting of exactly MAX_DEPTH (${MAX_DEPTH}) containers`, () => {
    // event(1) > data(2) > tool(3) > arguments(4) > …: arguments may hold MAX_DEPTH - 3 levels.
    const body = exampleWith('tool-invoked.json', (e) => {
      e.data.tool.arguments = nestedObjects(MAX_DEPTH - 3);
    });
    expect(parseEvent(body).ok).toBe(true);
  });

  it('accepts a free-form string of exactly MAX_STRING_LENGTH and a key of MAX_KEY_LENGTH', () => {
    const body = exampleWith('tool-invoked.json', (e) => {
      e.data.tool.arguments = { ['k'.repeat(MAX_KEY_LENGTH)]: 'v'.repeat(MAX_STRING_LENGTH) };
    });
    expect(parseEvent(body).ok).toBe(true);
  });

  it('accepts tab, CR and LF in statement text, error messages, arguments, parameters and config values', () => {
    const body = exampleWith('tool-invoked.json', (e) => {
      e.data.statement.text = 'SELECT 1\r\n\tFROM t';
      e.data.outcome.errorMessage = 'line 1\nline 2';
      e.data.tool.arguments = { query: 'SELECT 1\n' };
      e.data.statement.parameters = ['a\tb'];
    });
    expect(parseEvent(body).ok).toBe(true);
  });

  it('accepts scalar extension attributes and a future traceparent version', () => {
    const body = exampleWith('tool-invoked.json', (e) => {
      e.myext = 'value';
      e.retries = 3;
      e.replayed = false;
      e.traceparent = '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future';
    });
    expect(parseEvent(body).ok).toBe(true);
  });

  it.each(['ab', 'a'.repeat(63), '0-9', 'contoso-eu'])('accepts tenant id %s', (tenant) => {
    expect(parseEvent(exampleWith('session-ended.json', (e) => (e.tenantid = tenant))).ok).toBe(
      true,
    );
  });

  it('accepts an IPv6 actor address and a time with an offset', () => {
    const body = exampleWith('session-ended.json', (e) => {
      e.data.actor.ip = 'fe80::1';
      e.time = '2025-03-14T23:59:59.999999999-05:30';
    });
    expect(parseEvent(body).ok).toBe(true);
  });
});

describe('parseEvent: rejections and their messages', () => {
  it('refuses an oversized body before decoding it', () => {
    const body = Buffer.alloc(MAX_EVENT_BYTES + 1, 0xff);
    expect(rejectionOf(parseEvent(body))).toEqual({
      code: 'too-large',
      pointer: '',
      message: 'event body: must be at most 262144 bytes (got 262145)',
    });
  });

  it('names the offset of the first invalid UTF-8 sequence', () => {
    expect(rejectionOf(parseEvent(Buffer.from([0x7b, 0x22, 0xc3, 0x28])))).toEqual({
      code: 'invalid-utf8',
      pointer: '',
      message: 'event body: must be UTF-8 (first invalid sequence at byte offset 2)',
    });
  });

  it('passes on the JSON parser explanation', () => {
    const result = parseEvent(Buffer.from('{"a":'));
    expect(result.ok ? undefined : result.rejection).toMatchObject({
      code: 'invalid-json',
      pointer: '',
      message: expect.stringMatching(/^event body: must be JSON \(.+\)$/),
    });
  });

  it('says what a non-object body was', () => {
    expect(rejectionOf(parseEvent(Buffer.from('[1]')))).toEqual({
      code: 'not-an-object',
      pointer: '',
      message: 'event body: must be a JSON object holding one CloudEvent (got an array)',
    });
  });

  it('names the forbidden storage-key character and where it is', () => {
    expect(
      rejectionOf(parseEvent(exampleWith('tool-invoked.json', (e) => (e.id = 'a/b')))),
    ).toEqual({
      code: 'forbidden-key-character',
      pointer: '/id',
      message: '/id: must not contain "/" (U+002F, at index 1): the value becomes a storage key',
    });
  });

  it('names a control character in a storage key by code point only', () => {
    expect(
      rejectionOf(
        parseEvent(exampleWith('tool-invoked.json', (e) => (e.partitionkey = 'p\u0085'))),
      ),
    ).toEqual({
      code: 'forbidden-key-character',
      pointer: '/partitionkey',
      message:
        '/partitionkey: must not contain (U+0085, at index 1): the value becomes a storage key',
    });
  });

  it('allows / # ? in source, which is a URI-reference', () => {
    const body = exampleWith(
      'tool-invoked.json',
      (e) => (e.source = 'https://mcp.example/servers/a?x=1#y'),
    );
    expect(parseEvent(body).ok).toBe(true);
  });

  it('checks storage-key characters before the tenant', () => {
    const body = exampleWith('tool-invoked.json', (e) => {
      e.id = 'a#b';
      delete e.tenantid;
    });
    expect(rejectionOf(parseEvent(body))).toMatchObject({
      code: 'forbidden-key-character',
      pointer: '/id',
    });
  });

  it('explains a missing tenant', () => {
    expect(
      rejectionOf(parseEvent(exampleWith('tool-invoked.json', (e) => delete e.tenantid))),
    ).toEqual({
      code: 'missing-tenant',
      pointer: '/tenantid',
      message: '/tenantid: is required: the tenant the event belongs to',
    });
  });

  it('explains a malformed tenant', () => {
    expect(
      rejectionOf(parseEvent(exampleWith('tool-invoked.json', (e) => (e.tenantid = 'a')))),
    ).toEqual({
      code: 'invalid-tenant',
      pointer: '/tenantid',
      message:
        '/tenantid: must be a string matching ^[a-z0-9][a-z0-9-]{1,62}$ (2-63 lower-case letters, digits or hyphens, starting with a letter or digit)',
    });
  });

  it('checks the tenant before the structural walk', () => {
    const body = exampleWith('tool-invoked.json', (e) => {
      e.tenantid = 'UPPER';
      e.data.actor.name = 'bell\u0007';
    });
    expect(rejectionOf(parseEvent(body))).toMatchObject({ code: 'invalid-tenant' });
  });

  it('explains nesting one level too deep', () => {
    const body = exampleWith('tool-invoked.json', (e) => {
      e.data.tool.arguments = nestedObjects(MAX_DEPTH - 2);
    });
    expect(rejectionOf(parseEvent(body))).toEqual({
      code: 'too-deep',
      pointer: `/data/tool/arguments${'/a'.repeat(MAX_DEPTH - 3)}`,
      message: `/data/tool/arguments${'/a'.repeat(MAX_DEPTH - 3)}: must not nest objects or arrays more than 32 levels deep`,
    });
  });

  it('explains a forbidden key', () => {
    const body = Buffer.from(
      exampleEventBytes('tool-invoked.json')
        .toString()
        .replace('"maxRows": 10', '"__proto__": {"admin": true}'),
    );
    expect(rejectionOf(parseEvent(body))).toEqual({
      code: 'forbidden-key',
      pointer: '/data/tool/arguments/__proto__',
      message:
        '/data/tool/arguments/__proto__: is a forbidden key (__proto__, constructor, prototype are refused anywhere)',
    });
  });

  it.each(
    FORBIDDEN_KEYS.flatMap((key) => [
      [key, '/data/actor'],
      [key, '/data/tool/arguments'],
    ]),
  )('refuses the key %s in %s', (key, parent) => {
    const body = Buffer.from(
      exampleEventBytes('tool-invoked.json')
        .toString()
        .replace(parent === '/data/actor' ? '"id": "agent-7f3a"' : '"maxRows": 10', `"${key}": 1`),
    );
    expect(rejectionOf(parseEvent(body))).toMatchObject({
      code: 'forbidden-key',
      pointer: `${parent}/${key}`,
    });
  });

  it('explains a control character where none is allowed', () => {
    expect(
      rejectionOf(
        parseEvent(exampleWith('tool-invoked.json', (e) => (e.data.actor.name = 'a\tb'))),
      ),
    ).toEqual({
      code: 'control-character',
      pointer: '/data/actor/name',
      message:
        '/data/actor/name: must not contain control character U+0009 (at index 1); tab, CR and LF are allowed only in statement text, error messages and free-form values',
    });
  });

  it('explains a control character in a multi-line field', () => {
    const body = exampleWith('tool-invoked.json', (e) => (e.data.statement.text = 'SELECT\u007f1'));
    expect(rejectionOf(parseEvent(body))).toEqual({
      code: 'control-character',
      pointer: '/data/statement/text',
      message:
        '/data/statement/text: must not contain control character U+007F (at index 6); only tab, CR and LF are allowed',
    });
  });

  it('escapes / and ~ in pointers', () => {
    const body = exampleWith(
      'tool-invoked.json',
      (e) => (e.data.tool.arguments = { 'a/b~c': '\u0001' }),
    );
    expect(rejectionOf(parseEvent(body))).toMatchObject({
      pointer: '/data/tool/arguments/a~1b~0c',
    });
  });

  it('explains a free-form string that is too long', () => {
    const body = exampleWith(
      'tool-invoked.json',
      (e) => (e.data.tool.arguments = { q: 'x'.repeat(MAX_STRING_LENGTH + 1) }),
    );
    expect(rejectionOf(parseEvent(body))).toEqual({
      code: 'string-too-long',
      pointer: '/data/tool/arguments/q',
      message: '/data/tool/arguments/q: must be at most 65536 characters (got 65537)',
    });
  });

  it('explains a schema field that is too long with its own limit', () => {
    expect(
      rejectionOf(
        parseEvent(
          exampleWith('tool-invoked.json', (e) => (e.data.client.version = 'v'.repeat(65))),
        ),
      ),
    ).toEqual({
      code: 'string-too-long',
      pointer: '/data/client/version',
      message: '/data/client/version: must be at most 64 characters',
    });
  });

  it('lists the allowed values of an enumeration', () => {
    expect(
      rejectionOf(
        parseEvent(exampleWith('tool-invoked.json', (e) => (e.data.outcome.status = 'ok'))),
      ),
    ).toEqual({
      code: 'schema',
      pointer: '/data/outcome/status',
      message: '/data/outcome/status: must be one of success, failure, denied',
    });
  });

  it('names the event type when a per-type requirement fails', () => {
    expect(
      rejectionOf(parseEvent(exampleWith('tool-invoked.json', (e) => delete e.data.outcome))),
    ).toEqual({
      code: 'schema',
      pointer: '/data/outcome',
      message: '/data/outcome: is required for type com.sqlmcp.tool.invoked',
    });
  });

  it('explains an address that is neither IPv4 nor IPv6', () => {
    expect(
      rejectionOf(
        parseEvent(exampleWith('tool-invoked.json', (e) => (e.data.actor.ip = 'localhost'))),
      ),
    ).toEqual({
      code: 'schema',
      pointer: '/data/actor/ip',
      message: '/data/actor/ip: must be an IPv4 address or an IPv6 address',
    });
  });

  it('explains a bad time', () => {
    expect(
      rejectionOf(parseEvent(exampleWith('tool-invoked.json', (e) => (e.time = '14/03/2025')))),
    ).toEqual({
      code: 'schema',
      pointer: '/time',
      message: '/time: must be an RFC 3339 date-time such as 2025-01-31T12:00:00Z',
    });
  });

  it('explains a bad traceparent', () => {
    expect(
      rejectionOf(
        parseEvent(
          exampleWith(
            'tool-invoked.json',
            (e) => (e.traceparent = 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'),
          ),
        ),
      ),
    ).toEqual({
      code: 'schema',
      pointer: '/traceparent',
      message:
        '/traceparent: must be a W3C traceparent: 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>, lower case, ids not all zero',
    });
  });

  it('refuses a version-00 traceparent with trailing data', () => {
    const body = exampleWith(
      'tool-invoked.json',
      (e) => (e.traceparent = `${e.traceparent}-extra`),
    );
    expect(rejectionOf(parseEvent(body))).toMatchObject({
      code: 'schema',
      pointer: '/traceparent',
    });
  });

  it('explains a wrong type', () => {
    expect(
      rejectionOf(
        parseEvent(exampleWith('tool-invoked.json', (e) => (e.data.outcome.errorCode = 1.5))),
      ),
    ).toEqual({
      code: 'schema',
      pointer: '/data/outcome/errorCode',
      message: '/data/outcome/errorCode: must be a string or an integer',
    });
  });

  it('explains an unknown field', () => {
    expect(
      rejectionOf(parseEvent(exampleWith('tool-invoked.json', (e) => (e.data.session.user = 'x')))),
    ).toEqual({
      code: 'schema',
      pointer: '/data/session/user',
      message: '/data/session/user: is not a field of this object (unknown fields are refused)',
    });
  });

  it('explains an attribute name CloudEvents does not allow', () => {
    expect(
      rejectionOf(parseEvent(exampleWith('tool-invoked.json', (e) => (e.trace_id = 'x')))),
    ).toEqual({
      code: 'schema',
      pointer: '/trace_id',
      message:
        '/trace_id: is not a valid attribute name: CloudEvents attribute names are 1-20 lower-case letters and digits',
    });
  });

  it('explains an empty required string', () => {
    expect(
      rejectionOf(parseEvent(exampleWith('tool-invoked.json', (e) => (e.data.actor.id = '')))),
    ).toEqual({
      code: 'schema',
      pointer: '/data/actor/id',
      message: '/data/actor/id: must not be empty',
    });
  });

  it('explains a target with no fields', () => {
    expect(
      rejectionOf(parseEvent(exampleWith('tool-invoked.json', (e) => (e.data.target = {})))),
    ).toEqual({
      code: 'schema',
      pointer: '/data/target',
      message: '/data/target: must have at least 1 field',
    });
  });
});

describe('parseEventObject', () => {
  it('accepts an already parsed event', () => {
    const event = exampleEvent('policy-denied.json');
    expect(parseEventObject(event)).toEqual({ ok: true, event });
  });

  it('refuses undefined inside an object as not JSON', () => {
    const event = { ...exampleEvent('session-ended.json'), subject: undefined };
    expect(rejectionOf(parseEventObject(event))).toEqual({
      code: 'invalid-json',
      pointer: '/subject',
      message: '/subject: must be a JSON value (got undefined)',
    });
  });

  it('refuses a non-finite number', () => {
    const event = exampleEvent('session-ended.json');
    event.data.outcome = { status: 'success', durationMs: Number.NaN };
    expect(rejectionOf(parseEventObject(event))).toEqual({
      code: 'invalid-json',
      pointer: '/data/outcome/durationMs',
      message: '/data/outcome/durationMs: must be a finite number (got NaN)',
    });
  });

  it('refuses a class instance', () => {
    const event = exampleEvent('config-changed.json');
    event.data.config = { key: 'k', newValue: new Date(0) as never };
    expect(rejectionOf(parseEventObject(event))).toEqual({
      code: 'invalid-json',
      pointer: '/data/config/newValue',
      message: '/data/config/newValue: must be a plain JSON object',
    });
  });

  it('stops at the depth limit on a cyclic value', () => {
    const event = exampleEvent('tool-invoked.json');
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    event.data.tool = { name: 't', arguments: cycle as never };
    expect(rejectionOf(parseEventObject(event))).toMatchObject({ code: 'too-deep' });
  });

  it.each([
    [null, 'null'],
    [42, 'number'],
    [undefined, 'undefined'],
  ])('refuses %p as not an object', (value, kind) => {
    expect(rejectionOf(parseEventObject(value))).toEqual({
      code: 'not-an-object',
      pointer: '',
      message: `event body: must be a JSON object holding one CloudEvent (got ${kind})`,
    });
  });

  it('does not modify its input', () => {
    const event = exampleEvent('tool-invoked.json');
    const before = JSON.stringify(event);
    parseEventObject(event);
    expect(JSON.stringify(event)).toBe(before);
  });
});

describe('parseEvent on arbitrary input', () => {
  it('never throws on arbitrary bytes and refuses them with a known code', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const result = parseEvent(bytes);
        expect(result.ok || REJECTION_CODES.includes(result.rejection.code)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on arbitrary JSON and starts every message with its pointer', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = parseEvent(Buffer.from(JSON.stringify(value) ?? 'null'));
        const messageOk =
          result.ok ||
          result.rejection.message.startsWith(
            result.rejection.pointer === '' ? 'event body: ' : `${result.rejection.pointer}: `,
          );
        expect(messageOk).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws when arbitrary JSON replaces a field of a valid event', () => {
    const paths = [
      ['id'],
      ['time'],
      ['data'],
      ['data', 'actor'],
      ['data', 'tool', 'arguments'],
      ['data', 'outcome', 'status'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, value) => {
        const body = exampleWith('tool-invoked.json', (e) => {
          let node = e;
          for (const key of path.slice(0, -1)) node = node[key];
          node[path[path.length - 1] as string] = value;
        });
        const result = parseEvent(body);
        expect(result.ok || REJECTION_CODES.includes(result.rejection.code)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the examples', () => {
  it('include one event of every type', () => {
    expect(EXAMPLE_EVENT_FILES.map((file) => exampleEvent(file).type).sort()).toEqual(
      [...AUDIT_EVENT_TYPES].sort(),
    );
  });
});

describe('TENANT_ID_PATTERN', () => {
  it('is the schema pattern', () => {
    expect(TENANT_ID_PATTERN.source).toBe('^[a-z0-9][a-z0-9-]{1,62}$');
  });
});
