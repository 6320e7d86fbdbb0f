import { promises as fs } from 'node:fs';
import { parseJwks } from '../keys/jwk';
import type { JsonWebKeySet } from '../keys/types';

export class JwksLoadError extends Error {
  override readonly name = 'JwksLoadError';
  constructor(
    readonly location: string,
    reason: string,
  ) {
    super(`key set ${location}: ${reason}`);
  }
}

/**
 * The key set a verifier trusts: a JWKS file (e.g. saved from GET /api/keys or `mcp-audit keys
 * export`), or an http(s) URL serving one. Only ES256 public keys are taken from it.
 */
export async function loadJwks(
  location: string,
  fetchImpl: typeof fetch = fetch,
): Promise<JsonWebKeySet> {
  let text: string;
  if (/^https?:\/\//i.test(location)) {
    let response: Response;
    try {
      response = await fetchImpl(location);
    } catch (error) {
      throw new JwksLoadError(location, `cannot be fetched (${(error as Error).message})`);
    }
    if (!response.ok) throw new JwksLoadError(location, `answered ${response.status}`);
    text = await response.text();
  } else {
    try {
      text = await fs.readFile(location, 'utf8');
    } catch (error) {
      throw new JwksLoadError(location, `cannot be read (${(error as Error).message})`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new JwksLoadError(location, `is not JSON (${(error as Error).message})`);
  }
  try {
    return parseJwks(json);
  } catch (error) {
    throw new JwksLoadError(location, (error as Error).message);
  }
}
