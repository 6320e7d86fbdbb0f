/** Redraws at most this often, so a fast run does not spend its time painting. */
const FRAME_MS = 100;
const WIDTH = 24;

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * A one-line progress bar on a terminal (stderr): a bar and percentage when the input size is known,
 * a count otherwise. Draws nothing when the stream is not a terminal, so logs and pipes stay clean.
 */
export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly totalBytes: number | undefined,
    private readonly clock: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  update(events: number, bytesRead: number, startedAt: number): void {
    if (!this.enabled) return;
    const now = this.clock();
    if (now - this.lastDraw < FRAME_MS) return;
    this.lastDraw = now;
    this.stream.write(
      `\r\x1b[K${renderProgress(events, bytesRead, this.totalBytes, now - startedAt)}`,
    );
    this.drawn = true;
  }

  /** Clears the bar so the summary starts on a clean line. */
  finish(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

export function renderProgress(
  events: number,
  bytesRead: number,
  totalBytes: number | undefined,
  elapsedMs: number,
): string {
  const rate = elapsedMs > 0 ? `  ${Math.round((events * 1000) / elapsedMs)}/s` : '';
  if (totalBytes === undefined || totalBytes === 0) return `${events} events sent${rate}`;
  const fraction = Math.min(1, bytesRead / totalBytes);
  const filled = Math.round(fraction * WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  ${events} events sent${rate}`;
}
