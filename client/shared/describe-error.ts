/**
 * One line saying what went wrong. Errors from the AMQP stack can carry no message of their own:
 * a failed connect arrives as an AggregateError of AggregateErrors whose messages are empty, with
 * `connect ECONNREFUSED …` only at the bottom, so those are searched for the first words that say
 * something.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.message !== '') return error.message;
  const inner = (error as { errors?: unknown }).errors;
  if (Array.isArray(inner) && inner.length > 0) {
    const described = [...new Set(inner.map(describeError).filter((text) => text !== ''))];
    if (described.length > 0) return described.join('; ');
  }
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code !== '' ? code : error.name;
}
