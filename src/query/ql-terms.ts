import {
  EVENT_TYPE_PREFIX,
  TENANT_ID_PATTERN,
  TENANT_TERM,
  TIME_TERMS,
  allTermNames,
  findField,
  isNumericField,
  type QueryField,
  type TimeTerm,
} from './ql-fields';
import type { TermOperator } from './ql-lexer';
import type { CmpOp, Expr } from './ql-types';

/** One `name op value` term, turned into a filter, a time bound or a tenant list. */
export type ResolvedTerm =
  | { readonly kind: 'filter'; readonly expr: Expr }
  | { readonly kind: 'time'; readonly bound: 'from' | 'to'; readonly at: Date }
  | { readonly kind: 'tenants'; readonly tenants: readonly string[] };

/**
 * Where a term came from, so a problem is reported against the part that is wrong: the typed query
 * reports an offset, an HTTP parameter reports its name. `fail` never returns.
 */
export interface TermSite {
  fail(part: 'field' | 'operator' | 'value', problem: string, detail?: string): never;
}

export interface TermInput {
  readonly name: string;
  readonly op: TermOperator;
  readonly value: string;
  /** A quoted value is literal: a trailing `*` is not a prefix. */
  readonly quoted: boolean;
}

const ORDERING: Partial<Record<TermOperator, CmpOp>> = {
  '>': 'gt',
  '>=': 'ge',
  '<': 'lt',
  '<=': 'le',
};
const NUMERIC_FIELDS = 'rows, affected and duration';
const TIME_EXAMPLES = 'a duration like 30m, 24h, 7d or an ISO 8601 time like 2025-06-01T00:00:00Z';
const DURATION_UNITS_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const ELAPSED_UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

function isEquality(op: TermOperator): boolean {
  return op === ':' || op === '=';
}

export function resolveTerm(input: TermInput, now: Date, site: TermSite): ResolvedTerm {
  const name = input.name.toLowerCase();
  if ((TIME_TERMS as readonly string[]).includes(name))
    return resolveTime(name as TimeTerm, input, now, site);
  if (name === TENANT_TERM) return resolveTenants(input, site);
  const field = findField(name);
  if (field === undefined) {
    return site.fail(
      'field',
      `unknown field "${input.name}"`,
      `expected one of ${allTermNames().join(', ')}`,
    );
  }
  return { kind: 'filter', expr: resolveField(field, input, site) };
}

function resolveTime(name: TimeTerm, input: TermInput, now: Date, site: TermSite): ResolvedTerm {
  if (!isEquality(input.op)) {
    return site.fail(
      'operator',
      `operator "${input.op}" does not apply to "${name}"`,
      `write ${name}:<time>`,
    );
  }
  if (input.value === '')
    return site.fail('value', `missing value for "${name}"`, `expected ${TIME_EXAMPLES}`);
  const at = parseTimeValue(input.value, now);
  if (at === undefined) {
    return site.fail(
      'value',
      `invalid time "${input.value}" for "${name}"`,
      `expected ${TIME_EXAMPLES}`,
    );
  }
  return { kind: 'time', bound: name === 'since' || name === 'from' ? 'from' : 'to', at };
}

/**
 * A point in time: a duration back from `now` (`30s`, `30m`, `24h`, `7d`, `2w`), a date (`2025-06-01`,
 * midnight UTC) or an RFC 3339 date-time with `Z` or an offset. Undefined when it is none of these.
 */
export function parseTimeValue(value: string, now: Date): Date | undefined {
  const relative = /^(\d{1,9})([smhdw])$/.exec(value);
  if (relative !== null) {
    const [, amount, unit] = relative;
    return new Date(now.getTime() - Number(amount) * (DURATION_UNITS_MS[unit ?? ''] ?? 0));
  }
  const absolute =
    /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2}))?$/.exec(
      value,
    );
  if (absolute === null) return undefined;
  const [, year, month, day, hour, minute] = absolute;
  const parsed = new Date(
    hour === undefined
      ? `${year}-${month}-${day}T00:00:00Z`
      : value.toUpperCase().replace(' ', 'T'),
  );
  if (Number.isNaN(parsed.getTime())) return undefined;
  // Date accepts 2025-02-30 and rolls it over; a real calendar date reads back the same day.
  const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (calendar.getUTCMonth() !== Number(month) - 1 || calendar.getUTCDate() !== Number(day))
    return undefined;
  if (hour !== undefined && (Number(hour) > 23 || Number(minute) > 59)) return undefined;
  return parsed;
}

function resolveTenants(input: TermInput, site: TermSite): ResolvedTerm {
  if (!isEquality(input.op)) {
    return site.fail(
      'operator',
      `operator "${input.op}" does not apply to "${TENANT_TERM}"`,
      'write tenant:<id> or tenant:<id>,<id>',
    );
  }
  if (input.value === '')
    return site.fail('value', `missing value for "${TENANT_TERM}"`, 'write tenant:<id>');
  const tenants: string[] = [];
  for (const tenant of input.value.split(',')) {
    if (!TENANT_ID_PATTERN.test(tenant)) {
      return site.fail(
        'value',
        `invalid tenant "${tenant}"`,
        'expected 2-63 lower-case letters, digits or hyphens, starting with a letter or digit',
      );
    }
    if (!tenants.includes(tenant)) tenants.push(tenant);
  }
  return { kind: 'tenants', tenants };
}

function resolveField(field: QueryField, input: TermInput, site: TermSite): Expr {
  const name = input.name.toLowerCase();
  const ordering = ORDERING[input.op];
  if (ordering !== undefined && !isNumericField(field)) {
    return site.fail(
      'operator',
      `operator "${input.op}" does not apply to "${name}"`,
      `only ${NUMERIC_FIELDS} can be compared`,
    );
  }
  if (input.value === '')
    return site.fail(
      'value',
      `missing value for "${name}"`,
      `write ${name}:<value>, in double quotes if it has spaces`,
    );
  const negate = input.op === '!=';
  switch (field.kind) {
    case 'count':
    case 'duration': {
      const value = field.kind === 'count' ? parseCount(input.value) : parseElapsedMs(input.value);
      if (value === undefined) {
        return field.kind === 'count'
          ? site.fail(
              'value',
              `invalid number "${input.value}" for "${name}"`,
              `expected a whole number like ${name}>1000`,
            )
          : site.fail(
              'value',
              `invalid duration "${input.value}" for "${name}"`,
              'expected milliseconds or a value like 250ms, 2s, 1m',
            );
      }
      return { kind: 'cmp', field: field.column, op: ordering ?? (negate ? 'ne' : 'eq'), value };
    }
    case 'enum': {
      const value = canonicalEnumValue(field, input.value);
      if (value === undefined) {
        const shown =
          field.column === 'type'
            ? (field.values ?? []).map((v) => v.slice(EVENT_TYPE_PREFIX.length))
            : field.values;
        return site.fail(
          'value',
          `invalid ${name} "${input.value}"`,
          `expected one of ${(shown ?? []).join(', ')}`,
        );
      }
      return { kind: 'cmp', field: field.column, op: negate ? 'ne' : 'eq', value };
    }
    case 'contains': {
      const contains: Expr = {
        kind: 'cmp',
        field: field.column,
        op: 'contains',
        value: input.value,
      };
      return negate ? { kind: 'not', item: contains } : contains;
    }
    case 'text': {
      if (!input.quoted && input.value.endsWith('*')) {
        const prefix = input.value.slice(0, -1);
        if (prefix === '')
          return site.fail(
            'value',
            `empty prefix "*" for "${name}"`,
            'put at least one character before *',
          );
        const range = prefixRange(field, prefix);
        return negate ? { kind: 'not', item: range } : range;
      }
      return { kind: 'cmp', field: field.column, op: negate ? 'ne' : 'eq', value: input.value };
    }
  }
}

function parseCount(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Milliseconds from `250`, `250ms`, `2s`, `1.5s`, `1m`, `1h`; only whole milliseconds. */
function parseElapsedMs(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  if (match === null) return undefined;
  const [, amount, unit] = match;
  const value = Number(amount) * (ELAPSED_UNITS_MS[unit ?? 'ms'] ?? 1);
  return Number.isSafeInteger(value) ? value : undefined;
}

function canonicalEnumValue(field: QueryField, text: string): string | undefined {
  const wanted = text.toLowerCase();
  return field.values?.find((value) => {
    const lower = value.toLowerCase();
    return lower === wanted || (field.column === 'type' && lower === EVENT_TYPE_PREFIX + wanted);
  });
}

/**
 * `actor:agent-*` as the range [agent-, agent.): two comparisons Azure Table can evaluate. The upper
 * bound bumps the last UTF-16 code unit; when it cannot be bumped, only the lower bound applies.
 */
function prefixRange(field: QueryField, prefix: string): Expr {
  const lower: Expr = { kind: 'cmp', field: field.column, op: 'ge', value: prefix };
  const last = prefix.charCodeAt(prefix.length - 1);
  if (last === 0xffff) return lower;
  const upper = prefix.slice(0, -1) + String.fromCharCode(last + 1);
  return {
    kind: 'and',
    items: [lower, { kind: 'cmp', field: field.column, op: 'lt', value: upper }],
  };
}
