import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { InvocationContext, Timer } from '@azure/functions';
import type { TimerRegistration } from '../../functions/registrations';
import {
  fileTimerStatusStore,
  startTimers,
  TimerRegistrationError,
  type TimerStatus,
  type TimerStatusStore,
} from '../../src/host/timer-runner';

const START = new Date('2025-06-02T10:00:00.000Z');

interface Call {
  at: string;
  timer: Timer;
  retryCount: number | undefined;
  functionName: string;
}

function timerFunction(
  schedule: string,
  behaviour: (call: Call) => Promise<void> = async () => undefined,
) {
  const calls: Call[] = [];
  const registration: TimerRegistration = {
    kind: 'timer',
    name: 'seal',
    schedule,
    handler: async (timer: Timer, context: InvocationContext) => {
      // Whole seconds: a run "at once" starts on the next timer tick, a millisecond later.
      const call = {
        at: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString(),
        timer,
        retryCount: context.retryContext?.retryCount,
        functionName: context.functionName,
      };
      calls.push(call);
      await behaviour(call);
    },
  };
  return { registration, calls };
}

function memoryStore(initial?: TimerStatus): TimerStatusStore & { written: TimerStatus[] } {
  const written: TimerStatus[] = [];
  return {
    written,
    read: async () => written[written.length - 1] ?? initial,
    write: async (_name, status) => {
      written.push(status);
    },
  };
}

const quiet = (): void => undefined;

describe('startTimers', () => {
  beforeEach(() => jest.useFakeTimers({ now: START }));
  afterEach(() => jest.useRealTimers());

  it('invokes the function at each occurrence with the schedule status', async () => {
    const { registration, calls } = timerFunction('0 */5 * * * *');
    const runner = startTimers([registration], { settings: {}, log: quiet });
    await jest.advanceTimersByTimeAsync(10 * 60_000);
    await runner.stop();
    expect(
      calls.map((c) => [
        c.at,
        c.timer.isPastDue,
        c.timer.scheduleStatus.last,
        c.timer.scheduleStatus.next,
      ]),
    ).toEqual([
      ['2025-06-02T10:05:00.000Z', false, '2025-06-02T10:05:00.000Z', '2025-06-02T10:10:00.000Z'],
      ['2025-06-02T10:10:00.000Z', false, '2025-06-02T10:10:00.000Z', '2025-06-02T10:15:00.000Z'],
    ]);
    expect(calls[0]?.functionName).toBe('seal');
  });

  it('runs a missed occurrence once, as past due, after a restart', async () => {
    const { registration, calls } = timerFunction('0 0 * * * *');
    const store = memoryStore({
      last: '2025-06-02T07:00:00.000Z',
      next: '2025-06-02T08:00:00.000Z',
      lastUpdated: '2025-06-02T07:00:00.000Z',
    });
    const runner = startTimers([registration], { settings: {}, log: quiet, statusStore: store });
    await jest.advanceTimersByTimeAsync(60 * 60_000);
    await runner.stop();
    expect(calls.map((c) => [c.at, c.timer.isPastDue])).toEqual([
      ['2025-06-02T10:00:00.000Z', true],
      ['2025-06-02T11:00:00.000Z', false],
    ]);
    expect(store.written.map((s) => s.last)).toEqual([
      '2025-06-02T08:00:00.000Z',
      '2025-06-02T11:00:00.000Z',
    ]);
  });

  it('never runs two invocations at once: an overrun is followed by one past-due run', async () => {
    const { registration, calls } = timerFunction('0 * * * * *', async (call) => {
      if (call.at === '2025-06-02T10:01:00.000Z')
        await new Promise((resolve) => setTimeout(resolve, 150_000));
    });
    const runner = startTimers([registration], { settings: {}, log: quiet });
    await jest.advanceTimersByTimeAsync(4 * 60_000 + 1);
    await runner.stop();
    expect(calls.map((c) => [c.at, c.timer.isPastDue])).toEqual([
      ['2025-06-02T10:01:00.000Z', false],
      ['2025-06-02T10:03:30.000Z', true],
      ['2025-06-02T10:04:00.000Z', false],
    ]);
  });

  it('retries a failing run under the retry policy', async () => {
    const { registration, calls } = timerFunction('0 0 * * * *', async () => {
      throw new Error('storage down');
    });
    registration.retry = {
      strategy: 'fixedDelay',
      maxRetryCount: 2,
      delayInterval: { seconds: 10 },
    };
    const lines: string[] = [];
    const runner = startTimers([registration], { settings: {}, log: (line) => lines.push(line) });
    await jest.advanceTimersByTimeAsync(60 * 60_000 + 30_000);
    await runner.stop();
    expect(calls.map((c) => [c.at, c.retryCount])).toEqual([
      ['2025-06-02T11:00:00.000Z', undefined],
      ['2025-06-02T11:00:10.000Z', 1],
      ['2025-06-02T11:00:20.000Z', 2],
    ]);
    expect(lines).toContain('[seal] failed: storage down');
  });

  it('abandons retries when stopped', async () => {
    const { registration, calls } = timerFunction('0 0 * * * *', async () => {
      throw new Error('storage down');
    });
    registration.retry = {
      strategy: 'fixedDelay',
      maxRetryCount: -1,
      delayInterval: { minutes: 5 },
    };
    const runner = startTimers([registration], { settings: {}, log: quiet });
    await jest.advanceTimersByTimeAsync(60 * 60_000);
    await runner.stop();
    expect(calls).toHaveLength(1);
  });

  it('reads %SETTING% in a schedule from the settings', () => {
    const { registration } = timerFunction('%SEAL_SCHEDULE%');
    const runner = startTimers([registration], {
      settings: { SEAL_SCHEDULE: '0 0 * * * *' },
      log: quiet,
    });
    expect(runner.schedules).toEqual([{ name: 'seal', expression: '0 0 * * * *' }]);
    void runner.stop();
  });

  it('refuses to start with a schedule naming a missing setting', () => {
    const { registration } = timerFunction('%SEAL_SCHEDULE%');
    expect(() => startTimers([registration], { settings: {}, log: quiet })).toThrow(
      'timer function seal: SEAL_SCHEDULE: is not set, and the binding "%SEAL_SCHEDULE%" needs it',
    );
  });

  it('refuses to start with a schedule that does not parse', () => {
    const { registration } = timerFunction('*/5 * * * *');
    expect(() => startTimers([registration], { settings: {}, log: quiet })).toThrow(
      TimerRegistrationError,
    );
  });
});

describe('fileTimerStatusStore', () => {
  it('keeps the status per function and reads nothing for an unknown one', async () => {
    const store = fileTimerStatusStore(
      path.join(mkdtempSync(path.join(tmpdir(), 'timers-')), 'timers'),
    );
    const status = {
      last: '2025-06-02T10:00:00.000Z',
      next: '2025-06-02T11:00:00.000Z',
      lastUpdated: '2025-06-02T10:00:01.000Z',
    };
    await store.write('seal', status);
    expect([await store.read('seal'), await store.read('lifecycle')]).toEqual([status, undefined]);
  });
});
