import { formatDuration } from "../core/units.js";

/**
 * A one-line progress bar on stderr: simulated time, events per second and
 * the estimated time left. Drawn only when stderr is a terminal.
 */
export class ProgressBar {
  private lastDraw = -Infinity;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly totalMs: number,
    private readonly label: string,
  ) {}

  static enabled(stream: NodeJS.WriteStream, quiet: boolean): boolean {
    return !quiet && stream.isTTY === true;
  }

  update(simMs: number, events: number, wallSeconds: number, force = false): void {
    if (!force && wallSeconds - this.lastDraw < 0.2) return;
    this.lastDraw = wallSeconds;
    const fraction = Math.min(1, simMs / this.totalMs);
    const width = 24;
    const filled = Math.round(fraction * width);
    const rate = wallSeconds > 0 ? events / wallSeconds : 0;
    const eta = fraction > 0 ? (wallSeconds * (1 - fraction)) / fraction : NaN;
    const line =
      `${this.label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%` +
      `  sim ${formatDuration(Math.round(simMs / 1000) * 1000)}/${formatDuration(this.totalMs)}` +
      `  ${formatRate(rate)} events/s` +
      `  ETA ${Number.isFinite(eta) ? `${Math.ceil(eta)}s` : "?"}`;
    this.stream.write(`\r${line.slice(0, (this.stream.columns ?? 100) - 1)}\x1b[K`);
  }

  done(): void {
    this.stream.write("\r\x1b[K");
  }
}

function formatRate(rate: number): string {
  if (rate >= 1e6) return `${(rate / 1e6).toFixed(2)}M`;
  if (rate >= 1e3) return `${(rate / 1e3).toFixed(0)}k`;
  return rate.toFixed(0);
}
