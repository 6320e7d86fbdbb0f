import { CliError } from './errors';
import type { Connection } from './connection';

export interface ApiResult {
  status: number;
  /** The parsed JSON body, or the text when it is not JSON. */
  body: unknown;
}

/** The body of an error answer from the API (src/http problem documents). */
interface Problem {
  error?: string;
  message?: string;
  caret?: string;
}

/** Talks to the audit log's HTTP API with the connection's key. */
export class ApiClient {
  constructor(
    readonly connection: Connection,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  get(route: string, query: Record<string, string | undefined> = {}): Promise<ApiResult> {
    const url = new URL(`${this.connection.url}/api/${route}`);
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) url.searchParams.set(name, value);
    return this.send(url, { method: 'GET' });
  }

  post(route: string, body: Uint8Array, contentType: string): Promise<ApiResult> {
    return this.send(new URL(`${this.connection.url}/api/${route}`), {
      method: 'POST',
      body,
      headers: { 'content-type': contentType },
    });
  }

  private async send(url: URL, init: RequestInit): Promise<ApiResult> {
    const headers = new Headers(init.headers);
    if (this.connection.key !== undefined) headers.set('x-functions-key', this.connection.key);
    let response: Response;
    try {
      response = await this.fetchImpl(url, { ...init, headers });
    } catch (error) {
      throw unreachable(this.connection.url, error);
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON: keep the text for the error message.
    }
    return { status: response.status, body };
  }

  /**
   * The error for an answer other than the expected one: what the server said, and what to do about the
   * common cases (no key, wrong key, another tenant's data).
   */
  failure(result: ApiResult, action: string): CliError {
    const problem = (
      typeof result.body === 'object' && result.body !== null ? result.body : {}
    ) as Problem;
    const said =
      problem.message ??
      (typeof result.body === 'string' && result.body !== '' ? result.body : undefined);
    const message = `${action} failed: ${result.status}${said ? ` ${said}` : ''}`;
    switch (result.status) {
      case 401:
        return new CliError(
          message,
          1,
          this.connection.key === undefined
            ? 'no key was found: pass --key, set AUDIT_API_KEY, or run where the local host keeps .data/admin-key.json (or pass --data)'
            : `the key from ${this.connection.keySource} was refused: check --key / AUDIT_API_KEY against the host's AUDIT_API_KEYS`,
        );
      case 403:
        return new CliError(
          message,
          1,
          'this key is limited to other tenants: use a key granted that tenant',
        );
      case 400:
        return new CliError(
          message,
          1,
          problem.caret === undefined ? undefined : indent(problem.caret),
        );
      case 503:
        return new CliError(
          message,
          1,
          'the host cannot reach its storage right now: retry in a moment',
        );
      default:
        return new CliError(message);
    }
  }
}

function unreachable(base: string, error: unknown): CliError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error).message;
  return new CliError(
    `cannot reach the audit log at ${base} (${reason})`,
    1,
    'start the local host with "npx mcp-audit start", or pass --url (or set AUDIT_URL) for another one',
  );
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
