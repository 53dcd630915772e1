import { existsSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { VERSION } from "../version.js";
import { buildIndex, resolveDataPath, type Root } from "./serve-index.js";

/**
 * The HTTP server behind `peerlab view`: the viewer's own files, a JSON index
 * of the runs (/api/index.json) and the files of the given results folders
 * (/data/<n>/...), on 127.0.0.1 only. Nothing else is served: no directory
 * listings, nothing outside those folders (see resolveDataPath).
 */

/** The built viewer: dist/viz, next to dist/sim/cli (or under dist/ when run from the TypeScript sources, as in tests). */
export function vizDir(): string {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
  const built = join(root, "viz");
  return existsSync(join(built, "app.js")) ? built : join(root, "dist", "viz");
}

/** The viewer's files, by URL path. */
const STATIC: Record<string, string> = { "/": "index.html", "/index.html": "index.html", "/app.js": "app.js", "/style.css": "style.css" };

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
};

export interface ViewServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startViewServer(roots: readonly Root[], options: { port?: number; viz?: string } = {}): Promise<ViewServer> {
  const viz = options.viz ?? vizDir();
  if (!existsSync(join(viz, "index.html"))) throw new Error(`the viewer is not built (no ${join(viz, "index.html")}); run npm run build`);
  let port = 0;
  const server = createServer((req, res) => handle(req, res, roots, viz, port));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    server,
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function handle(req: IncomingMessage, res: ServerResponse, roots: readonly Root[], viz: string, port: number): void {
  const send = (status: number, body: string | Buffer, type = "text/plain; charset=utf-8") => {
    res.writeHead(status, {
      "Content-Type": type,
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-store",
      "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'",
    });
    res.end(req.method === "HEAD" ? undefined : body);
  };
  if (req.method !== "GET" && req.method !== "HEAD") return send(405, "method not allowed\n");
  // Only our own host names: a page elsewhere cannot reach the server through DNS rebinding.
  const host = req.headers.host ?? "";
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return send(403, "forbidden\n");
  const path = (req.url ?? "/").split("?")[0]!;
  const file = STATIC[path];
  if (file) return send(200, readFileSync(join(viz, file)), TYPES[extname(file)]);
  if (path === "/api/index.json") return send(200, JSON.stringify(buildIndex(roots, VERSION)), TYPES[".json"]);
  if (path.startsWith("/data/")) {
    const real = resolveDataPath(roots, path);
    if (!real) return send(404, "not found\n");
    const type = TYPES[extname(real)];
    if (!type) return send(404, "not found\n");
    return send(200, readFileSync(real), type);
  }
  return send(404, "not found\n");
}
