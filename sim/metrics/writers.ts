import { stringify } from "csv-stringify/sync";
import type { TimeSeriesRow } from "./recorder.js";

/**
 * The formats of result files: JSON and tidy CSV. How folders are written
 * (atomically, never over another kind of result) is in output-folder.ts.
 */

/** JSON as peerlab writes it: two-space indent, NaN/Infinity as null, trailing newline. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2) + "\n";
}

/** A tidy CSV: one header row with every column that appears, then one row per record. */
export function toCsv(rows: readonly TimeSeriesRow[]): string {
  const columns: string[] = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  return stringify(rows as TimeSeriesRow[], { header: true, columns, cast: { number: (n) => String(n) } });
}

/** `{"<key>": [` one item per line `]}` as pieces, never joined into one string: for files that can outgrow the longest string V8 allows. */
export function jsonLines(key: string, items: readonly unknown[]): string[] {
  const pieces = [`{"${key}": [\n`];
  items.forEach((item, i) => pieces.push(`${JSON.stringify(item)}${i < items.length - 1 ? ",\n" : "\n"}`));
  pieces.push("]}\n");
  return pieces;
}

export { checkOutputFolder, writeFolder, type FileContent } from "./output-folder.js";
