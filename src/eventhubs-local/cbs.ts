import type { Message } from 'rhea';
import {
  normalizeResourceUri,
  pathCovers,
  SasTokenError,
  verifySasToken,
  type SharedAccessKey,
} from './sas-token';

/**
 * The `$cbs` node: a client sends `put-token` with the audience it wants (`name`), the token
 * type and the token as the body; the reply carries `status-code` (2xx = accepted) and
 * `status-description`. A granted claim is remembered per connection and checked when a link
 * to the entity is attached.
 */

export const CBS_OPERATION_PUT_TOKEN = 'put-token';
export const SAS_TOKEN_TYPE = 'servicebus.windows.net:sastoken';

export interface Claim {
  /** Normalized path of the audience the token was presented for ("" = the whole namespace). */
  readonly path: string;
  readonly expiresAtMs: number;
}

export interface CbsOutcome {
  readonly statusCode: number;
  readonly statusDescription: string;
  /** Sent as `error-condition` so the client maps the failure without guessing from the status code. */
  readonly errorCondition?: string;
  readonly claim?: Claim;
}

export interface CbsContext {
  readonly eventHubName: string;
  readonly audienceHosts: ReadonlySet<string>;
  readonly key: SharedAccessKey;
  readonly nowMs: number;
}

export function handleCbsRequest(request: Message, context: CbsContext): CbsOutcome {
  const properties = request.application_properties ?? {};
  const operation: unknown = properties.operation;
  if (operation !== CBS_OPERATION_PUT_TOKEN) {
    return {
      statusCode: 501,
      statusDescription: `operation "${String(operation)}" is not supported by $cbs; only "${CBS_OPERATION_PUT_TOKEN}" is`,
      errorCondition: 'amqp:not-implemented',
    };
  }
  const audience: unknown = properties.name;
  if (typeof audience !== 'string' || audience === '') {
    return badRequest('put-token needs the audience in application property "name"');
  }
  const token: unknown = request.body;
  if (typeof token !== 'string') {
    return unauthorized(
      `the put-token body must be a SharedAccessSignature string; token type "${String(properties.type)}" cannot be checked by the local endpoint`,
    );
  }
  const target = normalizeResourceUri(audience);
  const hub = context.eventHubName.toLowerCase();
  const namesThisHub = target.path === '' || target.path.split('/')[0] === hub;
  if (!context.audienceHosts.has(target.host) || !namesThisHub) {
    return unauthorized(
      `audience "${audience}" does not name this endpoint (hosts ${[...context.audienceHosts].join(', ')}; event hub "${context.eventHubName}")`,
    );
  }
  try {
    const { expiresAtMs } = verifySasToken(token, audience, context.key, context.nowMs);
    return {
      statusCode: 202,
      statusDescription: 'Accepted',
      claim: { path: target.path, expiresAtMs },
    };
  } catch (error) {
    if (error instanceof SasTokenError) {
      return unauthorized(`the SharedAccessSignature was refused: ${error.message}`);
    }
    throw error;
  }
}

/** True when an unexpired claim covers `path` (a claim on a path covers everything below it). */
export function claimsCover(claims: readonly Claim[], path: string, nowMs: number): boolean {
  return claims.some((claim) => claim.expiresAtMs > nowMs && pathCovers(claim.path, path));
}

function unauthorized(description: string): CbsOutcome {
  return {
    statusCode: 401,
    statusDescription: description,
    errorCondition: 'amqp:unauthorized-access',
  };
}

function badRequest(description: string): CbsOutcome {
  return {
    statusCode: 400,
    statusDescription: description,
    errorCondition: 'com.microsoft:argument-error',
  };
}
