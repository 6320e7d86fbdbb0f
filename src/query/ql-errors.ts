/** Base of every error a query or a filter parameter can raise; an HTTP layer answers 400 for all of them. */
export class QueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryError';
  }
}

/** A typed query that cannot be parsed or does not make sense; `position` is a 0-based offset into `query`. */
export class QuerySyntaxError extends QueryError {
  constructor(
    readonly query: string,
    readonly position: number,
    readonly token: string,
    message: string,
  ) {
    super(message);
    this.name = 'QuerySyntaxError';
  }

  /**
   * The line of the query holding the bad token, with `^` under it, e.g.
   * ```
   * databse:sales
   * ^^^^^^^
   * ```
   * Tabs before the token are kept so the carets line up in a terminal.
   */
  caret(): string {
    const lineStart = this.query.lastIndexOf('\n', this.position - 1) + 1;
    const newline = this.query.indexOf('\n', this.position);
    const lineEnd = newline === -1 ? this.query.length : newline;
    const line = this.query.slice(lineStart, lineEnd);
    const indent = line.slice(0, this.position - lineStart).replace(/[^\t]/g, ' ');
    const width = Math.max(1, Math.min(this.token.length, lineEnd - this.position));
    return `${line}\n${indent}${'^'.repeat(width)}`;
  }
}

/** An HTTP filter parameter (other than `q`) with a value that cannot be used. */
export class QueryParameterError extends QueryError {
  constructor(
    readonly parameter: string,
    readonly value: string,
    message: string,
  ) {
    super(message);
    this.name = 'QueryParameterError';
  }
}
