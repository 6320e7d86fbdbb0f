import * as crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { signWebhook, verifyWebhookSignature } from '../../src/subscriptions/signature';

// The worked example and the receiver in docs/connector.md, run so the document cannot drift from the code.
const doc = readFileSync(path.join(__dirname, '..', '..', 'docs', 'connector.md'), 'utf8');

function block(marker: string): string {
  const match = new RegExp(`<!-- ${marker} -->\\n+\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(doc);
  if (match === null) throw new Error(`docs/connector.md has no block after <!-- ${marker} -->`);
  return match[1] as string;
}

const SECRET = 'whsec_docs-example-not-a-real-secret';
const TIMESTAMP = 1795950000;
const body = block('example-body').trim();
const signature = block('example-signature').trim();

type Handler = (
  request: EventEmitter & { headers: Record<string, string> },
  response: unknown,
) => void;

/** Runs the receiver example with node:http replaced by a stand-in that hands back its request handler. */
function receiverExample(nowSeconds: number): { handle: Handler; logged: string[] } {
  let handle: Handler | undefined;
  const logged: string[] = [];
  const fakeRequire = (name: string): unknown => {
    if (name === 'node:http') {
      return {
        createServer: (handler: Handler) => {
          handle = handler;
          return { listen: () => undefined };
        },
      };
    }
    if (name === 'node:crypto') return crypto;
    throw new Error(`the receiver example requires ${name}, which the test does not provide`);
  };
  const fakeDate = { now: () => nowSeconds * 1000 };
  const fakeConsole = { log: (line: string) => logged.push(line) };
  new Function('require', 'process', 'console', 'Date', block('receiver-example'))(
    fakeRequire,
    { env: { WEBHOOK_SECRET: SECRET } },
    fakeConsole,
    fakeDate,
  );
  if (handle === undefined) throw new Error('the receiver example created no server');
  return { handle, logged };
}

function send(handle: Handler, headers: Record<string, string>, payload: string): Promise<number> {
  return new Promise((resolve) => {
    const request = Object.assign(new EventEmitter(), { headers });
    const response = { writeHead: (status: number) => ({ end: () => resolve(status) }) };
    handle(request, response);
    request.emit('data', Buffer.from(payload, 'utf8'));
    request.emit('end');
  });
}

const headers = {
  'x-mcp-audit-delivery': 'sub_3kTMd0XrQbW8yZ1a.0.42',
  'x-mcp-audit-timestamp': String(TIMESTAMP),
  'x-mcp-audit-signature': signature,
};

describe('docs/connector.md', () => {
  it('gives the signature signWebhook computes for the example', () => {
    expect(signWebhook(SECRET, TIMESTAMP, body)).toBe(signature);
  });

  it('has an example delivery verifyWebhookSignature accepts', () => {
    expect(
      verifyWebhookSignature(SECRET, headers, body, new Date(TIMESTAMP * 1000)).deliveryId,
    ).toBe('sub_3kTMd0XrQbW8yZ1a.0.42');
  });

  it('has a receiver that accepts the example delivery once', async () => {
    const { handle, logged } = receiverExample(TIMESTAMP + 10);
    const statuses = [await send(handle, headers, body), await send(handle, headers, body)];
    expect([statuses, logged]).toEqual([
      [204, 204],
      ['com.sqlmcp.policy.denied evt-000042 in acme'],
    ]);
  });

  it('has a receiver that rejects a changed body', async () => {
    const { handle } = receiverExample(TIMESTAMP);
    expect(await send(handle, headers, body.replace('acme', 'acne'))).toBe(401);
  });

  it('has a receiver that rejects a replay after five minutes', async () => {
    const { handle } = receiverExample(TIMESTAMP + 301);
    expect(await send(handle, headers, body)).toBe(401);
  });
});
