import { generateKeyPairSync, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import {
  derSignatureToRaw,
  rawSignatureToDer,
  SignatureEncodingError,
} from '../../src/keys/ecdsa-encoding';
import { readKeysData } from './support/data';

const vectors = JSON.parse(readKeysData('ecdsa-signature-encodings.json').toString()) as {
  valid: { desc: string; raw: string; der: string }[];
  invalidDer: { desc: string; der: string; message: string }[];
};

describe('ECDSA signature encodings', () => {
  it.each(vectors.valid.map((v) => [v.desc, v.raw, v.der]))('raw to DER: %s', (_desc, raw, der) => {
    expect(rawSignatureToDer(Buffer.from(raw as string, 'hex')).toString('hex')).toBe(der);
  });

  it.each(vectors.valid.map((v) => [v.desc, v.raw, v.der]))('DER to raw: %s', (_desc, raw, der) => {
    expect(derSignatureToRaw(Buffer.from(der as string, 'hex')).toString('hex')).toBe(raw);
  });

  it.each(vectors.invalidDer.map((v) => [v.desc, v.der, v.message]))(
    'rejects DER with %s',
    (_desc, der, message) => {
      expect(() => derSignatureToRaw(Buffer.from(der as string, 'hex'))).toThrow(
        SignatureEncodingError,
      );
      expect(() => derSignatureToRaw(Buffer.from(der as string, 'hex'))).toThrow(
        new Error(message as string),
      );
    },
  );

  it('rejects a raw signature that is not 64 bytes', () => {
    expect(() => rawSignatureToDer(Buffer.alloc(63))).toThrow(
      new Error('invalid ECDSA P-256 signature encoding: raw signature is 63 bytes, expected 64'),
    );
  });

  it('round-trips arbitrary scalars', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (raw) => {
        expect(derSignatureToRaw(rawSignatureToDer(raw)).toString('hex')).toBe(
          Buffer.from(raw).toString('hex'),
        );
      }),
      { numRuns: 300 },
    );
  });

  describe('against node:crypto', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

    it('turns raw signatures into DER that OpenSSL verifies', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
          const raw = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
          expect(
            verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, rawSignatureToDer(raw)),
          ).toBe(true);
        }),
        { numRuns: 100 },
      );
    });

    it('turns OpenSSL DER signatures into raw signatures that verify', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
          const der = sign('sha256', data, { key: privateKey, dsaEncoding: 'der' });
          const raw = derSignatureToRaw(der);
          expect(raw).toHaveLength(64);
          expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw)).toBe(
            true,
          );
          expect(rawSignatureToDer(raw).toString('hex')).toBe(der.toString('hex'));
        }),
        { numRuns: 100 },
      );
    });
  });
});
