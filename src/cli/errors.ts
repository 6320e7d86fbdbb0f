/** Exit codes of every mcp-audit command. */
export const EXIT = {
  ok: 0,
  /** The command could not do its job (host unreachable, refused, storage down...). */
  failure: 1,
  /** The command line itself was wrong (unknown option, bad value). */
  usage: 2,
  /** Everything was sent and stored, but some events were dead-lettered as invalid. */
  rejected: 3,
} as const;

/** A failure the CLI reports as `error: <message>` (plus an optional hint) and exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
    /** What to do about it, printed on its own line. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A command-line value that cannot be used; exits with the usage code. */
export function usageError(option: string, value: string, expected: string): CliError {
  return new CliError(`${option} "${value}" is not valid: ${expected}`, EXIT.usage);
}
