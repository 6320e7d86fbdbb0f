import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { signDigestP256 } from './support/p256-digest-signer';

// The local Key Vault endpoint signs with this helper; these cases show its signatures are real.
describe('test helper: P-256 signing of a digest', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  it.each(['', 'a', 'checkpoint body\n'])(
    'makes signatures node:crypto verifies over the data (%j)',
    (text) => {
      const digest = createHash('sha256').update(text).digest();
      const signature = signDigestP256(privateKey, digest);
      expect(
        verify(
          'sha256',
          Buffer.from(text),
          { key: publicKey, dsaEncoding: 'ieee-p1363' },
          signature,
        ),
      ).toBe(true);
    },
  );

  it('makes signatures that fail for other data', () => {
    const signature = signDigestP256(privateKey, createHash('sha256').update('a').digest());
    expect(
      verify('sha256', Buffer.from('b'), { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature),
    ).toBe(false);
  });
});
