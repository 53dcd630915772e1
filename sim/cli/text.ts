/**
 * Text for the terminal: one number format for every count and duration the
 * CLI prints, and wrapping that never cuts a word.
 */

/** Counts with thousands separators: 1,234,567. */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a";
}

/** A wall-clock span as the progress bar and summaries print it: "42 s", "3 min 05 s", "2 h 07 min", "3 d 4 h". */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
  return `${formatCount(Math.floor(s / 86_400))} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** Bytes as "512 MiB", "3.2 GiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return "an unbounded amount";
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/** Splits `text` into lines of at most `width` characters at spaces; a word longer than the width gets a line of its own. */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/** "  name  description", the description wrapped to `width` with continuation lines under its first character. */
export function nameAndText(name: string, nameWidth: number, text: string, width: number): string {
  const indent = 2 + nameWidth + 2;
  const lines = wrapWords(text, Math.max(30, width - indent));
  return lines.map((l, i) => (i === 0 ? `  ${name.padEnd(nameWidth)}  ${l}` : `${" ".repeat(indent)}${l}`).trimEnd()).join("\n");
}

/** The terminal's width (stdout), or 100 when not a terminal, clamped to a readable 60–120. */
export function terminalWidth(): number {
  return Math.max(60, Math.min(120, process.stdout.columns ?? 100));
}
