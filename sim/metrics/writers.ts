import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { stringify } from "csv-stringify/sync";
import { InputError } from "../core/errors.js";
import type { TimeSeriesRow } from "./recorder.js";

/**
 * Writing a results folder. Files are written into a temporary sibling
 * folder that is renamed into place only when everything is written, so an
 * interrupted or failed write never leaves a half-overwritten folder, and an
 * existing folder is replaced only with --force.
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

/** Fails with a clear message if `dir` exists and may not be replaced. */
export function checkOutputFolder(dir: string, force: boolean): void {
  if (existsSync(dir) && !force) {
    throw new InputError(
      `results folder ${dir} already exists. Use --force to replace it, or --out DIR (or --seed N) to write somewhere else; nothing was changed.`,
    );
  }
}

/** Writes `files` (name → content) as the folder `dir`, atomically replacing any folder already there. */
export function writeFolder(dir: string, files: Record<string, string>, force: boolean): void {
  checkOutputFolder(dir, force);
  mkdirSync(dirname(dir), { recursive: true });
  const temp = `${dir}.partial-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp);
  for (const [name, content] of Object.entries(files)) writeFileSync(`${temp}/${name}`, content);
  if (existsSync(dir)) {
    const old = `${dir}.replaced-${process.pid}`;
    renameSync(dir, old);
    renameSync(temp, dir);
    rmSync(old, { recursive: true, force: true });
  } else {
    renameSync(temp, dir);
  }
}
