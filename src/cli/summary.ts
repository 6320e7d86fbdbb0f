import type { SendSummary } from './send-events';

/** Positions listed per reason before the rest is counted. */
const MAX_POSITIONS = 8;

/**
 * The end-of-ingest report: totals, then every reason events were rejected or not sent, most frequent
 * first, with the lines (or array elements) that carried them.
 */
export function formatSummary(
  summary: SendSummary,
  source: string,
  unit: 'line' | 'element',
): string[] {
  const seconds = summary.elapsedMs / 1000;
  const rate = seconds > 0 ? ` (${Math.round(summary.sent / seconds)} events/s)` : '';
  const lines = [
    `${summary.sent} events sent from ${source} in ${seconds.toFixed(1)} s${rate}`,
    `  accepted   ${summary.accepted}`,
    `  duplicate  ${summary.duplicate}`,
    `  rejected   ${summary.rejected}${summary.rejected > 0 ? '  (kept as dead letters: mcp-audit deadletters)' : ''}`,
  ];
  if (summary.notSent > 0) lines.push(`  not sent   ${summary.notSent}`);
  for (const reason of summary.reasons) {
    const where = reason.pointer === '' ? '' : ` at ${reason.pointer}`;
    const shown = reason.positions.slice(0, MAX_POSITIONS).join(', ');
    const more =
      reason.positions.length > MAX_POSITIONS
        ? ` and ${reason.positions.length - MAX_POSITIONS} more`
        : '';
    lines.push(`    ${reason.positions.length} × ${reason.code}${where}: ${reason.message}`);
    lines.push(`      ${unit}${reason.positions.length > 1 ? 's' : ''} ${shown}${more}`);
  }
  return lines;
}
