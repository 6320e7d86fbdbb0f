import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AUDIT_EVENT_SCHEMA } from '../../src/schema/schema-document';

/**
 * The committed connector files, read as Power Automate and Logic Apps read them, against the rules
 * custom connectors must follow (docs/connector.md).
 */
const FOLDER = path.resolve(__dirname, '../../connectors');
const definitionText = readFileSync(path.join(FOLDER, 'apiDefinition.swagger.json'), 'utf8');
const propertiesText = readFileSync(path.join(FOLDER, 'apiProperties.json'), 'utf8');

type Node = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const definition = JSON.parse(definitionText) as Node;
const properties = JSON.parse(propertiesText) as Node;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

interface Operation {
  path: string;
  method: string;
  op: Node;
}

const operations: Operation[] = Object.entries(definition.paths as Node).flatMap(([p, item]) =>
  Object.entries(item as Node)
    .filter(([method]) => METHODS.includes(method))
    .map(([method, op]) => ({ path: p, method, op: op as Node })),
);

function operation(operationId: string): Operation {
  const found = operations.find((o) => o.op.operationId === operationId);
  if (found === undefined) throw new Error(`no operation ${operationId}`);
  return found;
}

/**
 * swagger-parser's verdict on a definition. It loads an ES module (json-schema-ref-parser) that jest's
 * CommonJS runtime cannot, so it runs in a child Node process, which can.
 */
function swaggerParserVerdict(text: string): string {
  const script =
    "const parser = require('@apidevtools/swagger-parser');" +
    "let text = ''; process.stdin.on('data', (c) => (text += c)).on('end', () =>" +
    " parser.validate(JSON.parse(text)).then(() => process.stdout.write('valid'), (e) => process.stdout.write('invalid: ' + e.message)));";
  const result = spawnSync(process.execPath, ['-e', script], {
    input: text,
    encoding: 'utf8',
    cwd: path.resolve(__dirname, '../..'),
  });
  if (result.status !== 0) throw new Error(`swagger-parser did not run: ${result.stderr}`);
  return result.stdout.trim();
}

function resolve(schema: Node): Node {
  const ref = schema.$ref as string | undefined;
  return ref === undefined
    ? schema
    : (definition.definitions[ref.replace('#/definitions/', '')] as Node);
}

describe('connectors/apiDefinition.swagger.json', () => {
  it('is a valid OpenAPI 2.0 document (swagger-parser)', () => {
    expect(swaggerParserVerdict(definitionText)).toBe('valid');
  });

  it('would fail swagger-parser if an operation id were repeated', () => {
    const broken = JSON.parse(definitionText) as Node;
    broken.paths['/deadletters'].get.operationId = 'QueryEvents';
    expect(swaggerParserVerdict(JSON.stringify(broken))).toBe(
      "invalid: Validation failed. Duplicate operation id 'QueryEvents'",
    );
  });

  it('is smaller than 1 MB', () => {
    expect(Buffer.byteLength(definitionText)).toBeLessThan(1024 * 1024);
  });

  it('offers the query, event, dead-letter, integrity and subscription operations', () => {
    expect(
      operations.map((o) => `${o.op.operationId} ${o.method.toUpperCase()} ${o.path}`).sort(),
    ).toEqual([
      'DeleteSubscription DELETE /subscriptions/{id}',
      'GetEvent GET /events/{id}',
      'GetInclusionProof GET /events/{id}/proof',
      'GetSubscription GET /subscriptions/{id}',
      'ListDeadLetters GET /deadletters',
      'ListFailedDeliveries GET /subscriptions/{id}/deadletters',
      'ListSubscriptions GET /subscriptions',
      'OnMatchingAuditEvent POST /subscriptions',
      'QueryEvents GET /events',
      'VerifyRange POST /verify',
    ]);
  });

  it('gives every operation a unique PascalCase operationId', () => {
    const ids = operations.map((o) => o.op.operationId as string);
    expect([ids.filter((id) => !/^[A-Z][A-Za-z0-9]*$/.test(id)), new Set(ids).size]).toEqual([
      [],
      ids.length,
    ]);
  });

  it('gives every operation a summary and a description', () => {
    const missing = operations
      .filter(
        (o) =>
          typeof o.op.summary !== 'string' ||
          o.op.summary === '' ||
          typeof o.op.description !== 'string' ||
          o.op.description === '',
      )
      .map((o) => o.op.operationId);
    expect(missing).toEqual([]);
  });

  it('keeps every summary under 80 characters without a trailing period', () => {
    const bad = operations.filter(
      (o) => (o.op.summary as string).length >= 80 || (o.op.summary as string).endsWith('.'),
    );
    expect(bad.map((o) => o.op.operationId)).toEqual([]);
  });

  it('gives every parameter x-ms-summary and a valid x-ms-visibility', () => {
    const bad = operations.flatMap((o) =>
      (o.op.parameters as Node[])
        .filter(
          (p) =>
            typeof p['x-ms-summary'] !== 'string' ||
            p['x-ms-summary'] === '' ||
            !['important', 'advanced', 'internal'].includes(p['x-ms-visibility'] as string),
        )
        .map((p) => `${o.op.operationId}.${p.name}`),
    );
    expect(bad).toEqual([]);
  });

  it('marks every path parameter required', () => {
    const bad = operations.flatMap((o) =>
      (o.op.parameters as Node[])
        .filter((p) => p.in === 'path' && p.required !== true)
        .map((p) => `${o.op.operationId}.${p.name}`),
    );
    expect(bad).toEqual([]);
  });

  it('has QueryEvents take the filters from, to, tenant, actor, database, tool, status, type, session, q, limit, continuationToken', () => {
    expect((operation('QueryEvents').op.parameters as Node[]).map((p) => p.name)).toEqual([
      'from',
      'to',
      'tenant',
      'actor',
      'database',
      'tool',
      'status',
      'type',
      'session',
      'q',
      'limit',
      'continuationToken',
    ]);
  });

  it('makes every list that pages x-ms-pageable with a nextLink its response has', () => {
    const paging = operations.filter((o) => {
      const schema = o.op.responses['200']?.schema as Node | undefined;
      return (
        schema !== undefined &&
        'continuationToken' in ((resolve(schema).properties as Node | undefined) ?? {})
      );
    });
    expect(
      paging.map((o) => [
        o.op.operationId,
        o.op['x-ms-pageable'],
        (resolve(o.op.responses['200'].schema as Node).properties as Node).nextLink?.type,
      ]),
    ).toEqual([
      ['QueryEvents', { nextLinkName: 'nextLink' }, 'string'],
      ['ListFailedDeliveries', { nextLinkName: 'nextLink' }, 'string'],
    ]);
  });

  it('declares x-ms-pageable only on lists that page', () => {
    expect(
      operations.filter((o) => o.op['x-ms-pageable'] !== undefined).map((o) => o.op.operationId),
    ).toEqual(['QueryEvents', 'ListFailedDeliveries']);
  });

  describe('the webhook trigger', () => {
    const trigger = () => operation('OnMatchingAuditEvent');
    const body = () =>
      resolve((trigger().op.parameters as Node[]).find((p) => p.in === 'body')?.schema as Node);

    it('is the only trigger, of kind single', () => {
      expect(
        operations
          .filter((o) => o.op['x-ms-trigger'] !== undefined)
          .map((o) => [o.op.operationId, o.op['x-ms-trigger']]),
      ).toEqual([['OnMatchingAuditEvent', 'single']]);
    });

    it('is summarised as "When a matching audit event arrives"', () => {
      expect(trigger().op.summary).toBe('When a matching audit event arrives');
    });

    it('puts x-ms-notification-url on the callback URL, hidden from the flow author', () => {
      const callback = Object.entries(body().properties as Node).filter(
        ([, schema]) => (schema as Node)['x-ms-notification-url'] === true,
      );
      expect(callback.map(([name, schema]) => [name, (schema as Node)['x-ms-visibility']])).toEqual(
        [['callbackUrl', 'internal']],
      );
    });

    it('takes a filter in the query language', () => {
      expect([
        (body().properties as Node).filter.type,
        (body().properties as Node).filter['x-ms-visibility'],
      ]).toEqual(['string', 'important']);
    });

    it('answers 201 with a Location header', () => {
      expect(trigger().op.responses['201'].headers.Location.type).toBe('string');
    });

    it('describes each delivery as its 201 schema', () => {
      expect(
        Object.keys(resolve(trigger().op.responses['201'].schema as Node).properties as Node),
      ).toEqual(['subscriptionId', 'deliveryId', 'tenant', 'event']);
    });

    it('has a DELETE on the subscription the Location names, hidden from flow authors', () => {
      const remove = operations.find(
        (o) => o.method === 'delete' && o.path === `${trigger().path}/{id}`,
      );
      expect(remove?.op['x-ms-visibility']).toBe('internal');
    });
  });

  it('sends the API key as x-functions-key', () => {
    expect(definition.securityDefinitions.api_key).toEqual({
      type: 'apiKey',
      in: 'header',
      name: 'x-functions-key',
    });
  });

  it('offers Entra ID sign-in as an OAuth 2.0 access-code flow', () => {
    expect([
      definition.securityDefinitions.oauth2_auth.type,
      definition.securityDefinitions.oauth2_auth.flow,
    ]).toEqual(['oauth2', 'accessCode']);
  });

  it('describes the event with every attribute of schema/audit-event.v1.json', () => {
    expect(Object.keys(definition.definitions.AuditEvent.properties as Node).sort()).toEqual(
      Object.keys(AUDIT_EVENT_SCHEMA.properties).sort(),
    );
  });

  it('resolves every $ref to a definition', () => {
    const refs = [...definitionText.matchAll(/"\$ref": "#\/definitions\/([^"]+)"/g)].map(
      (m) => m[1] as string,
    );
    expect(refs.filter((name) => !(name in (definition.definitions as Node)))).toEqual([]);
  });
});

describe('connectors/apiProperties.json', () => {
  const sets = () => properties.properties.connectionParameterSets.values as Node[];

  it('offers an API key and Microsoft Entra ID as connection types', () => {
    expect(sets().map((set) => set.name)).toEqual(['api-key', 'entra-id']);
  });

  it('takes the API key as a secure string named as the apiKey security definition', () => {
    const parameters = sets()[0]?.parameters as Node;
    expect(Object.entries(parameters).map(([name, p]) => [name, (p as Node).type])).toEqual([
      ['api_key', 'securestring'],
    ]);
  });

  it('signs in with Entra ID (aad) on a per-connector redirect', () => {
    const settings = (sets()[1]?.parameters as Node).token.oAuthSettings as Node;
    expect([settings.identityProvider, settings.redirectMode]).toEqual([
      'aad',
      'GlobalPerConnector',
    ]);
  });

  it('names the audit API resource both where the consent asks and where the token is for', () => {
    const settings = (sets()[1]?.parameters as Node).token.oAuthSettings as Node;
    expect(settings.properties.AzureActiveDirectoryResourceId).toBe(
      settings.customParameters.resourceUri.value,
    );
  });
});
