import {
  CallbackUrlError,
  redactCallbackUrl,
  resolveCallback,
  type CallbackPolicy,
} from '../../src/subscriptions/callback-url';
import { fixedResolver } from './support';

const DNS = fixedResolver({
  'hooks.example.com': ['93.184.216.34'],
  'v6.example.com': ['2606:4700:4700::1111'],
  'internal.example.com': ['10.20.30.40'],
  'metadata.example.com': ['169.254.169.254'],
  'v6-link-local.example.com': ['fe80::1'],
  'v6-private.example.com': ['fd00::5'],
  'mapped.example.com': ['::ffff:192.168.0.1'],
  'sneaky.example.com': ['93.184.216.34', '127.0.0.1'],
  'local.example.com': ['127.0.0.1'],
  'empty.example.com': [],
});
const production: CallbackPolicy = { resolver: DNS, allowLoopback: false };
const development: CallbackPolicy = { resolver: DNS, allowLoopback: true };

async function refusal(
  url: string,
  policy: CallbackPolicy = production,
): Promise<[string, string, string | undefined]> {
  try {
    await resolveCallback(url, policy);
  } catch (error) {
    if (error instanceof CallbackUrlError) return [error.reason, error.message, error.address];
    throw error;
  }
  throw new Error(`expected ${url} to be refused`);
}

describe('resolveCallback', () => {
  it('pins an https URL to the public address its name resolves to', async () => {
    const pinned = await resolveCallback('https://hooks.example.com/flows/1?sig=abc', production);
    expect([pinned.hostname, pinned.address, pinned.family, pinned.url.pathname]).toEqual([
      'hooks.example.com',
      '93.184.216.34',
      4,
      '/flows/1',
    ]);
  });

  it('pins an IPv6 name', async () => {
    const pinned = await resolveCallback('https://v6.example.com/', production);
    expect([pinned.address, pinned.family]).toEqual(['2606:4700:4700::1111', 6]);
  });

  it('takes a public IP literal as its own address', async () => {
    expect((await resolveCallback('https://93.184.216.34:8443/x', production)).address).toBe(
      '93.184.216.34',
    );
  });

  it('refuses plain http', async () => {
    expect(await refusal('http://hooks.example.com/')).toEqual([
      'scheme-not-allowed',
      'the callback URL must use https, not http',
      undefined,
    ]);
  });

  it('refuses other schemes', async () => {
    expect((await refusal('ftp://hooks.example.com/'))[0]).toBe('scheme-not-allowed');
  });

  it('refuses what is not an absolute URL', async () => {
    expect(await refusal('/relative/path')).toEqual([
      'invalid-url',
      '"/relative/path" is not an absolute URL',
      undefined,
    ]);
  });

  it('refuses credentials in the URL', async () => {
    expect((await refusal('https://user:pass@hooks.example.com/'))[0]).toBe('credentials-in-url');
  });

  it('refuses a URL longer than 2048 characters', async () => {
    expect((await refusal(`https://hooks.example.com/${'a'.repeat(2048)}`))[0]).toBe('invalid-url');
  });

  it.each([
    ['a private IPv4 literal', 'https://10.0.0.8/hook', '10.0.0.8', 'private'],
    ['a 172.16/12 literal', 'https://172.20.1.1/hook', '172.20.1.1', 'private'],
    ['a 192.168/16 literal', 'https://192.168.1.1/hook', '192.168.1.1', 'private'],
    ['the IPv4 loopback', 'https://127.0.0.1/hook', '127.0.0.1', 'loopback'],
    ['the IPv6 loopback', 'https://[::1]/hook', '::1', 'loopback'],
    [
      'the metadata service (link-local IPv4)',
      'https://169.254.169.254/latest',
      '169.254.169.254',
      'link-local',
    ],
    ['a link-local IPv6 literal', 'https://[fe80::1]/hook', 'fe80::1', 'link-local'],
    ['a unique-local IPv6 literal', 'https://[fd00::1]/hook', 'fd00::1', 'private'],
    ['an IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]/hook', '::ffff:7f00:1', 'loopback'],
    ['the Azure platform address', 'https://168.63.129.16/', '168.63.129.16', 'platform'],
    ['the unspecified address', 'https://0.0.0.0/', '0.0.0.0', 'unspecified'],
  ])('refuses %s', async (_what, url, address, addressClass) => {
    expect(await refusal(url)).toEqual([
      'address-not-allowed',
      `the callback host "${address}" resolves to ${address}, a ${addressClass} address: webhooks go only to public addresses`,
      address,
    ]);
  });

  it.each([
    ['a private IPv4 address', 'internal.example.com', '10.20.30.40', 'private'],
    ['the metadata service', 'metadata.example.com', '169.254.169.254', 'link-local'],
    ['a link-local IPv6 address', 'v6-link-local.example.com', 'fe80::1', 'link-local'],
    ['a unique-local IPv6 address', 'v6-private.example.com', 'fd00::5', 'private'],
    ['an IPv4-mapped private address', 'mapped.example.com', '::ffff:192.168.0.1', 'private'],
    ['loopback', 'local.example.com', '127.0.0.1', 'loopback'],
  ])('refuses a name that resolves to %s', async (_what, host, address, addressClass) => {
    expect(await refusal(`https://${host}/hook`)).toEqual([
      'address-not-allowed',
      `the callback host "${host}" resolves to ${address}, a ${addressClass} address: webhooks go only to public addresses`,
      address,
    ]);
  });

  it('refuses a name with one private answer among public ones', async () => {
    expect((await refusal('https://sneaky.example.com/'))[2]).toBe('127.0.0.1');
  });

  it('refuses a name that does not resolve', async () => {
    expect(await refusal('https://nowhere.example.com/')).toEqual([
      'dns-failed',
      'the callback host "nowhere.example.com" does not resolve: getaddrinfo ENOTFOUND nowhere.example.com',
      undefined,
    ]);
  });

  it('refuses a name with no address', async () => {
    expect((await refusal('https://empty.example.com/'))[0]).toBe('dns-failed');
  });

  describe('in development mode', () => {
    it('allows http to 127.0.0.1', async () => {
      expect((await resolveCallback('http://127.0.0.1:9000/hook', development)).address).toBe(
        '127.0.0.1',
      );
    });

    it('allows a name that resolves to loopback', async () => {
      expect(
        (await resolveCallback('http://local.example.com:9000/hook', development)).address,
      ).toBe('127.0.0.1');
    });

    it('still refuses private addresses', async () => {
      expect((await refusal('https://10.0.0.8/', development))[0]).toBe('address-not-allowed');
    });

    it('still refuses link-local addresses', async () => {
      expect((await refusal('http://169.254.169.254/', development))[0]).toBe(
        'address-not-allowed',
      );
    });

    it('refuses plain http to a public address', async () => {
      expect(await refusal('http://hooks.example.com/', development)).toEqual([
        'address-not-allowed',
        'plain http is allowed only to loopback in development mode; "hooks.example.com" resolves to 93.184.216.34: use https',
        '93.184.216.34',
      ]);
    });
  });
});

describe('redactCallbackUrl', () => {
  it('hides every query value', () => {
    expect(
      redactCallbackUrl(
        'https://prod.logic.azure.com/workflows/1/triggers/manual/paths/invoke?api-version=2016-06-01&sig=secret',
      ),
    ).toBe(
      'https://prod.logic.azure.com/workflows/1/triggers/manual/paths/invoke?api-version=***&sig=***',
    );
  });

  it('keeps a URL without a query as it is', () => {
    expect(redactCallbackUrl('https://hooks.example.com:8443/a/b')).toBe(
      'https://hooks.example.com:8443/a/b',
    );
  });
});
