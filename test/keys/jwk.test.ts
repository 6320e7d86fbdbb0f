import { generateKeyPairSync, sign } from 'node:crypto';
import {
  ecPublicJwk,
  InvalidJwkError,
  parseJwks,
  publicKeyFromJwk,
  spkiFromJwk,
  verifySignatureWithJwk,
} from '../../src/keys/jwk';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = ecPublicJwk(privateKey, 'local/checkpoint-signing/0001-00000000');
const data = Buffer.from('checkpoint body\n');
const signature = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });

describe('ecPublicJwk', () => {
  it('exports only the public coordinates, labelled for ES256 signing', () => {
    expect(Object.keys(jwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(jwk).toMatchObject({
      kty: 'EC',
      crv: 'P-256',
      alg: 'ES256',
      use: 'sig',
      kid: 'local/checkpoint-signing/0001-00000000',
    });
  });

  it('refuses a key that is not on P-256', () => {
    const { privateKey: other } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(() => ecPublicJwk(other, 'k')).toThrow(
      new Error('invalid ES256 public JWK k: the key is not an EC P-256 key'),
    );
  });
});

describe('verifySignatureWithJwk', () => {
  it('accepts a signature by the key', () => {
    expect(verifySignatureWithJwk(jwk, data, signature)).toBe(true);
  });

  it('rejects a signature over other data', () => {
    expect(verifySignatureWithJwk(jwk, Buffer.from('checkpoint body!\n'), signature)).toBe(false);
  });

  it('rejects a signature with one bit changed', () => {
    const altered = Buffer.from(signature);
    altered[10] = (altered[10] as number) ^ 0x20;
    expect(verifySignatureWithJwk(jwk, data, altered)).toBe(false);
  });

  it('rejects a DER signature: this function takes raw r || s', () => {
    const der = sign('sha256', data, { key: privateKey, dsaEncoding: 'der' });
    expect(verifySignatureWithJwk(jwk, data, der)).toBe(false);
  });

  it('rejects a signature by another key', () => {
    const other = ecPublicJwk(
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey,
      'other',
    );
    expect(verifySignatureWithJwk(other, data, signature)).toBe(false);
  });
});

describe('publicKeyFromJwk / spkiFromJwk', () => {
  it('gives the DER SubjectPublicKeyInfo of the key', () => {
    expect(spkiFromJwk(jwk).toString('hex')).toBe(
      publicKey.export({ format: 'der', type: 'spki' }).toString('hex'),
    );
  });

  it('rejects a coordinate that is not 32 bytes', () => {
    expect(() => publicKeyFromJwk({ ...jwk, x: jwk.x.slice(0, 40) })).toThrow(
      new InvalidJwkError(jwk.kid, 'x is not 32 bytes of unpadded base64url'),
    );
  });

  it('rejects padded base64url coordinates', () => {
    expect(() => publicKeyFromJwk({ ...jwk, y: `${jwk.y}=` })).toThrow(
      new Error(
        'invalid ES256 public JWK local/checkpoint-signing/0001-00000000: y is not 32 bytes of unpadded base64url',
      ),
    );
  });

  it('rejects a point that is not on the curve', () => {
    const y = Buffer.from(jwk.y, 'base64url');
    y[31] = (y[31] as number) ^ 1;
    expect(() => publicKeyFromJwk({ ...jwk, y: y.toString('base64url') })).toThrow(
      /^invalid ES256 public JWK local\/checkpoint-signing\/0001-00000000: not a point on P-256/,
    );
  });
});

describe('parseJwks', () => {
  it('keeps ES256 keys and skips key types it does not use', () => {
    const rsa = { kty: 'RSA', n: 'AQAB', e: 'AQAB', kid: 'wrap' };
    expect(parseJwks({ keys: [rsa, jwk, { ...jwk, alg: 'ES384', kid: 'p384' }] })).toEqual({
      keys: [jwk],
    });
  });

  it('drops members other than the public ones', () => {
    expect(parseJwks({ keys: [{ ...jwk, d: 'secret', key_ops: ['verify'] }] })).toEqual({
      keys: [jwk],
    });
  });

  it('rejects a document without a keys array', () => {
    expect(() => parseJwks({ key: [] })).toThrow(
      new Error('invalid ES256 public JWK: a JWKS is an object with a "keys" array'),
    );
  });

  it('rejects an EC key without a kid', () => {
    const anonymous: Partial<typeof jwk> = { ...jwk };
    delete anonymous.kid;
    expect(() => parseJwks({ keys: [anonymous] })).toThrow(
      new Error('invalid ES256 public JWK: an EC P-256 key has no kid'),
    );
  });

  it('rejects a malformed EC key rather than skipping it', () => {
    expect(() => parseJwks({ keys: [{ ...jwk, x: 'AAAA' }] })).toThrow(InvalidJwkError);
  });
});
