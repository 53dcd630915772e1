import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { InputError } from "../core/errors.js";

/**
 * Results folders on disk: where a run may write, how it writes (into a
 * temporary sibling `<dir>.partial-<pid>` renamed into place at the end),
 * and what earlier runs that were killed left behind. The rules:
 * - an existing folder is replaced only with --force, and only by results of
 *   its own kind (a sweep never deletes single runs kept in its folder);
 * - a stopped run never replaces a complete result: it goes beside it;
 * - a `.partial-<pid>` of a process that no longer runs is removed, or
 *   reported if it holds finished runs; a `.replaced-<pid>` (the old folder
 *   moved aside during a replacement that was killed) is put back.
 */

/** A file's content: text, or text in pieces for files too large for one string (lookup traces, snapshots). */
export type FileContent = string | readonly string[];

/** What a folder holds, so --force replaces only a folder of the same kind. */
export type FolderKind = "run" | "comparison" | "sweep";

/** Entries each kind writes at its top level; anything else in a folder about to be replaced is someone else's. */
const OWN_ENTRIES: Record<FolderKind, (name: string, isDir: boolean, dir: string) => boolean> = {
  run: (_name, isDir) => !isDir,
  comparison: (name, isDir, dir) => name === "comparison.csv" || name === "columns.json" || name === "incomplete.json" || (isDir && existsSync(join(dir, name, "manifest.json"))),
  sweep: (name) => ["sweep.json", "runs.csv", "aggregate.csv", "aggregate-long.csv", "columns.json", "runs", "incomplete.json"].includes(name),
};

const KIND_NAMES: Record<FolderKind, string> = { run: "a run", comparison: "a comparison of variants", sweep: "a sweep" };

/** Checks that `dir` is a usable path for --out (`flag` names the option in messages). */
export function checkOutputPath(dir: string, flag = "--out"): void {
  if (dir.trim() === "") throw new InputError(`${flag}: expected a folder path, got an empty string; leave ${flag} out to use the default under results/.`);
  if (dir.includes("\0")) throw new InputError(`${flag}: a folder path cannot contain a NUL character.`);
  const long = dir.split(/[\\/]/).find((part) => Buffer.byteLength(part) > 200);
  if (long) {
    throw new InputError(`${flag} ${JSON.stringify(dir.slice(0, 60) + "...")}: the folder name ${JSON.stringify(long.slice(0, 30) + "...")} is ${Buffer.byteLength(long)} bytes; file systems allow 255 and peerlab needs room for suffixes, so use at most 200.`);
  }
}

/**
 * Fails with a clear message if `dir` exists and may not be replaced, after
 * tidying what killed runs left beside it. Returns notes for the user about
 * what was tidied.
 */
export function checkOutputFolder(dir: string, force: boolean, kind: FolderKind = "run"): string[] {
  checkOutputPath(dir);
  const notes = tidyLeftovers(dir);
  if (!existsSync(dir)) return notes;
  if (!force) {
    const resume = existsSync(join(dir, "incomplete.json")) ? " It holds an interrupted experiment: add --resume to continue it." : "";
    const tidied = notes.length > 0 ? `${notes.join(" ")} ` : "";
    throw new InputError(
      `${tidied}results folder ${dir} already exists.${resume} Use --force to replace it, or --out DIR (or --seed N) to write somewhere else; nothing was changed.`,
    );
  }
  let stat;
  try {
    stat = statSync(dir);
  } catch (error) {
    throw new InputError(`results folder ${dir} cannot be read (${(error as NodeJS.ErrnoException).code}); choose another --out.`);
  }
  if (!stat.isDirectory()) throw new InputError(`${dir} is a file, not a results folder; --force replaces only results folders. Choose another --out.`);
  const foreign = readdirSync(dir).filter((name) => {
    let isDir = false;
    try {
      isDir = statSync(join(dir, name)).isDirectory();
    } catch {
      return true;
    }
    return !OWN_ENTRIES[kind](name, isDir, dir);
  });
  if (foreign.length > 0) {
    const shown = foreign.slice(0, 4).join(", ") + (foreign.length > 4 ? `, and ${foreign.length - 4} more` : "");
    throw new InputError(
      `results folder ${dir} holds more than the results of ${KIND_NAMES[kind]} (${shown}); --force would delete them, so nothing was changed. Write to another folder with --out, or move them away first.`,
    );
  }
  return notes;
}

/** True if a process with this id runs (then its .partial folder is in use). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Tidies `<dir>.partial-<pid>` and `<dir>.replaced-<pid>` siblings of processes that are gone; returns what it did, for the user. */
export function tidyLeftovers(dir: string): string[] {
  const parent = dirname(dir);
  const base = basename(dir);
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const notes: string[] = [];
  for (const name of names.sort()) {
    const m = /^(.*)\.(partial|replaced)-(\d+)$/.exec(name);
    if (!m || m[1] !== base) continue;
    const path = join(parent, name);
    const pid = Number(m[3]);
    if (pid === process.pid) continue; // this run's own temporary folder
    if (running(pid)) {
      throw new InputError(`another peerlab (process ${pid}) is writing ${dir} (its temporary folder ${path} exists); wait for it to finish, or choose another --out.`);
    }
    if (m[2] === "replaced") {
      if (!existsSync(dir)) {
        renameSync(path, dir);
        notes.push(`put back ${dir}: a replacement by process ${pid} was killed after moving the old results aside.`);
      } else {
        rmSync(path, { recursive: true, force: true });
        notes.push(`removed ${path}, the old results a killed replacement (process ${pid}) had moved aside after writing the new ones.`);
      }
      continue;
    }
    const finished = countFinishedRuns(path);
    if (finished > 0) {
      notes.push(
        `${path} holds ${finished} finished run${finished === 1 ? "" : "s"} of a sweep that was killed (process ${pid}); it was left in place: rename it to ${dir} and run again with --resume to continue from them, or delete it.`,
      );
      continue;
    }
    rmSync(path, { recursive: true, force: true });
    notes.push(`removed ${path}, left by a run that was killed (process ${pid}) before its results were written.`);
  }
  return notes;
}

/** Run folders with a summary.json under a sweep's runs/ (what a killed sweep had finished). */
function countFinishedRuns(folder: string): number {
  const runs = join(folder, "runs");
  if (!existsSync(runs)) return 0;
  let count = 0;
  for (const point of safeList(runs)) for (const seed of safeList(join(runs, point))) if (existsSync(join(runs, point, seed, "summary.json"))) count++;
  return count;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Writes one file, piece by piece when it comes in pieces, so no giant string is ever built. */
export function writeContent(path: string, content: FileContent): void {
  const fd = openSync(path, "w");
  try {
    if (typeof content === "string") writeSync(fd, content);
    else for (const piece of content) writeSync(fd, piece);
  } finally {
    closeSync(fd);
  }
}

/** Turns file-system failures caused by the path the user chose into input errors (exit 2) naming it. */
export function pathError(error: unknown, dir: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const why: Record<string, string> = {
    ENAMETOOLONG: "a name in the path is too long for the file system",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    ENOTDIR: "a part of the path is a file, not a folder",
    EROFS: "the file system is read-only",
    EEXIST: "a file is in the way",
  };
  if (code && why[code]) return new InputError(`cannot write the results folder ${dir}: ${why[code]} (${code}); choose another --out.`);
  return error;
}

/**
 * Moves the finished temporary folder `temp` to `dir`. A complete result
 * replaces what is there (checked by checkOutputFolder); an incomplete one
 * (a stopped run) never replaces an existing folder: it goes to
 * `<dir>.incomplete` beside it. Returns where the results went.
 */
export function moveIntoPlace(temp: string, dir: string, complete: boolean): string {
  if (existsSync(dir) && !complete && !isIncomplete(dir)) {
    const beside = `${dir}.incomplete`;
    rmSync(beside, { recursive: true, force: true });
    renameSync(temp, beside);
    return beside;
  }
  if (existsSync(dir)) {
    const old = `${dir}.replaced-${process.pid}`;
    rmSync(old, { recursive: true, force: true });
    renameSync(dir, old);
    renameSync(temp, dir);
    rmSync(old, { recursive: true, force: true });
  } else {
    renameSync(temp, dir);
  }
  return dir;
}

/** True if `dir` holds results marked incomplete (a stopped run or experiment), which a later stopped one may replace. */
export function isIncomplete(dir: string): boolean {
  if (existsSync(join(dir, "incomplete.json"))) return true;
  try {
    return (JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { complete?: unknown }).complete === false;
  } catch {
    return false;
  }
}

/** Writes `files` (name → content) as the folder `dir`; see moveIntoPlace for where an incomplete result goes. Returns that place. */
export function writeFolder(dir: string, files: Record<string, FileContent>, options: boolean | { force: boolean; complete?: boolean }): string {
  const { force, complete = true } = typeof options === "boolean" ? { force: options } : options;
  // A stopped run may go beside an existing result, so it needs no --force.
  if (complete) checkOutputFolder(dir, force);
  else checkOutputPath(dir);
  const temp = `${dir}.partial-${process.pid}`;
  try {
    mkdirSync(dirname(dir), { recursive: true });
    rmSync(temp, { recursive: true, force: true });
    mkdirSync(temp);
    for (const [name, content] of Object.entries(files)) writeContent(join(temp, name), content);
    return moveIntoPlace(temp, dir, complete);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw pathError(error, dir);
  }
}
