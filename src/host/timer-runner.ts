import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { InvocationContext, type Timer } from '@azure/functions';
import type { TimerRegistration } from '../../functions/registrations';
import { resolveBindingExpression } from './binding-expressions';
import { parseNcrontab, type CronSchedule } from './ncrontab';
import { retryDelayMs } from './trigger-runner';

/** What the Functions host's schedule monitor records per timer, so missed occurrences are noticed after a restart. */
export interface TimerStatus {
  last: string;
  next: string;
  lastUpdated: string;
}

export interface TimerStatusStore {
  read(functionName: string): Promise<TimerStatus | undefined>;
  write(functionName: string, status: TimerStatus): Promise<void>;
}

/** Schedule status kept as `<directory>/<function>.json`, replaced atomically. */
export function fileTimerStatusStore(directory: string): TimerStatusStore {
  const file = (name: string): string => path.join(directory, `${name}.json`);
  return {
    async read(name) {
      try {
        return JSON.parse(await fs.readFile(file(name), 'utf8')) as TimerStatus;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async write(name, status) {
      await fs.mkdir(directory, { recursive: true });
      const temporary = `${file(name)}.${process.pid}.tmp`;
      await fs.writeFile(temporary, `${JSON.stringify(status)}\n`);
      await fs.rename(temporary, file(name));
    },
  };
}

export class TimerRegistrationError extends Error {
  constructor(
    readonly functionName: string,
    cause: Error,
  ) {
    super(`timer function ${functionName}: ${cause.message}`, { cause });
    this.name = 'TimerRegistrationError';
  }
}

export interface TimerRunnerOptions {
  /** Settings that `%NAME%` in a schedule refers to. */
  settings: NodeJS.ProcessEnv;
  log: (line: string) => void;
  statusStore?: TimerStatusStore;
  clock?: () => Date;
  /** Scales retry delays (tests use small values). */
  retryDelayScale?: number;
}

export interface TimerRunner {
  readonly schedules: readonly { name: string; expression: string }[];
  /** Stops scheduling and waits for a running invocation (its retries are abandoned). */
  stop(): Promise<void>;
}

/** Node's timers take at most 2^31-1 ms; longer waits are re-armed. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** An invocation this late counts as past due. */
const PAST_DUE_MS = 1000;

/**
 * Runs timer functions on their NCRONTAB schedules, as the Functions host does with one instance: never
 * two invocations of one function at once, a missed occurrence (the host was down, or the previous run
 * overran) invoked once as past due, the registration's retry policy on failure.
 * @throws TimerRegistrationError when a schedule cannot be parsed (nothing is started then).
 */
export function startTimers(
  registrations: readonly TimerRegistration[],
  options: TimerRunnerOptions,
): TimerRunner {
  const clock = options.clock ?? (() => new Date());
  const parsed = registrations.map((registration) => {
    try {
      const expression = resolveBindingExpression(registration.schedule, options.settings);
      return { registration, schedule: parseNcrontab(expression) };
    } catch (error) {
      throw new TimerRegistrationError(registration.name, error as Error);
    }
  });
  let stopped = false;
  let wake: () => void = () => undefined;
  const stopSignal: StopSignal = {
    get stopped() {
      return stopped;
    },
    wakeup: new Promise<void>((resolve) => (wake = resolve)),
  };
  const handles = new Map<string, NodeJS.Timeout>();
  const running = new Set<Promise<void>>();

  const arm = (registration: TimerRegistration, schedule: CronSchedule, at: Date): void => {
    if (stopped) return;
    const wait = Math.max(0, at.getTime() - clock().getTime());
    const handle = setTimeout(
      () => {
        handles.delete(registration.name);
        if (clock().getTime() < at.getTime()) {
          arm(registration, schedule, at);
          return;
        }
        const run = invoke(registration, schedule, at).finally(() => running.delete(run));
        running.add(run);
      },
      Math.min(wait, MAX_TIMEOUT_MS),
    );
    handles.set(registration.name, handle);
  };

  const invoke = async (
    registration: TimerRegistration,
    schedule: CronSchedule,
    occurrence: Date,
  ): Promise<void> => {
    const now = clock();
    const next = schedule.next(now);
    const timer: Timer = {
      isPastDue: now.getTime() - occurrence.getTime() > PAST_DUE_MS,
      schedule: { adjustForDST: false },
      scheduleStatus: {
        last: occurrence.toISOString(),
        next: next.toISOString(),
        lastUpdated: now.toISOString(),
      },
    };
    await runWithRetries(registration, timer, options, stopSignal);
    await options.statusStore?.write(registration.name, timer.scheduleStatus);
    // A run that overran its next occurrence is followed at once by one past-due run, never one per miss.
    const following = schedule.next(occurrence);
    const overran = !timer.isPastDue && following.getTime() <= clock().getTime();
    arm(registration, schedule, overran ? following : schedule.next(clock()));
  };

  void (async () => {
    for (const { registration, schedule } of parsed) {
      const status = await options.statusStore?.read(registration.name).catch(() => undefined);
      const last = status ? new Date(status.last) : undefined;
      const missed = last && !Number.isNaN(last.getTime()) ? schedule.next(last) : undefined;
      const first =
        missed !== undefined && missed.getTime() <= clock().getTime()
          ? missed
          : schedule.next(clock());
      arm(registration, schedule, first);
      options.log(
        `timer ${registration.name}: "${schedule.expression}" (UTC), next ${first.toISOString()}`,
      );
    }
  })();

  return {
    schedules: parsed.map(({ registration, schedule }) => ({
      name: registration.name,
      expression: schedule.expression,
    })),
    async stop() {
      stopped = true;
      wake();
      for (const handle of handles.values()) clearTimeout(handle);
      handles.clear();
      await Promise.allSettled([...running]);
    },
  };
}

interface StopSignal {
  readonly stopped: boolean;
  /** Resolves when the runner stops, cutting a retry's wait short. */
  readonly wakeup: Promise<void>;
}

async function runWithRetries(
  registration: TimerRegistration,
  timer: Timer,
  options: TimerRunnerOptions,
  stop: StopSignal,
): Promise<void> {
  for (let retryCount = 0; ; retryCount++) {
    const context = new InvocationContext({
      invocationId: randomUUID(),
      functionName: registration.name,
      triggerMetadata: { timer },
      ...(retryCount > 0 && registration.retry
        ? {
            retryContext: {
              retryCount,
              maxRetryCount: registration.retry.maxRetryCount,
              exception: {},
            },
          }
        : {}),
      logHandler: (level, ...args) =>
        options.log(`[${registration.name}] ${level}: ${args.map(String).join(' ')}`),
    });
    try {
      await registration.handler(timer, context);
      return;
    } catch (error) {
      const retry = registration.retry;
      const message = error instanceof Error ? error.message : String(error);
      if (
        retry === undefined ||
        (retry.maxRetryCount >= 0 && retryCount >= retry.maxRetryCount) ||
        stop.stopped
      ) {
        options.log(`[${registration.name}] failed: ${message}`);
        return;
      }
      const delay = retryDelayMs(retry, retryCount + 1) * (options.retryDelayScale ?? 1);
      options.log(
        `[${registration.name}] failed (${message}); retry ${retryCount + 1} in ${delay} ms`,
      );
      let handle: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise((resolve) => (handle = setTimeout(resolve, delay))),
        stop.wakeup,
      ]);
      clearTimeout(handle);
      if (stop.stopped) {
        options.log(`[${registration.name}] retries abandoned: the host is stopping`);
        return;
      }
    }
  }
}
