import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";

/** The Debian chromium, if installed. */
export function chromiumPath(): string | undefined {
  return existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined;
}

export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

/**
 * Where the browser tests save their pictures, one subfolder per test file: the folder named by
 * PEERLAB_SCREENSHOTS, or none. A screenshot costs the browser a tenth of a second to a second
 * (the lessons take forty), so a plain `npm test` takes none; run
 * `PEERLAB_SCREENSHOTS=/tmp/shots npx vitest run --config test/vitest.config.ts test/viz` to look at
 * what the pages draw.
 */
export function screenshotFolder(name: string): string | undefined {
  const root = process.env["PEERLAB_SCREENSHOTS"];
  if (!root) return undefined;
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
