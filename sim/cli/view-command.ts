import { startViewServer } from "./serve.js";
import { resolveRoots } from "./serve-index.js";

export interface ViewArgs {
  dirs: string[];
  port?: number;
}

/**
 * `peerlab view [results-dir ...]`: serves the viewer and the named results
 * folders (default results/) on 127.0.0.1 until Ctrl-C.
 */
export async function viewCommand(args: ViewArgs): Promise<number> {
  const roots = resolveRoots(args.dirs.length > 0 ? args.dirs : ["results"]);
  const view = await startViewServer(roots, args.port !== undefined ? { port: args.port } : {});
  process.stdout.write(`peerlab viewer: ${view.url}\nShowing ${roots.map((r) => r.given).join(", ")}. Press Ctrl-C to stop.\n`);
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
