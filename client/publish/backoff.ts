export interface BackoffOptions {
  /** First delay after a failure. Default 250 ms. */
  initialDelayMs?: number;
  /** Longest delay. Default 30 s. */
  maxDelayMs?: number;
}

/**
 * Exponential backoff with jitter: attempt n (from 0) waits a random time in [d/2, d] where
 * d = min(maxDelayMs, initialDelayMs * 2^n). The jitter keeps many producers that lost the same
 * endpoint from reconnecting in step.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const initial = options.initialDelayMs ?? 250;
  const max = options.maxDelayMs ?? 30_000;
  const ceiling = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
