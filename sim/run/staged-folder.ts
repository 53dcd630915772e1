import { cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { checkOutputFolder } from "../metrics/writers.js";

/**
 * A results folder of many files (a comparison, a sweep), written into a
 * temporary sibling folder as runs finish and renamed into place at the end,
 * like writeFolder does for one run: a stopped or failed experiment never
 * leaves a half-written or half-replaced folder, and an existing folder is
 * replaced only with --force.
 */
export class StagedFolder {
  private readonly temp: string;

  constructor(
    readonly dir: string,
    private readonly force: boolean,
  ) {
    checkOutputFolder(dir, force);
    this.temp = `${dir}.partial-${process.pid}`;
    rmSync(this.temp, { recursive: true, force: true });
    mkdirSync(this.temp, { recursive: true });
  }

  /** Writes `content` at `path` (relative, "/"-separated) inside the folder. */
  write(path: string, content: string): void {
    const target = join(this.temp, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }

  /** Copies the folder `source` to `path` inside the folder. */
  copy(source: string, path: string): void {
    cpSync(source, join(this.temp, path), { recursive: true });
  }

  /** Moves the finished folder into place, replacing an existing one (allowed by the constructor's check). */
  commit(): void {
    checkOutputFolder(this.dir, this.force);
    if (existsSync(this.dir)) {
      const old = `${this.dir}.replaced-${process.pid}`;
      rmSync(old, { recursive: true, force: true });
      renameSync(this.dir, old);
      renameSync(this.temp, this.dir);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(this.temp, this.dir);
    }
  }

  /** Throws the work away; nothing at `dir` changes. */
  abort(): void {
    rmSync(this.temp, { recursive: true, force: true });
  }
}
