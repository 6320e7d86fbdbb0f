/** Longest a cell may be before it is cut with an ellipsis. */
export const MAX_CELL = 40;

/**
 * Rows as aligned text columns under a header, two spaces apart. Cells longer than `maxCell` are cut
 * with "…"; line breaks in a cell are shown as spaces so one row stays one line.
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  maxCell = MAX_CELL,
): string[] {
  const clean = (cell: string): string => {
    const flat = cell.replace(/\s+/g, ' ');
    return flat.length > maxCell ? `${flat.slice(0, maxCell - 1)}…` : flat;
  };
  const cells = rows.map((row) => headers.map((_, i) => clean(row[i] ?? '')));
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...cells.map((row) => (row[i] as string).length)),
  );
  const line = (row: readonly string[]): string =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)];
}
