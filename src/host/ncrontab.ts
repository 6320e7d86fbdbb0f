/**
 * NCRONTAB schedules as Azure Functions timer triggers read them: six fields,
 * `{second} {minute} {hour} {day} {month} {day-of-week}`, evaluated in UTC.
 *
 * Each field is `*`, a value, a range `a-b`, a step `*\/n`, `a-b/n` or `a/n`, or a comma list of these.
 * Months and weekdays also take English names (`JAN`, `January`, `MON`, `Monday`, any case); weekdays
 * run 0-6 from Sunday. As in the NCrontab library the Functions host uses, an occurrence must match the
 * day of month AND the day of week (classic cron takes either when both are restricted).
 */

export class CronExpressionError extends Error {
  constructor(
    readonly expression: string,
    message: string,
  ) {
    super(`NCRONTAB "${expression}": ${message}`);
    this.name = 'CronExpressionError';
  }
}

export interface CronSchedule {
  readonly expression: string;
  /** The first occurrence strictly after `after` (whole seconds, UTC). */
  next(after: Date): Date;
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const WEEKDAY_NAMES = [
  'sunday',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
];

const FIELDS: readonly FieldSpec[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES },
  { name: 'day-of-week', min: 0, max: 6, names: WEEKDAY_NAMES },
];

/** Longest day of each month, February counting leap years. */
const LONGEST_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Occurrences are looked for this far ahead (a Feb 29 on a given weekday recurs within 28 years). */
const SEARCH_YEARS = 60;

/**
 * @throws CronExpressionError naming the field and the value that is wrong, for a TimeSpan schedule
 *   (`00:05:00`, accepted by Azure only on App Service plans), or for a schedule that never fires.
 */
export function parseNcrontab(expression: string): CronSchedule {
  const text = expression.trim();
  if (/^\d+(\.\d+)?:\d{1,2}(:\d{1,2})?$/.test(text)) {
    throw new CronExpressionError(
      expression,
      'TimeSpan schedules run only on App Service plans; write an NCRONTAB expression such as "0 */5 * * * *"',
    );
  }
  const parts = text.split(/\s+/);
  if (parts.length !== FIELDS.length) {
    throw new CronExpressionError(
      expression,
      `expected 6 fields (second minute hour day month day-of-week), got ${text === '' ? 0 : parts.length}` +
        (parts.length === 5 ? '; add a seconds field first, e.g. "0 ' + text + '"' : ''),
    );
  }
  const [seconds, minutes, hours, days, months, weekdays] = FIELDS.map((spec, i) =>
    parseField(expression, spec, parts[i] as string, i + 1),
  ) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  const possible = [...months].some((month) =>
    [...days].some((day) => day <= (LONGEST_MONTH[month - 1] as number)),
  );
  if (!possible) {
    throw new CronExpressionError(
      expression,
      'never fires: no selected month has the selected days',
    );
  }

  return {
    expression,
    next(after: Date): Date {
      let t = Math.floor(after.getTime() / 1000) * 1000 + 1000;
      const horizon = after.getTime() + SEARCH_YEARS * 366 * 86_400_000;
      while (t <= horizon) {
        const d = new Date(t);
        const year = d.getUTCFullYear();
        const month = d.getUTCMonth();
        const day = d.getUTCDate();
        const hour = d.getUTCHours();
        const minute = d.getUTCMinutes();
        if (!months.has(month + 1)) t = Date.UTC(year, month + 1, 1);
        else if (!days.has(day) || !weekdays.has(d.getUTCDay())) t = Date.UTC(year, month, day + 1);
        else if (!hours.has(hour)) t = Date.UTC(year, month, day, hour + 1);
        else if (!minutes.has(minute)) t = Date.UTC(year, month, day, hour, minute + 1);
        else if (!seconds.has(d.getUTCSeconds())) t += 1000;
        else return d;
      }
      throw new CronExpressionError(
        expression,
        `never fires within ${SEARCH_YEARS} years after ${after.toISOString()}`,
      );
    },
  };
}

function parseField(
  expression: string,
  spec: FieldSpec,
  text: string,
  position: number,
): Set<number> {
  const fail = (problem: string): never => {
    throw new CronExpressionError(
      expression,
      `field ${position} (${spec.name}) "${text}": ${problem}`,
    );
  };
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const [range = '', stepText, extra] = item.split('/');
    if (extra !== undefined) fail(`"${item}" has more than one "/"`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0)
        fail(`step "${stepText}" must be a whole number >= 1`);
      step = Number(stepText);
    }
    let low: number;
    let high: number;
    if (range === '*') {
      low = spec.min;
      high = spec.max;
    } else {
      const bounds = range.split('-');
      if (bounds.length > 2 || bounds.some((bound) => bound === ''))
        fail(`"${range}" is not a value or a range a-b`);
      low = valueOf(spec, bounds[0] as string, fail);
      // `a/n` means from a to the end of the field's range, every n.
      high =
        bounds.length === 2
          ? valueOf(spec, bounds[1] as string, fail)
          : stepText !== undefined
            ? spec.max
            : low;
      if (low > high) fail(`range ${low}-${high} runs backwards`);
    }
    for (let v = low; v <= high; v += step) values.add(v);
  }
  return values;
}

function valueOf(spec: FieldSpec, text: string, fail: (problem: string) => never): number {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    if (value < spec.min || value > spec.max) fail(`${value} is outside ${spec.min}-${spec.max}`);
    return value;
  }
  const lower = text.toLowerCase();
  const index =
    spec.names?.findIndex(
      (name) => name === lower || (lower.length === 3 && name.startsWith(lower)),
    ) ?? -1;
  if (index === -1) {
    return fail(
      spec.names
        ? `"${text}" is neither a number ${spec.min}-${spec.max} nor a ${spec.name} name`
        : `"${text}" is not a number ${spec.min}-${spec.max}`,
    );
  }
  return spec.min + index;
}
