/**
 * The request and response shapes HTTP handlers use. They are the structural subset of @azure/functions'
 * HttpRequest and HttpResponseInit, so the Functions host and the local host both pass their own objects
 * and the handlers never depend on the Functions runtime.
 */
export interface ApiRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  readonly query: URLSearchParams;
  readonly params: Record<string, string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  jsonBody?: unknown;
  body?: string;
}

/** An error body that says what was wrong, where, and what to do. */
export function problem(
  status: number,
  error: string,
  message: string,
  extra: Record<string, unknown> = {},
): ApiResponse {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    jsonBody: { error, message, ...extra },
  };
}

export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): ApiResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, jsonBody: body };
}
