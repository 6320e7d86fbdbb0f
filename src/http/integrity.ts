import { mayUseTenant, permittedTenants } from '../auth/api-keys';
import { parseCheckpoint, parseSignedNote, toBase64 } from '../integrity';
import {
  ClaimedRecordMismatchError,
  listCheckpointHeads,
  listCheckpointRefs,
  MissingTileError,
  ProofIntegrityError,
  proveConsistency,
  proveEvent,
  readBlobText,
  readCheckpointHead,
  type CheckpointHead,
  type IntegrityServices,
} from '../seal';
import { listTenants } from '../store/tenants';
import { verifyLog, verifyTenantEvents } from '../verify';
import { authorize, forbiddenTenant } from './authorize';
import type { ApiDependencies } from './dependencies';
import { json, problem, type ApiRequest, type ApiResponse } from './types';

/**
 * The integrity routes. Checkpoints and keys carry roots, sizes, times and public keys only, never a
 * tenant's data, so any valid key may read them (and anyone the key set). Proofs and verification are
 * scoped to the caller's tenants: a proof is only ever built for an event of a tenant the key may read.
 */

/** How long a caller is told to wait for the next seal (the default seal schedule runs every 20 s). */
export const SEAL_RETRY_AFTER_SECONDS = 20;
const DEFAULT_CHECKPOINT_LIMIT = 100;
const MAX_CHECKPOINT_LIMIT = 1000;
const PARTITION_PATTERN = /^[0-9A-Za-z._-]{1,64}$/;

/** One checkpoint as the API lists it: its fields and the signed note itself. */
export interface CheckpointView {
  partition: string;
  origin: string;
  size: number;
  rootHash: string;
  time: string;
  keyId: string;
  previousHash?: string;
  note: string;
}

function checkpointView(note: string): CheckpointView {
  const checkpoint = parseCheckpoint(parseSignedNote(note).text);
  return {
    partition: checkpoint.partition,
    origin: checkpoint.origin,
    size: checkpoint.size,
    rootHash: toBase64(checkpoint.rootHash),
    time: checkpoint.time.toISOString(),
    keyId: checkpoint.keyId,
    ...(checkpoint.previousHash ? { previousHash: toBase64(checkpoint.previousHash) } : {}),
    note,
  };
}

function servicesOf(deps: ApiDependencies): IntegrityServices | ApiResponse {
  return (
    deps.integrity ??
    problem(503, 'integrity-unavailable', 'this host was started without the signed log')
  );
}

function isResponse(value: unknown): value is ApiResponse {
  return typeof value === 'object' && value !== null && 'status' in value;
}

/**
 * GET /api/checkpoints: the latest checkpoint of every partition (or of `partition`); with `fromSize`
 * or `fromTime` (and `partition`), the partition's checkpoints from there on, oldest first, at most
 * `limit`, with `next.fromSize` when more follow.
 */
export async function getCheckpoints(
  request: ApiRequest,
  deps: ApiDependencies,
): Promise<ApiResponse> {
  const auth = authorize(request, deps.keyring);
  if ('response' in auth) return auth.response;
  const services = servicesOf(deps);
  if (isResponse(services)) return services;
  const partition = request.query.get('partition') ?? undefined;
  if (partition !== undefined && !PARTITION_PATTERN.test(partition)) {
    return problem(
      400,
      'invalid-partition',
      `partition "${partition}" is not 1-64 of [0-9A-Za-z._-]`,
    );
  }
  const fromSize = parseCount(request.query.get('fromSize'), 'fromSize');
  if (typeof fromSize === 'string') return problem(400, 'invalid-query', fromSize);
  const fromTimeText = request.query.get('fromTime');
  const fromTime = fromTimeText ? new Date(fromTimeText) : undefined;
  if (fromTime !== undefined && Number.isNaN(fromTime.getTime())) {
    return problem(400, 'invalid-query', `fromTime "${fromTimeText}" is not an RFC 3339 time`);
  }
  const limit = parseCount(request.query.get('limit'), 'limit') ?? DEFAULT_CHECKPOINT_LIMIT;
  if (typeof limit === 'string' || limit < 1 || limit > MAX_CHECKPOINT_LIMIT) {
    return problem(
      400,
      'invalid-limit',
      `limit must be an integer from 1 to ${MAX_CHECKPOINT_LIMIT}`,
    );
  }
  const { stores, log } = services;

  if (fromSize === undefined && fromTime === undefined) {
    const heads: CheckpointHead[] =
      partition === undefined
        ? await listCheckpointHeads(stores.state)
        : [await readCheckpointHead(stores.state, partition)].filter(
            (head): head is CheckpointHead => head !== undefined,
          );
    return json(200, {
      region: log.region,
      checkpoints: heads.map((head) => checkpointView(head.note)),
    });
  }
  if (partition === undefined) {
    return problem(
      400,
      'invalid-query',
      'fromSize and fromTime list one partition: add partition=<id>',
    );
  }
  const checkpoints: CheckpointView[] = [];
  let next: number | undefined;
  for await (const ref of listCheckpointRefs(stores.checkpoints, log, partition)) {
    if (ref.size < (fromSize ?? 0)) continue;
    if (fromTime !== undefined && (ref.time === undefined || ref.time < fromTime)) continue;
    if (checkpoints.length === limit) {
      next = ref.size;
      break;
    }
    const note = await readBlobText(stores.checkpoints, ref.name);
    if (note !== undefined) checkpoints.push(checkpointView(note));
  }
  return json(200, {
    region: log.region,
    checkpoints,
    ...(next === undefined ? {} : { next: { partition, fromSize: next } }),
  });
}

/** GET /api/checkpoints/consistency?partition=&from=&to=: the proof that checkpoint `to` (default the latest) extends `from`. */
export async function getCheckpointConsistency(
  request: ApiRequest,
  deps: ApiDependencies,
): Promise<ApiResponse> {
  const auth = authorize(request, deps.keyring);
  if ('response' in auth) return auth.response;
  const services = servicesOf(deps);
  if (isResponse(services)) return services;
  const partition = request.query.get('partition') ?? '';
  if (!PARTITION_PATTERN.test(partition)) {
    return problem(
      400,
      'invalid-partition',
      `partition "${partition}" is not 1-64 of [0-9A-Za-z._-]`,
    );
  }
  const from = parseCount(request.query.get('from'), 'from');
  const to = parseCount(request.query.get('to'), 'to');
  if (typeof from === 'string') return problem(400, 'invalid-query', from);
  if (typeof to === 'string') return problem(400, 'invalid-query', to);
  if (from === undefined)
    return problem(400, 'invalid-query', 'from (a checkpoint size) is required');
  if (to !== undefined && from > to) {
    return problem(400, 'invalid-query', `from ${from} is larger than to ${to}`);
  }
  try {
    const result = await proveConsistency(services, partition, from, to);
    if (result.status === 'not-found') {
      return problem(
        404,
        'not-found',
        result.missingSize === undefined
          ? `partition ${partition} has no checkpoint yet`
          : `partition ${partition} has no checkpoint of size ${result.missingSize}`,
      );
    }
    if (result.document.to.size < from) {
      return problem(
        400,
        'invalid-query',
        `from ${from} is larger than the latest checkpoint ${result.document.to.size}`,
      );
    }
    return json(200, result.document);
  } catch (error) {
    return integrityFailure(error);
  }
}

/** GET /api/keys (anonymous): the JWKS of every key that may have signed a checkpoint, rotated ones included. */
export async function getKeys(_request: ApiRequest, deps: ApiDependencies): Promise<ApiResponse> {
  const services = servicesOf(deps);
  if (isResponse(services)) return services;
  return {
    status: 200,
    headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' },
    jsonBody: await services.keys.publicJwks(),
  };
}

/**
 * GET /api/events/{id}/proof: the event's record, leaf hash, inclusion proof and the signed checkpoint
 * it leads to, as one document verifiable offline; 202 while no checkpoint covers the event yet.
 */
export async function getEventProof(
  request: ApiRequest,
  deps: ApiDependencies,
): Promise<ApiResponse> {
  const auth = authorize(request, deps.keyring);
  if ('response' in auth) return auth.response;
  const services = servicesOf(deps);
  if (isResponse(services)) return services;
  const id = request.params.id ?? '';
  const requested = request.query.get('tenant');
  if (requested && !mayUseTenant(auth.grant, requested)) return forbiddenTenant(requested);
  const tenants =
    permittedTenants(auth.grant, requested ? [requested] : undefined) ??
    (await listTenants(deps.clients.tables.state));
  try {
    const result = await proveEvent(services, tenants, id);
    switch (result.status) {
      case 'proved':
        return json(200, result.document);
      case 'not-found':
        return problem(
          404,
          'not-found',
          `no event with id "${id}" in the tenants this key may read`,
        );
      case 'not-sealed':
        return {
          ...problem(
            202,
            'not-yet-sealed',
            `event "${id}" is at index ${result.logIndex} of partition ${result.partition}, which no signed checkpoint covers yet ` +
              `(latest: ${result.latestCheckpointSize ?? 'none'}); checkpoints are signed every ${SEAL_RETRY_AFTER_SECONDS} s: retry after that`,
            {
              partition: result.partition,
              logIndex: result.logIndex,
              latestCheckpointSize: result.latestCheckpointSize ?? null,
            },
          ),
          headers: {
            'content-type': 'application/json',
            'retry-after': String(SEAL_RETRY_AFTER_SECONDS),
          },
        };
    }
  } catch (error) {
    return integrityFailure(error);
  }
}

/**
 * POST /api/verify: verification of the caller's scope. A key for every tenant verifies the whole log
 * (optionally one `partition`); a tenant's key (or `tenant` in the body) verifies that tenant's events,
 * optionally only those enqueued in [`from`, `to`). Answers 200 with the report, whose `ok` says the verdict.
 */
export async function postVerify(request: ApiRequest, deps: ApiDependencies): Promise<ApiResponse> {
  const auth = authorize(request, deps.keyring);
  if ('response' in auth) return auth.response;
  const services = servicesOf(deps);
  if (isResponse(services)) return services;
  const body = await verifyBody(request);
  if (isResponse(body)) return body;
  const publicKeys = await services.keys.publicJwks();
  if (auth.grant.all && body.tenant === undefined) {
    if (body.from !== undefined || body.to !== undefined) {
      return problem(
        400,
        'invalid-body',
        'from and to limit a tenant\'s verification: add "tenant"',
      );
    }
    const report = await verifyLog(services, {
      publicKeys,
      clock: deps.clock,
      ...(body.partition === undefined ? {} : { partitions: [body.partition] }),
    });
    return json(200, report);
  }
  if (body.tenant !== undefined && !mayUseTenant(auth.grant, body.tenant)) {
    return forbiddenTenant(body.tenant);
  }
  const tenants = body.tenant !== undefined ? [body.tenant] : (permittedTenants(auth.grant) ?? []);
  const report = await verifyTenantEvents(services, tenants, {
    publicKeys,
    clock: deps.clock,
    ...(body.from === undefined ? {} : { from: body.from }),
    ...(body.to === undefined ? {} : { to: body.to }),
  });
  return json(200, report);
}

interface VerifyBody {
  tenant?: string;
  partition?: string;
  from?: Date;
  to?: Date;
}

async function verifyBody(request: ApiRequest): Promise<VerifyBody | ApiResponse> {
  const text = Buffer.from(await request.arrayBuffer())
    .toString('utf8')
    .trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return problem(400, 'invalid-body', `the body is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return problem(
      400,
      'invalid-body',
      'the body is a JSON object: {"tenant", "partition", "from", "to"}, all optional',
    );
  }
  const raw = value as Record<string, unknown>;
  const body: VerifyBody = {};
  for (const name of ['tenant', 'partition'] as const) {
    const field = raw[name];
    if (field === undefined) continue;
    if (typeof field !== 'string' || !PARTITION_PATTERN.test(field)) {
      return problem(400, 'invalid-body', `${name} must be an id of 1-64 of [0-9A-Za-z._-]`);
    }
    body[name] = field;
  }
  for (const name of ['from', 'to'] as const) {
    const field = raw[name];
    if (field === undefined) continue;
    const time = typeof field === 'string' ? new Date(field) : new Date(Number.NaN);
    if (Number.isNaN(time.getTime())) {
      return problem(400, 'invalid-body', `${name} must be an RFC 3339 time`);
    }
    body[name] = time;
  }
  return body;
}

function parseCount(raw: string | null, name: string): number | string | undefined {
  if (raw === null || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0)
    return `${name} must be a non-negative integer, got "${raw}"`;
  return value;
}

function integrityFailure(error: unknown): ApiResponse {
  if (
    error instanceof ProofIntegrityError ||
    error instanceof ClaimedRecordMismatchError ||
    error instanceof MissingTileError
  ) {
    return problem(500, 'integrity-failure', error.message);
  }
  throw error;
}
