import type { ApiRequest } from '../http/types';

/**
 * The URL a caller used, as seen from outside: behind Front Door or another proxy the Functions host sees
 * the origin's host name, and the proxy names the public one in X-Forwarded-Host (and -Proto). The value
 * only shapes links handed back to the same caller, so trusting the header cannot redirect anyone else.
 */
export function publicUrlOf(request: ApiRequest): URL {
  const url = new URL(request.url);
  const host = firstValue(request.headers.get('x-forwarded-host'));
  const proto = firstValue(request.headers.get('x-forwarded-proto'));
  if (host !== undefined && /^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(host)) url.host = host;
  if (proto === 'https' || proto === 'http') url.protocol = `${proto}:`;
  return url;
}

/**
 * The link to the next page of a list, for Power Automate and Logic Apps (x-ms-pageable nextLinkName
 * "nextLink"): the same request with `continuationToken` set. A key sent as `code` is left out; the
 * connector sends its key as a header on every request, the next page's included.
 */
export function nextLinkOf(request: ApiRequest, continuationToken: string): string {
  const url = publicUrlOf(request);
  url.searchParams.delete('code');
  url.searchParams.set('continuationToken', continuationToken);
  return url.toString();
}

function firstValue(header: string | null): string | undefined {
  const value = header?.split(',')[0]?.trim();
  return value === undefined || value === '' ? undefined : value;
}
