import { compileRoute, matchRoute, RouteTable, RouteTemplateError } from '../../src/host/routes';

const entries = [
  { route: 'events', methods: ['POST'], name: 'postEvents' },
  { route: 'events', methods: ['GET'], name: 'listEvents' },
  { route: 'events/{id}', methods: ['GET'], name: 'getEvent' },
  { route: 'events/stats', methods: ['GET'], name: 'stats' },
  { route: 'health', methods: ['GET'], name: 'health' },
  { route: 'files/{*path}', methods: ['GET'], name: 'files' },
  { route: 'items/{id?}', methods: ['GET'], name: 'items' },
];
const table = new RouteTable(entries);

const found = (method: string, path: string) => {
  const resolution = table.resolve(method, path);
  return resolution.kind === 'found' ? [resolution.entry.name, resolution.params] : resolution;
};

describe('RouteTable.resolve', () => {
  it('picks the function by method on a shared route', () => {
    expect(found('POST', 'events')).toEqual(['postEvents', {}]);
    expect(found('GET', 'events')).toEqual(['listEvents', {}]);
  });

  it('binds a parameter, URL-decoded', () => {
    expect(found('GET', 'events/a%20b%2Fc')).toEqual(['getEvent', { id: 'a b/c' }]);
  });

  it('prefers a literal segment over a parameter', () => {
    expect(found('GET', 'events/stats')).toEqual(['stats', {}]);
  });

  it('matches literal segments case-insensitively', () => {
    expect(found('GET', 'HEALTH')).toEqual(['health', {}]);
  });

  it('ignores a trailing slash', () => {
    expect(found('GET', 'health/')).toEqual(['health', {}]);
  });

  it('binds the rest of the path to a catch-all', () => {
    expect(found('GET', 'files/a/b/c.txt')).toEqual(['files', { path: 'a/b/c.txt' }]);
  });

  it('lets an optional last parameter be absent', () => {
    expect(found('GET', 'items')).toEqual(['items', {}]);
    expect(found('GET', 'items/7')).toEqual(['items', { id: '7' }]);
  });

  it('answers method-not-allowed with every method of the route', () => {
    expect(table.resolve('DELETE', 'events')).toEqual({
      kind: 'method-not-allowed',
      allowed: ['GET', 'POST'],
    });
  });

  it('answers not-found for an unknown path', () => {
    expect(table.resolve('GET', 'nope')).toEqual({ kind: 'not-found' });
  });

  it('answers not-found for a path with extra segments', () => {
    expect(table.resolve('GET', 'health/extra')).toEqual({ kind: 'not-found' });
  });

  it('answers not-found for a segment that is not valid percent-encoding', () => {
    expect(table.resolve('GET', 'events/%E0%A4%A')).toEqual({ kind: 'not-found' });
  });

  it('describes its routes', () => {
    expect(new RouteTable(entries.slice(0, 3)).describe()).toEqual([
      'POST /api/events',
      'GET /api/events',
      'GET /api/events/{id}',
    ]);
  });
});

describe('compileRoute', () => {
  it('refuses route constraints the local host does not implement', () => {
    expect(() => compileRoute('events/{id:int}')).toThrow(
      new RouteTemplateError(
        'events/{id:int}',
        'segment "{id:int}" is not supported by the local host: use {name}, {name?} or {*name}',
      ),
    );
  });

  it('refuses a catch-all before the end', () => {
    expect(() => compileRoute('{*rest}/x')).toThrow('route "{*rest}/x": a catch-all must be last');
  });

  it('refuses an empty segment', () => {
    expect(() => compileRoute('a//b')).toThrow('route "a//b": has an empty segment');
  });

  it('matches no path with fewer segments than required', () => {
    expect(matchRoute(compileRoute('events/{id}'), 'events')).toBeUndefined();
  });
});
