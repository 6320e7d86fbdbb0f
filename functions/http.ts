import type { HttpHandler, HttpRequest } from '@azure/functions';
import type { ApiDependencies } from '../src/http/dependencies';
import type { ApiRequest, ApiResponse } from '../src/http/types';
import { getRuntime } from './runtime';

type ApiHandler = (request: ApiRequest, deps: ApiDependencies) => Promise<ApiResponse>;

/** Adapts a plain API handler to an HTTP trigger; the handler sees only the request and its dependencies. */
export function httpTrigger(handler: ApiHandler): HttpHandler {
  return async (request: HttpRequest) => handler(request, (await getRuntime()).api);
}
