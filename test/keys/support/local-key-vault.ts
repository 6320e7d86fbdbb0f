import {
  constants,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { readKeysData } from './data';
import { signDigestP256 } from './p256-digest-signer';

/**
 * A local HTTPS endpoint speaking the Azure Key Vault keys REST protocol (api-version 2025-07-01)
 * as @azure/keyvault-keys speaks it. It is not Azure: it runs on 127.0.0.1 with a test-only
 * certificate (test/data/keys/loopback-tls.*) and implements just the operations the
 * KeyVaultKeyProvider uses: create key, get key (latest or a version), list key versions (paged),
 * sign (ES256), wrapkey and unwrapkey (RSA-OAEP-256). Like the service, it answers a request
 * without a bearer token with 401 and a WWW-Authenticate challenge naming the token resource.
 * RSA keys are 2048-bit whatever size is asked for, to keep key generation fast.
 */

export const TLS_CERTIFICATE = readKeysData('loopback-tls.crt');
const TLS_KEY = readKeysData('loopback-tls.key');

export const CHALLENGE_RESOURCE = 'https://vault.azure.net';
export const CHALLENGE_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const API_VERSION = '2025-07-01';
const PAGE_SIZE = 2;

interface KeyVersion {
  version: string;
  kty: 'EC' | 'RSA';
  keyOps: string[];
  privateKey: KeyObject;
  created: number;
  enabled: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorized: boolean;
  body: string;
}

export class LocalKeyVault {
  readonly requests: RecordedRequest[] = [];
  private readonly keys = new Map<string, KeyVersion[]>();
  private clock = 1_700_000_000;

  private constructor(
    private readonly server: Server,
    readonly token: string,
  ) {}

  static async start(token: string): Promise<LocalKeyVault> {
    const server = createServer({ cert: TLS_CERTIFICATE, key: TLS_KEY });
    const vault = new LocalKeyVault(server, token);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const reply = vault.handle(
          request.method ?? 'GET',
          request.url ?? '/',
          request.headers,
          Buffer.concat(chunks).toString(),
        );
        response.writeHead(reply.status, {
          'content-type': 'application/json; charset=utf-8',
          ...reply.headers,
        });
        response.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return vault;
  }

  get url(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Adds a key version directly (as a rotation policy would) and returns its id. */
  addVersion(name: string, kty: 'EC' | 'RSA', keyOps?: string[]): string {
    const privateKey =
      kty === 'EC'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
        : generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const version: KeyVersion = {
      version: randomBytes(16).toString('hex'),
      kty,
      keyOps: keyOps ?? (kty === 'EC' ? ['sign', 'verify'] : ['wrapKey', 'unwrapKey']),
      privateKey,
      created: this.clock++,
      enabled: true,
    };
    this.keys.set(name, [...(this.keys.get(name) ?? []), version]);
    return this.kid(name, version);
  }

  disable(keyId: string): void {
    const version = keyId.split('/').pop();
    for (const versions of this.keys.values()) {
      for (const v of versions) if (v.version === version) v.enabled = false;
    }
  }

  private kid(name: string, version: KeyVersion): string {
    return `${this.url}/keys/${name}/${version.version}`;
  }

  private handle(
    method: string,
    rawUrl: string,
    headers: Record<string, string | string[] | undefined>,
    body: string,
  ): { status: number; body?: unknown; headers?: Record<string, string> } {
    const url = new URL(rawUrl, this.url);
    const authorized = headers.authorization === `Bearer ${this.token}`;
    this.requests.push({ method, path: url.pathname, authorized, body });
    if (!authorized) {
      return {
        status: 401,
        headers: {
          'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${CHALLENGE_TENANT}", resource="${CHALLENGE_RESOURCE}"`,
        },
        body: {
          error: {
            code: 'Unauthorized',
            message: 'AKV10000: Request is missing a Bearer or PoP token.',
          },
        },
      };
    }
    if (url.searchParams.get('api-version') !== API_VERSION) {
      return error(
        400,
        'BadParameter',
        `The specified version (${url.searchParams.get('api-version')}) is not recognized.`,
      );
    }
    const segments = url.pathname.split('/').filter((s) => s !== '');
    if (segments[0] !== 'keys' || segments[1] === undefined)
      return error(404, 'NotFound', 'Not found');
    const name = segments[1];
    const request = body === '' ? {} : (JSON.parse(body) as Record<string, unknown>);

    if (method === 'POST' && segments[2] === 'create' && segments.length === 3) {
      const kty = request.kty === 'EC' || request.kty === 'EC-HSM' ? 'EC' : 'RSA';
      const kid = this.addVersion(name, kty, request.key_ops as string[] | undefined);
      return {
        status: 200,
        body: this.bundle(name, this.find(name, kid.split('/').pop()) as KeyVersion),
      };
    }
    if (method === 'GET' && segments[2] === 'versions' && segments.length === 3) {
      const all = this.keys.get(name) ?? [];
      const skip = Number(url.searchParams.get('$skiptoken') ?? '0');
      const page = all.slice(skip, skip + PAGE_SIZE);
      const nextLink =
        skip + PAGE_SIZE < all.length
          ? `${this.url}/keys/${name}/versions?api-version=${API_VERSION}&$skiptoken=${skip + PAGE_SIZE}`
          : null;
      return {
        status: 200,
        body: {
          value: page.map((v) => ({ kid: this.kid(name, v), attributes: this.attributes(v) })),
          nextLink,
        },
      };
    }
    const version = this.find(name, segments[2]);
    if (version === undefined) {
      return error(
        404,
        'KeyNotFound',
        `A key with (name/id) ${name} was not found in this key vault.`,
      );
    }
    if (method === 'GET' && segments.length <= 3) {
      if (!version.enabled)
        return error(403, 'Forbidden', 'Operation get is not allowed on a disabled key.');
      return { status: 200, body: this.bundle(name, version) };
    }
    if (method === 'POST' && segments.length === 4) {
      const value = Buffer.from(String(request.value), 'base64url');
      const result = this.operate(segments[3] as string, String(request.alg), version, value);
      if (typeof result === 'string') return error(400, 'BadParameter', result);
      return {
        status: 200,
        body: { kid: this.kid(name, version), value: result.toString('base64url') },
      };
    }
    return error(405, 'MethodNotAllowed', `${method} ${url.pathname} is not supported here`);
  }

  /** A version by id, or the newest when none is given (GET /keys/{name} and /keys/{name}/). */
  private find(name: string, version: string | undefined): KeyVersion | undefined {
    const versions = this.keys.get(name) ?? [];
    if (version === undefined || version === '') return versions[versions.length - 1];
    return versions.find((v) => v.version === version);
  }

  private operate(
    operation: string,
    alg: string,
    version: KeyVersion,
    value: Buffer,
  ): Buffer | string {
    if (!version.enabled) return 'Operation is not allowed on a disabled key.';
    const oaep = {
      key: version.privateKey,
      padding: constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: 'sha256',
    };
    switch (`${operation} ${alg} ${version.kty}`) {
      case 'sign ES256 EC':
        if (value.length !== 32) return 'Invalid length of digest for ES256.';
        return signDigestP256(version.privateKey, value);
      case 'wrapkey RSA-OAEP-256 RSA':
        return publicEncrypt(oaep, value);
      case 'unwrapkey RSA-OAEP-256 RSA':
        return privateDecrypt(oaep, value);
      default:
        return `Operation ${operation} with algorithm ${alg} is not supported on a ${version.kty} key.`;
    }
  }

  private bundle(name: string, version: KeyVersion): unknown {
    const jwk = version.privateKey.export({ format: 'jwk' });
    const material =
      version.kty === 'EC' ? { crv: 'P-256', x: jwk.x, y: jwk.y } : { n: jwk.n, e: jwk.e };
    return {
      key: { kid: this.kid(name, version), kty: version.kty, key_ops: version.keyOps, ...material },
      attributes: this.attributes(version),
    };
  }

  private attributes(version: KeyVersion): unknown {
    return {
      enabled: version.enabled,
      created: version.created,
      updated: version.created,
      recoveryLevel: 'Recoverable+Purgeable',
      recoverableDays: 90,
    };
  }
}

function error(status: number, code: string, message: string): { status: number; body: unknown } {
  return { status, body: { error: { code, message } } };
}
