import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { checkOutputFolder, moveIntoPlace, pathError, writeContent, type FileContent, type FolderKind } from "../metrics/output-folder.js";

/**
 * A results folder of many files (a comparison, a sweep), written into a
 * temporary sibling folder as runs finish and renamed into place at the end,
 * like writeFolder does for one run: a failed experiment never leaves a
 * half-written or half-replaced folder, and an existing folder is replaced
 * only with --force and only by results of its own kind. A stopped one is
 * kept (`commit(false)`): it lands where nothing complete is replaced.
 */
export class StagedFolder {
  readonly temp: string;
  /** Notes for the user about leftovers of killed runs that were tidied. */
  readonly notes: string[];

  /**
   * `resume`: start from the existing folder's contents (a stopped sweep
   * continued with --resume) instead of from nothing.
   */
  constructor(
    readonly dir: string,
    private readonly force: boolean,
    private readonly kind: FolderKind,
    resume = false,
  ) {
    this.notes = checkOutputFolder(dir, force || resume, kind);
    this.temp = `${dir}.partial-${process.pid}`;
    try {
      rmSync(this.temp, { recursive: true, force: true });
      mkdirSync(dirname(this.temp), { recursive: true });
      if (resume && existsSync(dir)) cpSync(dir, this.temp, { recursive: true });
      else mkdirSync(this.temp, { recursive: true });
    } catch (error) {
      throw pathError(error, dir);
    }
  }

  /** Writes `content` at `path` (relative, "/"-separated) inside the folder. */
  write(path: string, content: FileContent): void {
    const target = join(this.temp, path);
    mkdirSync(dirname(target), { recursive: true });
    writeContent(target, content);
  }

  remove(path: string): void {
    rmSync(join(this.temp, path), { recursive: true, force: true });
  }

  /** Copies the folder `source` to `path` inside the folder. */
  copy(source: string, path: string): void {
    cpSync(source, join(this.temp, path), { recursive: true });
  }

  /**
   * Moves the folder into place. Complete: replaces an existing one (allowed
   * by the constructor's check). Incomplete: replaces nothing that could be
   * complete; returns where it went.
   */
  commit(complete = true): string {
    if (complete) checkOutputFolder(this.dir, this.force || existsSync(this.dir), this.kind);
    return moveIntoPlace(this.temp, this.dir, complete);
  }

  /** Throws the work away; nothing at `dir` changes. */
  abort(): void {
    rmSync(this.temp, { recursive: true, force: true });
  }
}
