import type { ExcludedRoute, OperationSpec } from './operations';

/** What the registration table says about one HTTP function (functions/registrations.ts). */
export interface RegisteredRoute {
  name: string;
  route: string;
  methods: readonly string[];
  authLevel: 'anonymous' | 'function' | 'admin';
}

/** `GET events/{id}`: a method and a route template as the registration table writes it. */
function keyOf(method: string, route: string): string {
  return `${method.toUpperCase()} ${route.replace(/^\/+|\/+$/g, '')}`;
}

function parametersOf(route: string): string[] {
  return [...route.matchAll(/\{\*?([A-Za-z_][A-Za-z0-9_]*)\??\}/g)]
    .map((match) => match[1] as string)
    .sort();
}

/**
 * How the connector description and the registration table disagree, one sentence per problem; empty
 * when they agree. Every public route (any auth level but `admin`, which only the platform's master key
 * reaches) must be a connector operation or an excluded route with a reason; every operation must be a
 * registered route with the same path parameters; operation ids must be unique and PascalCase.
 * Excluded routes need not be registered: they record a decision that holds whenever the route exists.
 */
export function connectorDrift(
  registered: readonly RegisteredRoute[],
  operations: readonly OperationSpec[],
  excluded: readonly ExcludedRoute[],
): string[] {
  const problems: string[] = [];
  const routes = new Map<string, RegisteredRoute>();
  for (const registration of registered) {
    if (registration.authLevel === 'admin') continue;
    for (const method of registration.methods)
      routes.set(keyOf(method, registration.route), registration);
  }
  const excludedKeys = new Set(excluded.map((route) => keyOf(route.method, route.route)));
  const operationKeys = new Map<string, OperationSpec>();
  const ids = new Set<string>();
  for (const operation of operations) {
    const key = keyOf(operation.method, operation.path);
    if (!/^[A-Z][A-Za-z0-9]*$/.test(operation.operationId)) {
      problems.push(`operation id ${operation.operationId} is not PascalCase`);
    }
    if (ids.has(operation.operationId))
      problems.push(`operation id ${operation.operationId} is used twice`);
    ids.add(operation.operationId);
    if (operationKeys.has(key)) problems.push(`${key} is described by two operations`);
    operationKeys.set(key, operation);
    if (excludedKeys.has(key))
      problems.push(`${key} is both operation ${operation.operationId} and an excluded route`);
    const registration = routes.get(key);
    if (registration === undefined) {
      problems.push(
        `operation ${operation.operationId} (${key}) has no public registration in functions/registrations.ts`,
      );
      continue;
    }
    const declared = operation.parameters
      .filter((p) => p.in === 'path')
      .map((p) => p.name)
      .sort();
    const expected = parametersOf(registration.route);
    if (declared.join(',') !== expected.join(',')) {
      problems.push(
        `operation ${operation.operationId} declares path parameters [${declared.join(', ')}], route ${registration.route} has [${expected.join(', ')}]`,
      );
    }
  }
  for (const [key, registration] of routes) {
    if (!operationKeys.has(key) && !excludedKeys.has(key)) {
      problems.push(
        `${key} (function ${registration.name}) is neither a connector operation nor an excluded route: describe it in src/connector/operations.ts`,
      );
    }
  }
  return problems;
}
