import { PEERLAB_BIN } from "../helpers/cli.js";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startViewServer, type ViewServer } from "../../sim/cli/serve.js";
import { buildIndex, resolveRoots } from "../../sim/cli/serve-index.js";
import { DIST_VIZ, makeResults, type Fixture } from "./fixtures.js";

/** `peerlab view`'s server over HTTP, no browser: what it serves and what it refuses. */

const MAIN = PEERLAB_BIN;

/** A GET with the path sent exactly as written (no client-side normalisation of "..") and a chosen Host. */
function get(base: string, path: string, host?: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: "GET", headers: { host: host ?? url.host } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

let fx: Fixture;
let view: ViewServer;

beforeAll(async () => {
  fx = makeResults();
  // A secret next to the results folder, and a symlink from inside to it.
  writeFileSync(join(fx.dir, "secret.txt"), "do not serve");
  symlinkSync(join(fx.dir, "secret.txt"), join(fx.results, "chord", "seed-3", "leak.json"));
  view = await startViewServer(resolveRoots([fx.results]), { viz: DIST_VIZ });
});

afterAll(async () => {
  await view?.close();
  if (fx) rmSync(fx.dir, { recursive: true, force: true });
});

describe("peerlab view server", () => {
  it("listens on 127.0.0.1 only", () => {
    expect((view.server.address() as AddressInfo).address).toBe("127.0.0.1");
    expect(view.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it("serves the viewer page and a JSON index of every layout", async () => {
    const page = await get(view.url, "/");
    expect(page.status).toBe(200);
    expect(page.body).toContain("app.js");
    const index = JSON.parse((await get(view.url, "/api/index.json")).body);
    const labels = index.runs.map((r: { label: string }) => r.label).sort();
    expect(labels).toEqual(
      ["<img src=x onerror=window.__pwned=1>", "chord/seed-3", "cmp/seed-3/chord", "cmp/seed-3/flood", "flood/seed-3", "hybrid/seed-3", "sweep/runs/p0/seed-1"].sort(),
    );
    const cmp = index.groups.find((g: { kind: string }) => g.kind === "comparison");
    expect(cmp.runs).toHaveLength(2);
    expect(index.runs.filter((r: { variant: string | null }) => r.variant).map((r: { variant: string }) => r.variant).sort()).toEqual(["chord", "flood"]);
    expect(index.groups.find((g: { kind: string }) => g.kind === "sweep").files).toEqual(["aggregate.csv", "runs.csv", "sweep.json"]);
    const hybrid = index.runs.find((r: { label: string }) => r.label === "hybrid/seed-3");
    expect(hybrid.files).toEqual(expect.arrayContaining(["annotations.json", "snapshots.json", "traces.json"]));
  });

  it("serves result files under /data/", async () => {
    const res = await get(view.url, "/data/0/chord/seed-3/summary.json");
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).name).toBe("chord");
    expect((await get(view.url, "/data/0/%3Cimg%20src%3Dx%20onerror%3Dwindow.__pwned%3D1%3E/summary.json")).status).toBe(200);
  });

  it("refuses path traversal, symlinks out, other roots and anything else", async () => {
    for (const path of [
      "/data/0/../secret.txt",
      "/data/0/../../secret.txt",
      "/data/0/%2e%2e/secret.txt",
      "/data/0/%2E%2E%2Fsecret.txt",
      "/data/0/chord/../../secret.txt",
      "/data/0/chord/seed-3/..%2f..%2f..%2fsecret.txt",
      "/data/0/..%5csecret.txt",
      "/data/0/chord/seed-3/leak.json",
      "/data/0/%00",
      "/data/0/%E0%A4%A",
      "/data/1/summary.json",
      "/data/0/chord/seed-3",
      "/../secret.txt",
      "/package.json",
      "/etc/passwd",
      "/dist/viz/app.js",
    ]) {
      const res = await get(view.url, path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).not.toContain("do not serve");
    }
  });

  it("answers only to its own host name (no DNS rebinding)", async () => {
    expect((await get(view.url, "/api/index.json", "evil.example:80")).status).toBe(403);
  });

  it("indexes a single run folder given directly", () => {
    const index = buildIndex(resolveRoots([join(fx.results, "chord", "seed-3")]), "test");
    expect(index.runs).toHaveLength(1);
    expect(index.runs[0]!.url).toBe("data/0/");
  });
});

describe("peerlab view command", () => {
  it("exits 2 with a one-paragraph message for a missing folder", () => {
    expect(existsSync(MAIN)).toBe(true);
    const r = spawnSync(process.execPath, [MAIN, "view", join(fx.dir, "nope")], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^peerlab: results folder .*nope does not exist\. Run a scenario first/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("exits 2 for a file instead of a folder", () => {
    const file = join(fx.dir, "secret.txt");
    const r = spawnSync(process.execPath, [MAIN, "view", file], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("is not a folder");
  });

  it("prints the URL it serves on", async () => {
    const child = spawn(process.execPath, [MAIN, "view", fx.results], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (c) => {
          out += c;
          const m = /peerlab viewer: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on("exit", (code) => reject(new Error(`exited ${code}`)));
      });
      expect((await get(url, "/api/index.json")).status).toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
  });

  it("report refuses a folder without runs", () => {
    const empty = join(fx.dir, "empty");
    mkdirSync(empty, { recursive: true });
    const r = spawnSync(process.execPath, [MAIN, "report", empty, "--out", join(fx.dir, "r.html")], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("no runs found");
  });
});
