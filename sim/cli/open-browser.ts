import { spawn } from "node:child_process";

/**
 * Opens `url` in the user's browser: $PEERLAB_BROWSER if set (a program
 * given the URL as its one argument), else the platform's opener. Never
 * fails the command: without a browser it says to open the URL by hand.
 */
export function openBrowser(url: string, out: NodeJS.WritableStream = process.stdout): void {
  const custom = process.env.PEERLAB_BROWSER;
  const [command, args] = custom
    ? [custom, [url]]
    : process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["cmd", ["/c", "start", "", url]]
        : ["xdg-open", [url]];
  const tell = () => out.write(`Could not open a browser (${command}); open ${url} yourself.\n`);
  try {
    const child = spawn(command, args, { detached: true, stdio: "ignore" });
    child.on("error", tell);
    child.unref();
  } catch {
    tell();
  }
}
