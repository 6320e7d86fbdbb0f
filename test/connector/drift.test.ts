import { readFileSync } from 'node:fs';
import path from 'node:path';
import { connectorDrift, type RegisteredRoute } from '../../src/connector/drift';
import {
  CONNECTOR_FOLDER,
  ConnectorDriftError,
  registeredRoutes,
  renderConnector,
} from '../../src/connector/generate';
import { EXCLUDED_ROUTES, OPERATIONS } from '../../src/connector/operations';

describe('the connector and the registration table', () => {
  it('agree: every public route is an operation or excluded with a reason, every operation is registered', () => {
    expect(connectorDrift(registeredRoutes(), OPERATIONS, EXCLUDED_ROUTES)).toEqual([]);
  });

  it.each(['apiDefinition.swagger.json', 'apiProperties.json'])(
    'connectors/%s is what src/connector/generate.ts renders (regenerate: npm run build && node dist/src/connector/generate.js)',
    async (file) => {
      const rendered = await renderConnector();
      expect(readFileSync(path.join(CONNECTOR_FOLDER, file), 'utf8')).toBe(rendered[file]);
    },
  );
});

describe('connectorDrift', () => {
  const routes = (): RegisteredRoute[] => registeredRoutes();

  it('names a public route that is neither an operation nor excluded', () => {
    const added: RegisteredRoute = {
      name: 'getAnnotations',
      route: 'events/{id}/annotations',
      methods: ['GET'],
      authLevel: 'function',
    };
    expect(connectorDrift([...routes(), added], OPERATIONS, EXCLUDED_ROUTES)).toEqual([
      'GET events/{id}/annotations (function getAnnotations) is neither a connector operation nor an excluded route: describe it in src/connector/operations.ts',
    ]);
  });

  it('names an operation whose route is not registered', () => {
    const without = routes().filter((r) => r.name !== 'listDeadLetters');
    expect(connectorDrift(without, OPERATIONS, EXCLUDED_ROUTES)).toEqual([
      'operation ListDeadLetters (GET deadletters) has no public registration in functions/registrations.ts',
    ]);
  });

  it('treats an admin-level route as not public', () => {
    const admin: RegisteredRoute = {
      name: 'purge',
      route: 'purge',
      methods: ['POST'],
      authLevel: 'admin',
    };
    expect(connectorDrift([...routes(), admin], OPERATIONS, EXCLUDED_ROUTES)).toEqual([]);
  });

  it('names path parameters that differ from the route', () => {
    const operations = OPERATIONS.map((o) =>
      o.operationId === 'GetEvent'
        ? {
            ...o,
            parameters: o.parameters.map((p) => (p.in === 'path' ? { ...p, name: 'eventId' } : p)),
          }
        : o,
    );
    expect(connectorDrift(routes(), operations, EXCLUDED_ROUTES)).toEqual([
      'operation GetEvent declares path parameters [eventId], route events/{id} has [id]',
    ]);
  });

  it('names an operation id that is not PascalCase', () => {
    const operations = OPERATIONS.map((o) =>
      o.operationId === 'GetEvent' ? { ...o, operationId: 'getEvent' } : o,
    );
    expect(connectorDrift(routes(), operations, EXCLUDED_ROUTES)).toEqual([
      'operation id getEvent is not PascalCase',
    ]);
  });

  it('names a route that is both an operation and excluded', () => {
    const excluded = [
      ...EXCLUDED_ROUTES,
      { method: 'GET' as const, route: 'events', reason: 'none' },
    ];
    expect(connectorDrift(routes(), OPERATIONS, excluded)).toEqual([
      'GET events is both operation QueryEvents and an excluded route',
    ]);
  });

  it('stops generation when they disagree', async () => {
    const added: RegisteredRoute = {
      name: 'exportEvents',
      route: 'exports',
      methods: ['POST'],
      authLevel: 'function',
    };
    await expect(renderConnector(undefined, [...routes(), added])).rejects.toThrow(
      new ConnectorDriftError([
        'POST exports (function exportEvents) is neither a connector operation nor an excluded route: describe it in src/connector/operations.ts',
      ]),
    );
  });
});
