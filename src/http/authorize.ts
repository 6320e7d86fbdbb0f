import type { ApiKeyring, TenantGrant } from '../auth/api-keys';
import { problem, type ApiRequest, type ApiResponse } from './types';

/**
 * Resolves the caller's tenant grant from the key it presents, as Azure Functions accepts keys: the
 * `x-functions-key` header or the `code` query parameter. Unknown or missing keys get 401.
 */
export function authorize(
  request: ApiRequest,
  keyring: ApiKeyring,
): { grant: TenantGrant } | { response: ApiResponse } {
  const key = request.headers.get('x-functions-key') ?? request.query.get('code') ?? undefined;
  if (key === undefined || key === '') {
    return {
      response: problem(
        401,
        'unauthorized',
        'this route needs a key: send it in the x-functions-key header or the code query parameter',
      ),
    };
  }
  const grant = keyring.grantFor(key);
  if (grant === undefined)
    return { response: problem(401, 'unauthorized', 'the key is not valid for this audit log') };
  return { grant };
}

export function forbiddenTenant(tenant: string): ApiResponse {
  return problem(403, 'forbidden', `this key may not use tenant "${tenant}"`, { tenant });
}
