/**
 * Route templates as Azure Functions writes them (`events`, `events/{id}`, `files/{*path}`, `{name?}`),
 * matched the way the Functions host matches them: literal segments case-insensitively, parameters
 * URL-decoded, a literal segment preferred over a parameter in the same place.
 */

export class RouteTemplateError extends Error {
  constructor(
    readonly template: string,
    message: string,
  ) {
    super(`route "${template}": ${message}`);
    this.name = 'RouteTemplateError';
  }
}

type Segment =
  | { kind: 'literal'; text: string }
  | { kind: 'param'; name: string; optional: boolean }
  | { kind: 'catchAll'; name: string };

export interface CompiledRoute {
  readonly template: string;
  readonly segments: readonly Segment[];
}

const PARAMETER = /^\{(\*?)([A-Za-z_][A-Za-z0-9_]*)(\?)?\}$/;

/** @throws RouteTemplateError for constraints (`{id:int}`), empty segments or a misplaced catch-all. */
export function compileRoute(template: string): CompiledRoute {
  const trimmed = template.replace(/^\/+|\/+$/g, '');
  const parts = trimmed === '' ? [] : trimmed.split('/');
  const segments = parts.map((part, index): Segment => {
    if (part === '') throw new RouteTemplateError(template, 'has an empty segment');
    if (!part.includes('{') && !part.includes('}'))
      return { kind: 'literal', text: part.toLowerCase() };
    const match = PARAMETER.exec(part);
    if (match === null) {
      throw new RouteTemplateError(
        template,
        `segment "${part}" is not supported by the local host: use {name}, {name?} or {*name}`,
      );
    }
    const [, star, name = '', optional] = match;
    if (star === '*') {
      if (index !== parts.length - 1)
        throw new RouteTemplateError(template, 'a catch-all must be last');
      return { kind: 'catchAll', name };
    }
    if (optional === '?' && index !== parts.length - 1) {
      throw new RouteTemplateError(template, 'only the last parameter may be optional');
    }
    return { kind: 'param', name, optional: optional === '?' };
  });
  return { template, segments };
}

/**
 * The parameters of `path` (the part after `/api/`, without the query) under `route`, or undefined when
 * the path does not match. A segment that is not valid percent-encoding never matches.
 */
export function matchRoute(route: CompiledRoute, path: string): Record<string, string> | undefined {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  const parts = trimmed === '' ? [] : trimmed.split('/');
  const params: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i++) {
    const segment = route.segments[i] as Segment;
    const part = parts[i];
    if (segment.kind === 'catchAll') {
      const rest = decode(parts.slice(i).join('/'));
      if (rest === undefined) return undefined;
      if (rest !== '') params[segment.name] = rest;
      return params;
    }
    if (part === undefined) {
      return segment.kind === 'param' && segment.optional ? params : undefined;
    }
    const decoded = decode(part);
    if (decoded === undefined || decoded === '') return undefined;
    if (segment.kind === 'literal') {
      if (decoded.toLowerCase() !== segment.text) return undefined;
    } else {
      params[segment.name] = decoded;
    }
  }
  return parts.length === route.segments.length ? params : undefined;
}

/** Orders matches: at the first segment where two routes differ, literal before parameter before catch-all. */
function specificity(route: CompiledRoute): number[] {
  return route.segments.map((segment) =>
    segment.kind === 'literal' ? 0 : segment.kind === 'param' ? 1 : 2,
  );
}

function compareSpecificity(a: CompiledRoute, b: CompiledRoute): number {
  const sa = specificity(a);
  const sb = specificity(b);
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    const diff = (sa[i] as number) - (sb[i] as number);
    if (diff !== 0) return diff;
  }
  return sa.length - sb.length;
}

export type RouteResolution<T> =
  | { kind: 'found'; entry: T; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'not-found' };

/** Every HTTP function of an app, resolved by method and path. */
export class RouteTable<T extends { route: string; methods: readonly string[] }> {
  private readonly routes: { compiled: CompiledRoute; entry: T }[];

  constructor(entries: readonly T[]) {
    this.routes = entries
      .map((entry) => ({ compiled: compileRoute(entry.route), entry }))
      // Entries of one template stay together, so every method of the matching template is seen.
      .sort(
        (a, b) =>
          compareSpecificity(a.compiled, b.compiled) ||
          templateKey(a.compiled).localeCompare(templateKey(b.compiled)),
      );
  }

  resolve(method: string, path: string): RouteResolution<T> {
    const allowed = new Set<string>();
    let matchedTemplate: string | undefined;
    for (const { compiled, entry } of this.routes) {
      // Once the most specific template matched, less specific ones never take its paths.
      if (matchedTemplate !== undefined && templateKey(compiled) !== matchedTemplate) break;
      const params = matchRoute(compiled, path);
      if (params === undefined) continue;
      matchedTemplate = templateKey(compiled);
      const methods = entry.methods.map((m) => m.toUpperCase());
      if (methods.includes(method.toUpperCase())) return { kind: 'found', entry, params };
      methods.forEach((m) => allowed.add(m));
    }
    return allowed.size > 0
      ? { kind: 'method-not-allowed', allowed: [...allowed].sort() }
      : { kind: 'not-found' };
  }

  /** `METHOD /api/route` lines, for the start banner and 404 answers. */
  describe(prefix = '/api/'): string[] {
    return this.routes.flatMap(({ entry }) =>
      entry.methods.map((method) => `${method.toUpperCase()} ${prefix}${entry.route}`),
    );
  }
}

function templateKey(route: CompiledRoute): string {
  return route.segments
    .map((s) =>
      s.kind === 'literal' ? s.text : s.kind === 'param' ? `{${s.name}}` : `{*${s.name}}`,
    )
    .join('/');
}

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}
