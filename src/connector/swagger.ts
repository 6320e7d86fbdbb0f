import { AUDIT_EVENT_SCHEMA } from '../schema/schema-document';
import { DEFINITIONS, type OperationSpec, type ParameterSpec } from './operations';
import { definitionsFromJsonSchema, type SwaggerSchema } from './schema-convert';

/** Where the connector points and how it signs in; the rest comes from src/connector/operations.ts. */
export interface ConnectorOptions {
  /** Host (and port) of the Function App or the Front Door endpoint in front of it. */
  host: string;
  /** info.version of the definition. */
  version: string;
  /** The Entra ID app registration the OAuth connection signs in with (docs/connector.md). */
  entra: EntraSettings;
}

export interface EntraSettings {
  /** Application (client) id of the app registration the connector uses. */
  clientId: string;
  /** Application ID URI of the app registration that protects the audit API. */
  resourceUri: string;
  /** Directory (tenant) id, or `common` for any directory. */
  tenantId: string;
}

/** The header Azure Functions reads function keys from; the audit log maps each key to its tenants. */
export const API_KEY_HEADER = 'x-functions-key';
export const NEXT_LINK_NAME = 'nextLink';
export const API_KEY_SECURITY = 'api_key';
export const OAUTH_SECURITY = 'oauth2_auth';
const BASE_PATH = '/api';

/** A host the definition is generated for by default: the local host, reachable only on this machine. */
function isLoopback(host: string): boolean {
  return /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(host);
}

/** The OpenAPI 2.0 definition (apiDefinition.swagger.json) of the given operations. */
export function buildApiDefinition(
  operations: readonly OperationSpec[],
  options: ConnectorOptions,
): SwaggerSchema {
  const paths: Record<string, Record<string, SwaggerSchema>> = {};
  for (const operation of operations) {
    paths[operation.path] = {
      ...paths[operation.path],
      [operation.method]: operationObject(operation),
    };
  }
  const authority = `https://login.microsoftonline.com/${options.entra.tenantId}/oauth2`;
  return {
    swagger: '2.0',
    info: {
      title: 'SQL MCP Audit',
      description:
        'Query the tamper-evident audit log of SQL MCP servers, and trigger flows when matching audit events arrive.',
      version: options.version,
    },
    host: options.host,
    basePath: BASE_PATH,
    schemes: [isLoopback(options.host) ? 'http' : 'https'],
    consumes: ['application/json'],
    produces: ['application/json'],
    paths,
    definitions: { ...DEFINITIONS, ...definitionsFromJsonSchema(AUDIT_EVENT_SCHEMA, 'AuditEvent') },
    parameters: {},
    responses: {},
    securityDefinitions: {
      [API_KEY_SECURITY]: { type: 'apiKey', in: 'header', name: API_KEY_HEADER },
      [OAUTH_SECURITY]: {
        type: 'oauth2',
        flow: 'accessCode',
        authorizationUrl: `${authority}/authorize`,
        tokenUrl: `${authority}/token`,
        scopes: {},
      },
    },
    security: [{ [API_KEY_SECURITY]: [] }, { [OAUTH_SECURITY]: [] }],
    tags: [],
  };
}

function operationObject(operation: OperationSpec): SwaggerSchema {
  const responses: Record<string, SwaggerSchema> = {};
  for (const [status, response] of Object.entries(operation.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.headers === undefined ? {} : { headers: response.headers }),
      ...(response.schema === undefined ? {} : { schema: response.schema }),
    };
  }
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    description: operation.description,
    'x-ms-visibility': operation.visibility,
    ...(operation.trigger === undefined
      ? {}
      : { 'x-ms-trigger': operation.trigger.kind, 'x-ms-trigger-hint': operation.trigger.hint }),
    ...(operation.pageable ? { 'x-ms-pageable': { nextLinkName: NEXT_LINK_NAME } } : {}),
    parameters: operation.parameters.map(parameterObject),
    responses,
  };
}

function parameterObject(parameter: ParameterSpec): SwaggerSchema {
  const common = {
    name: parameter.name,
    in: parameter.in,
    required: parameter.in === 'path' || parameter.required === true,
    description: parameter.description,
    'x-ms-summary': parameter.summary,
    'x-ms-visibility': parameter.visibility,
  };
  if (parameter.in === 'body') return { ...common, schema: parameter.schema ?? {} };
  return {
    ...common,
    type: parameter.type ?? 'string',
    ...(parameter.format === undefined ? {} : { format: parameter.format }),
    ...(parameter.enum === undefined ? {} : { enum: [...parameter.enum] }),
    ...(parameter.default === undefined ? {} : { default: parameter.default }),
    ...(parameter.minimum === undefined ? {} : { minimum: parameter.minimum }),
    ...(parameter.maximum === undefined ? {} : { maximum: parameter.maximum }),
  };
}

/** The connection properties (apiProperties.json): an API key, or Entra ID sign-in. */
export function buildApiProperties(options: ConnectorOptions): SwaggerSchema {
  return {
    properties: {
      connectionParameterSets: {
        uiDefinition: {
          displayName: 'Authentication type',
          description: 'How the connection signs in to the audit log.',
        },
        values: [
          {
            name: 'api-key',
            uiDefinition: {
              displayName: 'API key',
              description: `An audit log API key, sent as the ${API_KEY_HEADER} header; it decides which tenants the connection reaches.`,
            },
            parameters: {
              [API_KEY_SECURITY]: {
                type: 'securestring',
                uiDefinition: {
                  displayName: 'API key',
                  tooltip: 'A key listed in the AUDIT_API_KEYS setting of the audit log',
                  constraints: { required: 'true', clearText: false, tabIndex: 2 },
                  schema: { type: 'securestring', description: 'A key listed in AUDIT_API_KEYS' },
                },
              },
            },
          },
          {
            name: 'entra-id',
            uiDefinition: {
              displayName: 'Microsoft Entra ID',
              description:
                'Sign in with Microsoft Entra ID (the audit API must be behind Entra ID authentication).',
            },
            parameters: {
              token: {
                type: 'oauthSetting',
                oAuthSettings: {
                  identityProvider: 'aad',
                  clientId: options.entra.clientId,
                  scopes: [],
                  redirectMode: 'GlobalPerConnector',
                  properties: {
                    IsFirstParty: 'False',
                    AzureActiveDirectoryResourceId: options.entra.resourceUri,
                  },
                  customParameters: {
                    loginUri: { value: 'https://login.microsoftonline.com' },
                    tenantId: { value: options.entra.tenantId },
                    resourceUri: { value: options.entra.resourceUri },
                  },
                },
              },
            },
          },
        ],
      },
      iconBrandColor: '#1f4e79',
      capabilities: [],
      publisher: 'sql-mcp-audit',
      stackOwner: 'sql-mcp-audit',
    },
  };
}
