import { createHmac } from 'node:crypto';
import { parseRedactionPolicy, type RedactionPolicy } from '../../src/redact/policy';
import {
  createRedactor,
  hmacValue,
  maskValue,
  MIN_HMAC_KEY_BYTES,
  RedactionKeyError,
} from '../../src/redact/redactor';
import { DEFAULT_REDACTION_POLICY } from '../../src/redact/policy';
import type { AuditEvent } from '../../src/schema/types';
import { exampleEvent } from '../schema/examples';

const KEY = Buffer.alloc(32, 0x5a);

function hmacHex(value: string): string {
  return `hmac-sha256:${createHmac('sha256', KEY).update(value, 'utf8').digest('hex')}`;
}

function redactorFor(
  policy: RedactionPolicy,
): (event: AuditEvent) => { event: AuditEvent; redacted: string[] } {
  return createRedactor(parseRedactionPolicy(policy), KEY);
}

describe('hmacValue', () => {
  it('is HMAC-SHA256 of the canonical JSON, hex, with a prefix', () => {
    expect(hmacValue(KEY, { b: 2, a: '1' })).toBe(hmacHex('{"a":"1","b":2}'));
  });

  it('hashes a string with its quotes, so "1" and 1 differ', () => {
    expect([hmacValue(KEY, '1'), hmacValue(KEY, 1)]).toEqual([hmacHex('"1"'), hmacHex('1')]);
  });
});

describe('maskValue', () => {
  it('keeps the shape and hides every leaf', () => {
    expect(maskValue({ s: 'secret', n: 42, b: true, z: null, a: ['x', 1, { k: false }] })).toEqual({
      s: '***',
      n: 0,
      b: false,
      z: null,
      a: ['***', 0, { k: false }],
    });
  });
});

describe('createRedactor', () => {
  it('refuses a short key', () => {
    expect(() => createRedactor({}, new Uint8Array(MIN_HMAC_KEY_BYTES - 1))).toThrow(
      new RedactionKeyError(15),
    );
  });

  it('applies the default policy: hmac of parameters, arguments and ip', () => {
    const event = exampleEvent('tool-invoked.json');
    const result = createRedactor(DEFAULT_REDACTION_POLICY, KEY)(event);
    expect(result.redacted).toEqual([
      '/data/statement/parameters',
      '/data/tool/arguments',
      '/data/actor/ip',
    ]);
    expect(result.event.data.statement?.parameters).toBe(hmacHex('{"customerId":4711}'));
    expect(result.event.data.actor.ip).toBe(hmacHex('"10.20.30.40"'));
    expect(result.event.data.tool?.arguments).toBe(hmacValue(KEY, event.data.tool?.arguments));
  });

  it('leaves everything else as it was', () => {
    const event = exampleEvent('tool-invoked.json');
    const { event: redacted } = createRedactor(DEFAULT_REDACTION_POLICY, KEY)(event);
    const strip = (e: AuditEvent): unknown => {
      const copy = JSON.parse(JSON.stringify(e)) as AuditEvent;
      delete copy.data.statement?.parameters;
      delete copy.data.tool?.arguments;
      delete copy.data.actor.ip;
      return copy;
    };
    expect(strip(redacted)).toEqual(strip(event));
  });

  it('never modifies its input', () => {
    const event = exampleEvent('tool-invoked.json');
    const before = JSON.stringify(event);
    createRedactor(DEFAULT_REDACTION_POLICY, KEY)(event);
    expect(JSON.stringify(event)).toBe(before);
  });

  it('shares the objects it did not change', () => {
    const event = exampleEvent('tool-invoked.json');
    const { event: redacted } = createRedactor(DEFAULT_REDACTION_POLICY, KEY)(event);
    expect([
      redacted.data.target === event.data.target,
      redacted.data.actor === event.data.actor,
    ]).toEqual([true, false]);
  });

  it('returns the event itself when no rule matches anything', () => {
    const event = exampleEvent('config-changed.json');
    const result = createRedactor(DEFAULT_REDACTION_POLICY, KEY)(event);
    expect(result.event).toBe(event);
    expect(result.redacted).toEqual([]);
  });

  it('does nothing for a tenant without rules when there are no default rules', () => {
    const event = exampleEvent('tool-invoked.json');
    const redact = redactorFor({
      tenants: { fabrikam: [{ path: '/data/actor/ip', action: 'drop' }] },
    });
    expect(redact(event)).toEqual({ event, redacted: [] });
    expect(redact(event).event).toBe(event);
  });

  it('drops a field', () => {
    const { event, redacted } = redactorFor({
      default: [{ path: '/data/actor/name', action: 'drop' }],
    })(exampleEvent('tool-invoked.json'));
    expect(['name' in event.data.actor, redacted]).toEqual([false, ['/data/actor/name']]);
  });

  it('masks a string and keeps the shape of an object', () => {
    const { event } = redactorFor({
      default: [
        { path: '/data/statement/text', action: 'mask' },
        { path: '/data/tool/arguments', action: 'mask' },
      ],
    })(exampleEvent('tool-invoked.json'));
    expect([event.data.statement?.text, event.data.tool?.arguments]).toEqual([
      '***',
      { query: '***', maxRows: 0 },
    ]);
  });

  it('applies a wildcard to each child of an object', () => {
    const { event, redacted } = redactorFor({
      default: [{ path: '/data/tool/arguments/*', action: 'hmac' }],
    })(exampleEvent('tool-invoked.json'));
    expect(event.data.tool?.arguments).toEqual({
      query: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/),
      maxRows: hmacHex('10'),
    });
    expect(redacted).toEqual(['/data/tool/arguments/query', '/data/tool/arguments/maxRows']);
  });

  it('applies a wildcard to each element of an array', () => {
    const { event, redacted } = redactorFor({
      default: [{ path: '/data/target/objects/*', action: 'mask' }],
    })(exampleEvent('policy-denied.json'));
    expect([event.data.target?.objects, redacted]).toEqual([['***'], ['/data/target/objects/0']]);
  });

  it('drops every element of an array with a wildcard', () => {
    const source = exampleEvent('config-changed.json');
    const { event, redacted } = redactorFor({
      default: [{ path: '/data/config/newValue/*', action: 'drop' }],
    })(source);
    expect([event.data.config?.newValue, redacted]).toEqual([
      [],
      ['/data/config/newValue/0', '/data/config/newValue/1', '/data/config/newValue/2'],
    ]);
    expect(source.data.config?.newValue).toEqual(['list_tables', 'describe_table', 'execute_sql']);
  });

  it('drops one array element by index', () => {
    const { event } = redactorFor({
      default: [{ path: '/data/config/oldValue/0', action: 'drop' }],
    })(exampleEvent('config-changed.json'));
    expect(event.data.config?.oldValue).toEqual(['execute_sql']);
  });

  it('reports escaped pointers for keys with / and ~', () => {
    const source = exampleEvent('tool-invoked.json');
    source.data.tool = { name: 't', arguments: { 'a/b': 1, 'c~d': 2 } };
    const { redacted } = redactorFor({
      default: [{ path: '/data/tool/arguments/*', action: 'mask' }],
    })(source);
    expect(redacted).toEqual(['/data/tool/arguments/a~1b', '/data/tool/arguments/c~0d']);
  });

  it('follows an escaped rule path to its key', () => {
    const source = exampleEvent('tool-invoked.json');
    source.data.tool = { name: 't', arguments: { 'a/b': 'x' } };
    const { event } = redactorFor({
      default: [{ path: '/data/tool/arguments/a~1b', action: 'mask' }],
    })(source);
    expect(event.data.tool?.arguments).toEqual({ 'a/b': '***' });
  });

  it('lets a tenant rule replace the default rule for the same path, in its place', () => {
    const redact = redactorFor({
      default: [
        { path: '/data/actor/ip', action: 'hmac' },
        { path: '/data/actor/name', action: 'mask' },
      ],
      tenants: {
        contoso: [
          { path: '/data/statement/text', action: 'drop' },
          { path: '/data/actor/ip', action: 'mask' },
        ],
      },
    });
    const { event, redacted } = redact(exampleEvent('tool-invoked.json'));
    expect(redacted).toEqual(['/data/actor/ip', '/data/actor/name', '/data/statement/text']);
    expect([event.data.actor.ip, event.data.actor.name, event.data.statement?.text]).toEqual([
      '***',
      '***',
      undefined,
    ]);
  });

  it('lets a tenant switch a default rule off with keep', () => {
    const redact = redactorFor({
      default: [{ path: '/data/actor/ip', action: 'hmac' }],
      tenants: { contoso: [{ path: '/data/actor/ip', action: 'keep' }] },
    });
    const event = exampleEvent('tool-invoked.json');
    expect(redact(event)).toEqual({ event, redacted: [] });
  });

  it('applies only the default rules to other tenants', () => {
    const redact = redactorFor({
      default: [{ path: '/data/actor/ip', action: 'mask' }],
      tenants: { fabrikam: [{ path: '/data/actor/name', action: 'mask' }] },
    });
    expect(redact(exampleEvent('tool-invoked.json')).redacted).toEqual(['/data/actor/ip']);
  });

  it('skips a rule whose parent an earlier rule removed', () => {
    const source = exampleEvent('tool-invoked.json');
    source.data.tool = { name: 't', arguments: { nested: { secret: 's' } } };
    const { redacted } = redactorFor({
      default: [
        { path: '/data/tool/arguments', action: 'drop' },
        { path: '/data/tool/arguments/nested/secret', action: 'hmac' },
      ],
    })(source);
    expect(redacted).toEqual(['/data/tool/arguments']);
  });

  it('does not follow a path through a string', () => {
    const source = exampleEvent('tool-invoked.json');
    const { redacted } = redactorFor({ default: [{ path: '/data/actor/name/0', action: 'mask' }] })(
      source,
    );
    expect(redacted).toEqual([]);
  });

  it('gives equal values equal pseudonyms across events', () => {
    const redact = createRedactor(DEFAULT_REDACTION_POLICY, KEY);
    const first = redact(exampleEvent('tool-invoked.json')).event.data.actor.ip;
    const second = redact(exampleEvent('tool-invoked.json')).event.data.actor.ip;
    expect([first, second]).toEqual([hmacHex('"10.20.30.40"'), hmacHex('"10.20.30.40"')]);
  });

  it('gives different pseudonyms under different keys', () => {
    const other = createRedactor(
      DEFAULT_REDACTION_POLICY,
      Buffer.alloc(32, 1),
    )(exampleEvent('tool-invoked.json'));
    expect(other.event.data.actor.ip).not.toBe(hmacHex('"10.20.30.40"'));
  });

  it('keeps pseudonyms of long values, which are not remembered, correct', () => {
    const source = exampleEvent('tool-invoked.json');
    const long = 'x'.repeat(1000);
    source.data.statement = { text: long };
    const { event } = redactorFor({ default: [{ path: '/data/statement/text', action: 'hmac' }] })(
      source,
    );
    expect(event.data.statement?.text).toBe(hmacHex(JSON.stringify(long)));
  });

  it('copies the caller key so later changes to it do not matter', () => {
    const key = Buffer.alloc(32, 0x5a);
    const redact = createRedactor(DEFAULT_REDACTION_POLICY, key);
    key.fill(0);
    expect(redact(exampleEvent('tool-invoked.json')).event.data.actor.ip).toBe(
      hmacHex('"10.20.30.40"'),
    );
  });
});
