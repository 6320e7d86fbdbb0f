import { RestError } from '@azure/core-rest-pipeline';

export function isRestError(error: unknown): error is RestError {
  return (
    error instanceof RestError ||
    (typeof error === 'object' &&
      error !== null &&
      (error as { name?: unknown }).name === 'RestError')
  );
}

export function statusOf(error: unknown): number | undefined {
  return isRestError(error) ? error.statusCode : undefined;
}

/** Thrown when another writer changed what this one read (ETag mismatch); the caller re-reads and retries. */
export class ConcurrentWriteError extends Error {
  constructor(readonly what: string) {
    super(`concurrent write detected on ${what}; re-read and retry`);
    this.name = 'ConcurrentWriteError';
  }
}
