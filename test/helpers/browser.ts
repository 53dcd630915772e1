import { existsSync } from "node:fs";

/** The Debian chromium, if installed. */
export function chromiumPath(): string | undefined {
  return existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined;
}

export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];
