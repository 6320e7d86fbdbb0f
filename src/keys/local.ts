import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair as generateKeyPairCallback,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { assertKeyName, InsecureKeyFileError, UnknownWrappingKeyError } from './errors';
import { ecPublicJwk } from './jwk';
import type { JsonWebKeySet, KeyProvider, Signer, WrappedKey } from './types';

/**
 * Keys kept as files in a data folder, for development, tests and single-machine use.
 *
 *   <directory>/signing/<sequence>.pem    EC P-256 private keys (PKCS#8), one per version
 *   <directory>/wrapping/<sequence>.pem   RSA 3072 private keys for RSA-OAEP-256 key wrapping
 *   <directory>/hmac/<name>.key           32 random bytes per HMAC key
 *
 * A version is "<4-digit sequence>-<first 4 bytes of SHA-256(public SPKI) in hex>": versions
 * sort by age, and a regenerated folder never gives an old id to a different key. Key ids are
 * "local/checkpoint-signing/<version>" and "local/data-key-wrapping/<version>".
 *
 * Files are created 0600 in 0700 folders with an atomic exclusive create (write to a temporary
 * file, then link), so processes sharing the folder never see half a key and agree on who won a
 * race. Nothing is cached except HMAC keys, which never change: a rotation by another process is
 * seen on the next call.
 */

const SIGNING = { folder: 'signing', keyIdPrefix: 'local/checkpoint-signing/' } as const;
const WRAPPING = { folder: 'wrapping', keyIdPrefix: 'local/data-key-wrapping/' } as const;
type KeyRole = typeof SIGNING | typeof WRAPPING;

const generateKeyPair = promisify(generateKeyPairCallback);
const VERSION_FILE = /^(\d{4,})\.pem$/;
const VERSION_ID = /^(\d{4,})-[0-9a-f]{8}$/;
const OAEP = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' } as const;

export class LocalKeyProvider implements KeyProvider {
  private readonly hmacKeys = new Map<string, Promise<Uint8Array>>();
  private readonly directory: string;
  private ready: Promise<void> | undefined;
  private wrapping: Promise<void> | undefined;

  /** Keys are generated on first use if the folder has none; see open() to do it eagerly. */
  constructor(directory: string) {
    this.directory = path.resolve(directory);
  }

  /** Opens the folder, generating the signing key if this is the first start. */
  static async open(directory: string): Promise<LocalKeyProvider> {
    const provider = new LocalKeyProvider(directory);
    await provider.initialized();
    return provider;
  }

  private initialized(): Promise<void> {
    if (this.ready === undefined) {
      this.ready = this.initialize();
      this.ready.catch(() => (this.ready = undefined));
    }
    return this.ready;
  }

  private async initialize(): Promise<void> {
    for (const folder of [SIGNING.folder, WRAPPING.folder, 'hmac']) {
      await fs.mkdir(path.join(this.directory, folder), { recursive: true, mode: 0o700 });
    }
    await this.ensureFirstVersion(SIGNING);
  }

  /** The wrapping key is made on first use: an RSA 3072 key takes seconds to generate. */
  private wrappingKeyReady(): Promise<void> {
    if (this.wrapping === undefined) {
      this.wrapping = (async () => {
        await this.initialized();
        await this.ensureFirstVersion(WRAPPING);
      })();
      this.wrapping.catch(() => (this.wrapping = undefined));
    }
    return this.wrapping;
  }

  async signer(): Promise<Signer> {
    await this.initialized();
    return this.signerFor(await this.newest(SIGNING));
  }

  /** Adds a new signing key version and returns its signer; older versions stay in the JWKS. */
  async rotate(): Promise<Signer> {
    await this.initialized();
    return this.signerFor(await this.addVersion(SIGNING));
  }

  async publicJwks(): Promise<JsonWebKeySet> {
    await this.initialized();
    const keys = [];
    for (const sequence of await this.sequences(SIGNING)) {
      const { keyId, key } = await this.load(SIGNING, sequence);
      keys.push(ecPublicJwk(key, keyId));
    }
    return { keys };
  }

  async hmacKey(name: string): Promise<Uint8Array> {
    assertKeyName(name);
    let key = this.hmacKeys.get(name);
    if (key === undefined) {
      key = this.loadOrCreateHmacKey(name);
      this.hmacKeys.set(name, key);
      key.catch(() => this.hmacKeys.delete(name));
    }
    return key;
  }

  async wrapKey(dataKey: Uint8Array): Promise<WrappedKey> {
    await this.wrappingKeyReady();
    const { keyId, key } = await this.newest(WRAPPING);
    const ciphertext = publicEncrypt({ key, ...OAEP }, dataKey);
    return { keyId, algorithm: 'RSA-OAEP-256', ciphertext: ciphertext.toString('base64') };
  }

  async unwrapKey(wrapped: WrappedKey): Promise<Uint8Array> {
    await this.initialized();
    const match = VERSION_ID.exec(wrapped.keyId.slice(WRAPPING.keyIdPrefix.length));
    const sequence = Number(match?.[1]);
    const known =
      match !== null &&
      wrapped.keyId.startsWith(WRAPPING.keyIdPrefix) &&
      wrapped.algorithm === 'RSA-OAEP-256' &&
      (await this.sequences(WRAPPING)).includes(sequence);
    const loaded = known ? await this.load(WRAPPING, sequence) : undefined;
    // The fingerprint in the id must match too: a regenerated folder reuses sequence numbers.
    if (loaded === undefined || loaded.keyId !== wrapped.keyId) {
      throw new UnknownWrappingKeyError(wrapped.keyId);
    }
    return privateDecrypt({ key: loaded.key, ...OAEP }, Buffer.from(wrapped.ciphertext, 'base64'));
  }

  private signerFor({ keyId, key }: LoadedKey): Signer {
    return {
      keyId,
      algorithm: 'ES256',
      publicKey: ecPublicJwk(key, keyId),
      sign: async (data) => sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }),
    };
  }

  private folder(role: KeyRole): string {
    return path.join(this.directory, role.folder);
  }

  /** Sequence numbers of a role's versions, newest first. */
  private async sequences(role: KeyRole): Promise<number[]> {
    const names = await fs.readdir(this.folder(role));
    return names
      .map((name) => VERSION_FILE.exec(name))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => Number(match[1]))
      .sort((a, b) => b - a);
  }

  private async newest(role: KeyRole): Promise<LoadedKey> {
    const [sequence] = await this.sequences(role);
    if (sequence === undefined) throw new Error(`no key in ${this.folder(role)}`);
    return this.load(role, sequence);
  }

  private async load(role: KeyRole, sequence: number): Promise<LoadedKey> {
    const key = createPrivateKey(await readKeyFile(this.file(role, sequence)));
    const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
    const fingerprint = createHash('sha256').update(spki).digest('hex').slice(0, 8);
    return { keyId: `${role.keyIdPrefix}${sequenceText(sequence)}-${fingerprint}`, key };
  }

  private file(role: KeyRole, sequence: number): string {
    return path.join(this.folder(role), `${sequenceText(sequence)}.pem`);
  }

  /** Creates version 1 unless a version exists; of processes starting at once, one key wins. */
  private async ensureFirstVersion(role: KeyRole): Promise<void> {
    if ((await this.sequences(role)).length > 0) return;
    await createExclusive(this.file(role, 1), await generatePrivateKeyPem(role));
  }

  private async addVersion(role: KeyRole): Promise<LoadedKey> {
    const pem = await generatePrivateKeyPem(role);
    // Another process may add a version at the same time: the exclusive create decides, and the
    // loser takes the next sequence number.
    for (;;) {
      const [newest] = await this.sequences(role);
      const sequence = (newest ?? 0) + 1;
      if (await createExclusive(this.file(role, sequence), pem)) return this.load(role, sequence);
    }
  }

  private async loadOrCreateHmacKey(name: string): Promise<Uint8Array> {
    await this.initialized();
    const file = path.join(this.directory, 'hmac', `${name}.key`);
    await createExclusive(file, randomBytes(32));
    const key = await readKeyFile(file);
    if (key.length !== 32)
      throw new Error(`HMAC key file ${file} is ${key.length} bytes, expected 32`);
    return key;
  }
}

interface LoadedKey {
  keyId: string;
  key: KeyObject;
}

async function generatePrivateKeyPem(role: KeyRole): Promise<string> {
  const { privateKey } =
    role === SIGNING
      ? await generateKeyPair('ec', { namedCurve: 'P-256' })
      : await generateKeyPair('rsa', { modulusLength: 3072 });
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

function sequenceText(sequence: number): string {
  return String(sequence).padStart(4, '0');
}

/** Reads a key file after checking that only its owner can read or write it. */
async function readKeyFile(file: string): Promise<Buffer> {
  const stat = await fs.stat(file);
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new InsecureKeyFileError(file, stat.mode & 0o777);
  }
  return fs.readFile(file);
}

/** Creates file with content unless it exists; true if this call created it. */
async function createExclusive(file: string, content: string | Uint8Array): Promise<boolean> {
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await fs.writeFile(temporary, content, { mode: 0o600, flag: 'wx' });
  try {
    await fs.link(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await fs.unlink(temporary);
  }
}
