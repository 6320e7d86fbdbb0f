import { nextLinkOf, publicUrlOf } from '../../src/connector/next-link';
import type { ApiRequest } from '../../src/http/types';

function request(url: string, headers: Record<string, string> = {}): ApiRequest {
  return {
    method: 'GET',
    url,
    headers: new Headers(headers),
    query: new URL(url).searchParams,
    params: {},
    arrayBuffer: async () => new ArrayBuffer(0),
  };
}

describe('nextLinkOf', () => {
  it('is the same request with the continuation token set', () => {
    expect(
      nextLinkOf(request('https://audit.example.com/api/events?actor=a&limit=5'), 'tok+/='),
    ).toBe('https://audit.example.com/api/events?actor=a&limit=5&continuationToken=tok%2B%2F%3D');
  });

  it('replaces a previous continuation token', () => {
    expect(
      nextLinkOf(request('https://audit.example.com/api/events?continuationToken=old'), 'new'),
    ).toBe('https://audit.example.com/api/events?continuationToken=new');
  });

  it('leaves out a key sent as the code parameter', () => {
    expect(
      nextLinkOf(request('https://audit.example.com/api/events?code=secret-key&q=x'), 't'),
    ).toBe('https://audit.example.com/api/events?q=x&continuationToken=t');
  });
});

describe('publicUrlOf', () => {
  it('names the host and scheme a proxy forwarded', () => {
    const url = publicUrlOf(
      request('http://func-app:80/api/events', {
        'x-forwarded-host': 'audit.contoso.com',
        'x-forwarded-proto': 'https',
      }),
    );
    expect(url.toString()).toBe('https://audit.contoso.com/api/events');
  });

  it('takes the first of several forwarded hosts', () => {
    const url = publicUrlOf(
      request('http://func-app/api/events', { 'x-forwarded-host': 'a.example.com, b.example.com' }),
    );
    expect(url.host).toBe('a.example.com');
  });

  it('ignores a forwarded host that is not a host name', () => {
    const url = publicUrlOf(
      request('http://func-app/api/events', { 'x-forwarded-host': 'evil.example.com/path' }),
    );
    expect(url.host).toBe('func-app');
  });
});
