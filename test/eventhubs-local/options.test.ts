/**
 * Option checking of the local Event Hubs endpoint (a local AMQP endpoint speaking the Event Hubs
 * protocol, not Azure): bad options fail at start with the option, the value and the rule.
 */
import { LocalEventHubsOptionError, startLocalEventHubs } from '../../src/eventhubs-local';
import type { LocalEventHubsOptions } from '../../src/eventhubs-local';
import { resolveOptions } from '../../src/eventhubs-local/options';

const VALID: LocalEventHubsOptions = {
  port: 0,
  eventHubName: 'audit',
  partitionCount: 4,
  onEvents: async () => undefined,
};

describe('resolveOptions', () => {
  it('defaults the host, the key and the starting sequence numbers', () => {
    const resolved = resolveOptions(VALID);
    expect({
      host: resolved.host,
      partitionIds: resolved.partitionIds,
      keyName: resolved.keyName,
      audienceHosts: [...resolved.audienceHosts],
      initialSequenceNumbers: [...resolved.initialSequenceNumbers],
    }).toEqual({
      host: '127.0.0.1',
      partitionIds: ['0', '1', '2', '3'],
      keyName: 'RootManageSharedAccessKey',
      audienceHosts: ['127.0.0.1', 'localhost', '::1'],
      initialSequenceNumbers: [],
    });
  });

  it('adds the namespace to the audience hosts, in lower case', () => {
    const resolved = resolveOptions({ ...VALID, namespace: 'Audit-Local.servicebus.windows.net' });
    expect(resolved.audienceHosts.has('audit-local.servicebus.windows.net')).toBe(true);
  });

  it('refuses a partition count of 0', () => {
    expect(() => resolveOptions({ ...VALID, partitionCount: 0 })).toThrow(
      new LocalEventHubsOptionError('partitionCount', 0, 'must be an integer 1..1024'),
    );
  });

  it('names the option, value and rule in its message', () => {
    expect(() => resolveOptions({ ...VALID, partitionCount: 2000 })).toThrow(
      'local Event Hubs option "partitionCount" = 2000: must be an integer 1..1024',
    );
  });

  it('refuses an event hub name with a slash', () => {
    expect(() => resolveOptions({ ...VALID, eventHubName: 'audit/x' })).toThrow(
      `local Event Hubs option "eventHubName" = "audit/x": must be 1-256 letters, digits, '.', '-' or '_', starting and ending with a letter or digit`,
    );
  });

  it('refuses a port outside 0..65535', () => {
    expect(() => resolveOptions({ ...VALID, port: 70000 })).toThrow(
      'local Event Hubs option "port" = 70000: must be an integer 0..65535',
    );
  });

  it('refuses initialSequenceNumbers for a partition the hub does not have', () => {
    expect(() => resolveOptions({ ...VALID, initialSequenceNumbers: { '4': 1 } })).toThrow(
      'local Event Hubs option "initialSequenceNumbers" = {"4":1}: names partition "4", but the partitions are "0".."3"',
    );
  });

  it('refuses a negative initial sequence number', () => {
    expect(() => resolveOptions({ ...VALID, initialSequenceNumbers: { '0': -1 } })).toThrow(
      'local Event Hubs option "initialSequenceNumbers" = {"0":-1}: partition "0" must start at a non-negative integer',
    );
  });
});

describe('startLocalEventHubs', () => {
  it('fails when the port is taken, naming the address', async () => {
    const first = await startLocalEventHubs(VALID);
    try {
      await expect(startLocalEventHubs({ ...VALID, port: first.port })).rejects.toThrow(
        `local Event Hubs endpoint could not listen on 127.0.0.1:${first.port}: listen EADDRINUSE: address already in use 127.0.0.1:${first.port}`,
      );
    } finally {
      await first.close();
    }
  });
});
