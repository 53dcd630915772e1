import { openBrowser } from "./open-browser.js";
import { startViewServer } from "./serve.js";
import { resolveRoots, type Root } from "./serve-index.js";

export interface ViewArgs {
  dirs: string[];
  port?: number;
  /** Open the page in the user's browser. */
  open?: boolean;
  /** Query string for the page, e.g. "lang=ko". */
  query?: string;
}

/**
 * `peerlab view [results-dir ...]`: serves the viewer and the named results
 * folders (default results/) on 127.0.0.1 until Ctrl-C.
 */
export async function viewCommand(args: ViewArgs): Promise<number> {
  const roots = resolveRoots(args.dirs.length > 0 ? args.dirs : ["results"]);
  return serveUntilStopped(roots, args);
}

/** Serves the viewer for `roots`, says where, opens a browser if asked, and returns on Ctrl-C. */
export async function serveUntilStopped(roots: readonly Root[], args: Omit<ViewArgs, "dirs">): Promise<number> {
  const view = await startViewServer(roots, args.port !== undefined ? { port: args.port } : {});
  const url = args.query ? `${view.url}?${args.query}` : view.url;
  process.stdout.write(`peerlab viewer: ${url}\nShowing ${roots.map((r) => r.given).join(", ")}. Press Ctrl-C to stop.\n`);
  if (args.open) openBrowser(url);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      void view.close().then(resolve);
      // Browsers keep connections open; do not wait for them.
      view.server.closeAllConnections();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  return 0;
}
