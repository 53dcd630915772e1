import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh temporary folder, and a function that writes a scenario file (one YAML line per entry) into it and returns its path. */
export function scenarioFiles(prefix: string): { dir: string; file: (name: string, lines: string[]) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = (name: string, lines: string[]): string => {
    const path = join(dir, name);
    writeFileSync(path, lines.join("\n") + "\n");
    return path;
  };
  return { dir, file };
}
