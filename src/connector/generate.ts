/**
 * Writes the connector files (connectors/apiDefinition.swagger.json and connectors/apiProperties.json)
 * from the description in src/connector/operations.ts, after checking it against the registration table.
 * test/connector/drift.test.ts fails when the committed files differ from what this renders.
 *
 * Regenerate: `npm run build && node dist/src/connector/generate.js`. Options for a deployment:
 * `--host <name>` (the Function App or Front Door host), `--entra-client-id <id>`, `--entra-resource <uri>`,
 * `--entra-tenant <id>`, `--out <folder>` (default: connectors/ of the repository).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format } from 'prettier/standalone';
import type { Options } from 'prettier';
import * as babel from 'prettier/plugins/babel';
import * as estree from 'prettier/plugins/estree';
import { registrations, type HttpRegistration } from '../../functions/registrations';
import { DEFAULT_PORT } from '../host/defaults';
import { connectorDrift, type RegisteredRoute } from './drift';
import { EXCLUDED_ROUTES, OPERATIONS } from './operations';
import { buildApiDefinition, buildApiProperties, type ConnectorOptions } from './swagger';

export const DEFINITION_FILE = 'apiDefinition.swagger.json';
export const PROPERTIES_FILE = 'apiProperties.json';
const REPOSITORY = path.resolve(
  __dirname,
  '..',
  '..',
  __dirname.includes(`${path.sep}dist${path.sep}`) ? '..' : '',
);
export const CONNECTOR_FOLDER = path.join(REPOSITORY, 'connectors');
const { version } = JSON.parse(readFileSync(path.join(REPOSITORY, 'package.json'), 'utf8')) as {
  version: string;
};

/** The committed files: the local host, and Entra ID values an importer replaces (docs/connector.md). */
export const DEFAULT_OPTIONS: ConnectorOptions = {
  host: `localhost:${DEFAULT_PORT}`,
  version,
  entra: {
    clientId: '[[application (client) id of the connector app registration]]',
    resourceUri: 'api://sql-mcp-audit',
    tenantId: 'common',
  },
};

export class ConnectorDriftError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `the connector description and the registration table disagree:\n- ${problems.join('\n- ')}`,
    );
    this.name = 'ConnectorDriftError';
  }
}

/** The public HTTP routes of the registration table. */
export function registeredRoutes(): RegisteredRoute[] {
  return registrations
    .filter((r): r is HttpRegistration => r.kind === 'http')
    .map(({ name, route, methods, authLevel }) => ({ name, route, methods, authLevel }));
}

/**
 * The two files' text, formatted as the repository formats JSON.
 * @throws ConnectorDriftError when the description and the registration table disagree.
 */
export async function renderConnector(
  options: ConnectorOptions = DEFAULT_OPTIONS,
  routes: readonly RegisteredRoute[] = registeredRoutes(),
): Promise<Record<string, string>> {
  const problems = connectorDrift(routes, OPERATIONS, EXCLUDED_ROUTES);
  if (problems.length > 0) throw new ConnectorDriftError(problems);
  // The standalone formatter with the repository's settings: the files pass `prettier --check` as written.
  const config = JSON.parse(
    readFileSync(path.join(REPOSITORY, '.prettierrc.json'), 'utf8'),
  ) as Options;
  const render = (value: unknown): Promise<string> =>
    format(JSON.stringify(value), { ...config, parser: 'json', plugins: [babel, estree] });
  return {
    [DEFINITION_FILE]: await render(buildApiDefinition(OPERATIONS, options)),
    [PROPERTIES_FILE]: await render(buildApiProperties(options)),
  };
}

function optionsFrom(argv: readonly string[]): { options: ConnectorOptions; out: string } {
  const value = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    if (at === -1) return undefined;
    const next = argv[at + 1];
    if (next === undefined || next.startsWith('--')) throw new Error(`${flag} needs a value`);
    return next;
  };
  const known = new Set([
    '--host',
    '--entra-client-id',
    '--entra-resource',
    '--entra-tenant',
    '--out',
  ]);
  const unknown = argv.filter(
    (arg, i) => arg.startsWith('--') && !known.has(arg) && !known.has(argv[i - 1] ?? ''),
  );
  if (unknown.length > 0)
    throw new Error(`unknown option ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  return {
    options: {
      host: value('--host') ?? DEFAULT_OPTIONS.host,
      version,
      entra: {
        clientId: value('--entra-client-id') ?? DEFAULT_OPTIONS.entra.clientId,
        resourceUri: value('--entra-resource') ?? DEFAULT_OPTIONS.entra.resourceUri,
        tenantId: value('--entra-tenant') ?? DEFAULT_OPTIONS.entra.tenantId,
      },
    },
    out: path.resolve(value('--out') ?? CONNECTOR_FOLDER),
  };
}

async function main(argv: readonly string[]): Promise<void> {
  const { options, out } = optionsFrom(argv);
  const files = await renderConnector(options);
  mkdirSync(out, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(path.join(out, name), text);
    console.log(`wrote ${path.join(out, name)} (${Buffer.byteLength(text)} bytes)`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`error: ${(error as Error).message}`);
    process.exitCode = 1;
  });
}
