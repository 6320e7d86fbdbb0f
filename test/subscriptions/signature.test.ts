import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  signWebhook,
  verifyWebhookSignature,
  webhookHeaders,
  WebhookVerificationError,
} from '../../src/subscriptions/signature';

const data = JSON.parse(
  readFileSync(path.resolve(__dirname, '../data/subscriptions/signatures.json'), 'utf8'),
) as {
  secret: string;
  vectors: {
    description: string;
    timestamp: number;
    body?: string;
    bodyHex?: string;
    signature: string;
  }[];
};
const bodyOf = (v: (typeof data.vectors)[number]): Buffer =>
  v.bodyHex === undefined ? Buffer.from(v.body ?? '', 'utf8') : Buffer.from(v.bodyHex, 'hex');

const SECRET = data.secret;
const SIGNED_AT = new Date('2026-11-29T11:00:00.000Z');
const BODY = '{"deliveryId":"sub_AAAAAAAAAAAAAAAA.0.7"}';

function headersAt(at: Date, body: string = BODY): Record<string, string> {
  return webhookHeaders(SECRET, 'sub_AAAAAAAAAAAAAAAA.0.7', body, at);
}

function rejection(action: () => unknown): [string, string] {
  try {
    action();
  } catch (error) {
    if (error instanceof WebhookVerificationError) return [error.reason, error.message];
    throw error;
  }
  throw new Error('expected a WebhookVerificationError');
}

describe('signWebhook', () => {
  it.each(data.vectors.map((v) => [v.description, v]))(
    'signs %s as openssl does',
    (_description, vector) => {
      expect(signWebhook(SECRET, vector.timestamp, bodyOf(vector))).toBe(vector.signature);
    },
  );
});

describe('webhookHeaders', () => {
  it('names the delivery, the signing time in seconds and the v1 signature', () => {
    expect(headersAt(SIGNED_AT)).toEqual({
      'x-mcp-audit-delivery': 'sub_AAAAAAAAAAAAAAAA.0.7',
      'x-mcp-audit-timestamp': '1795950000',
      'x-mcp-audit-signature': signWebhook(SECRET, 1795950000, BODY),
    });
  });
});

describe('verifyWebhookSignature', () => {
  it('accepts a delivery signed now and returns its id and signing time', () => {
    expect(verifyWebhookSignature(SECRET, headersAt(SIGNED_AT), BODY, SIGNED_AT)).toEqual({
      deliveryId: 'sub_AAAAAAAAAAAAAAAA.0.7',
      signedAt: SIGNED_AT,
    });
  });

  it.each(data.vectors.map((v) => [v.description, v]))(
    'accepts the golden vector of %s',
    (_description, vector) => {
      const headers = {
        'x-mcp-audit-delivery': 'd-1',
        'x-mcp-audit-timestamp': String(vector.timestamp),
        'x-mcp-audit-signature': vector.signature,
      };
      expect(
        verifyWebhookSignature(SECRET, headers, bodyOf(vector), new Date(vector.timestamp * 1000))
          .deliveryId,
      ).toBe('d-1');
    },
  );

  it('accepts a delivery signed at the edge of the window', () => {
    const later = new Date(SIGNED_AT.getTime() + 300_000);
    expect(verifyWebhookSignature(SECRET, headersAt(SIGNED_AT), BODY, later, 300).deliveryId).toBe(
      'sub_AAAAAAAAAAAAAAAA.0.7',
    );
  });

  it('rejects a replay after the window', () => {
    const later = new Date(SIGNED_AT.getTime() + 301_000);
    expect(
      rejection(() => verifyWebhookSignature(SECRET, headersAt(SIGNED_AT), BODY, later, 300)),
    ).toEqual([
      'timestamp-outside-tolerance',
      'the delivery was signed at 2026-11-29T11:00:00.000Z, 301 s from now; the tolerance is 300 s',
    ]);
  });

  it('rejects a delivery signed too far in the future', () => {
    const earlier = new Date(SIGNED_AT.getTime() - 600_000);
    expect(
      rejection(() => verifyWebhookSignature(SECRET, headersAt(SIGNED_AT), BODY, earlier, 300))[0],
    ).toBe('timestamp-outside-tolerance');
  });

  it('rejects a body changed after signing', () => {
    expect(
      rejection(() => verifyWebhookSignature(SECRET, headersAt(SIGNED_AT), `${BODY} `, SIGNED_AT)),
    ).toEqual([
      'signature-mismatch',
      'no signature matches the body: check the secret and verify the exact bytes received',
    ]);
  });

  it('rejects a signature made with another secret', () => {
    const other = webhookHeaders('whsec_other', 'd', BODY, SIGNED_AT);
    expect(rejection(() => verifyWebhookSignature(SECRET, other, BODY, SIGNED_AT))[0]).toBe(
      'signature-mismatch',
    );
  });

  it('rejects a timestamp changed after signing (it is part of what is signed)', () => {
    const headers = { ...headersAt(SIGNED_AT), 'x-mcp-audit-timestamp': '1795950001' };
    expect(rejection(() => verifyWebhookSignature(SECRET, headers, BODY, SIGNED_AT))[0]).toBe(
      'signature-mismatch',
    );
  });

  it('accepts when one of several v1 signatures matches', () => {
    const good = headersAt(SIGNED_AT)['x-mcp-audit-signature'] as string;
    const headers = {
      ...headersAt(SIGNED_AT),
      'x-mcp-audit-signature': `v1=${'0'.repeat(64)}, ${good}`,
    };
    expect(verifyWebhookSignature(SECRET, headers, BODY, SIGNED_AT).deliveryId).toBe(
      'sub_AAAAAAAAAAAAAAAA.0.7',
    );
  });

  it.each([['x-mcp-audit-delivery'], ['x-mcp-audit-timestamp'], ['x-mcp-audit-signature']])(
    'rejects a delivery without the %s header',
    (name) => {
      const headers: Record<string, string> = { ...headersAt(SIGNED_AT) };
      delete headers[name];
      expect(rejection(() => verifyWebhookSignature(SECRET, headers, BODY, SIGNED_AT))).toEqual([
        'missing-header',
        `the ${name} header is missing`,
      ]);
    },
  );

  it('rejects a timestamp that is not whole seconds', () => {
    const headers = { ...headersAt(SIGNED_AT), 'x-mcp-audit-timestamp': '2026-11-29T11:00:00Z' };
    expect(rejection(() => verifyWebhookSignature(SECRET, headers, BODY, SIGNED_AT))).toEqual([
      'malformed-timestamp',
      'x-mcp-audit-timestamp must be whole seconds since the Unix epoch, got "2026-11-29T11:00:00Z"',
    ]);
  });

  it('rejects a signature without the v1= scheme', () => {
    const headers = { ...headersAt(SIGNED_AT), 'x-mcp-audit-signature': 'sha256=abc' };
    expect(rejection(() => verifyWebhookSignature(SECRET, headers, BODY, SIGNED_AT))).toEqual([
      'malformed-signature',
      'x-mcp-audit-signature must hold "v1=" and 64 lower-case hex digits',
    ]);
  });

  it('reads a Fetch Headers object', () => {
    const headers = new Headers(headersAt(SIGNED_AT));
    expect(verifyWebhookSignature(SECRET, headers, BODY, SIGNED_AT).deliveryId).toBe(
      'sub_AAAAAAAAAAAAAAAA.0.7',
    );
  });

  it('reads header names in any case', () => {
    const headers = Object.fromEntries(
      Object.entries(headersAt(SIGNED_AT)).map(([k, v]) => [k.toUpperCase(), v]),
    );
    expect(verifyWebhookSignature(SECRET, headers, BODY, SIGNED_AT).deliveryId).toBe(
      'sub_AAAAAAAAAAAAAAAA.0.7',
    );
  });
});
