import { backoffDelay } from '../../../client/publish/backoff';

describe('backoffDelay', () => {
  it('doubles from the initial delay, between half and all of it', () => {
    const options = { initialDelayMs: 100, maxDelayMs: 10_000 };
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, options, () => 0))).toEqual([50, 100, 200, 400]);
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, options, () => 1))).toEqual([
      100, 200, 400, 800,
    ]);
  });

  it('stops growing at the maximum', () => {
    expect(backoffDelay(40, { initialDelayMs: 100, maxDelayMs: 1000 }, () => 1)).toBe(1000);
  });

  it('defaults to 250 ms up to 30 s', () => {
    expect([backoffDelay(0, {}, () => 1), backoffDelay(20, {}, () => 1)]).toEqual([250, 30_000]);
  });
});
