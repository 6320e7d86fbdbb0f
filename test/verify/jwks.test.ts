import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { JwksLoadError, loadJwks } from '../../src/verify/jwks';
import { testSigner } from '../integrity/support/signer';

const jwks = {
  keys: [testSigner('key-1').publicKey, { kty: 'RSA', kid: 'wrapping', n: 'x', e: 'AQAB' }],
};

describe('loadJwks', () => {
  it('reads a JWKS file, keeping the ES256 keys', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'jwks-')), 'jwks.json');
    writeFileSync(file, JSON.stringify(jwks));
    expect((await loadJwks(file)).keys.map((key) => key.kid)).toEqual(['key-1']);
  });

  it('fetches a JWKS URL', async () => {
    const server = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/keys`;
      expect((await loadJwks(url)).keys.map((key) => key.kid)).toEqual(['key-1']);
    } finally {
      server.close();
    }
  });

  it('names the file it cannot read', async () => {
    await expect(loadJwks('/nonexistent/jwks.json')).rejects.toThrow(JwksLoadError);
    await expect(loadJwks('/nonexistent/jwks.json')).rejects.toThrow(
      /^key set \/nonexistent\/jwks.json: cannot be read \(ENOENT/,
    );
  });

  it('refuses a document that is not a JWKS', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'jwks-')), 'jwks.json');
    writeFileSync(file, '{"keys": 3}');
    await expect(loadJwks(file)).rejects.toThrow(
      new JwksLoadError(file, 'invalid ES256 public JWK: a JWKS is an object with a "keys" array'),
    );
  });
});
