import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { requestsPerConnection, type BittorrentOptions } from "../../../sim/overlays/bittorrent/options.js";
import { validateScenario } from "../../../sim/scenario/load.js";
import { runPeerlab } from "../../helpers/cli.js";
import { expectInputError } from "../../helpers/input-error.js";

const base = (overlay: object) => ({
  duration: "10m",
  peers: { count: 10, joinOver: "0s" },
  network: { bandwidth: { model: "maxmin", links: { upload: "1Mbit/s", download: "10Mbit/s" } } },
  overlay: { type: "bittorrent", ...overlay },
  workload: { lookups: { count: 0 } },
});

describe("bittorrent: options", () => {
  it("fills in the documented defaults", () => {
    const o = validateScenario(base({}), "bt.yaml").overlay as Record<string, any>;
    expect(o.torrent).toEqual({ size: 100_000_000, pieceSize: 262_144, blockSize: 16_384, transferUnit: "block" });
    expect(o.tracker.numwant).toBe(50);
    expect(o.connections).toMatchObject({ maxInitiate: 40, maxConnections: 80 });
    expect(o.choking).toMatchObject({ interval: 10_000, regularSlots: 3, optimisticSlots: 1, optimisticInterval: 30_000 });
    expect(o.pipeline).toBe(5);
    expect(o.picker).toBe("rarest-first");
    expect(o.seeds).toBe(1);
    expect(o.redundantHaves).toBe(true);
  });

  it("refuses a redundantHaves that is not true or false, naming the field", () => {
    const message = expectInputError(() => validateScenario(base({ redundantHaves: "no" }), "bt.yaml"));
    expect(message).toContain("overlay.redundantHaves");
  });

  it("refuses a piece larger than the file, naming the field", () => {
    const message = expectInputError(() => validateScenario(base({ torrent: { size: "1MB", pieceSize: "2MB" } }), "bt.yaml"));
    expect(message).toContain("overlay.torrent.pieceSize");
    expect(message).toContain("expected a piece size no larger than the file (torrent.size = 1000000 bytes), got 2000000 bytes");
  });

  it("refuses a swarm with no seed (and no server)", () => {
    const message = expectInputError(() => validateScenario(base({ seeds: 0 }), "bt.yaml"));
    expect(message).toContain("overlay.seeds");
    expect(message).toContain("nobody has the file");
    // The client-server mode has its server instead.
    expect(() => validateScenario(base({ seeds: 0, mode: "client-server" }), "bt.yaml")).not.toThrow();
  });

  it("refuses an unknown picker, listing the known ones", () => {
    const message = expectInputError(() => validateScenario(base({ picker: "sequential" }), "bt.yaml"));
    expect(message).toContain("overlay.picker");
    expect(message).toContain('expected one of "rarest-first", "random", got "sequential"');
  });

  it("refuses an unknown transfer unit in one message naming the field and the choices", () => {
    const message = expectInputError(() => validateScenario(base({ torrent: { transferUnit: "pieces" } }), "bt.yaml"));
    expect(message).toContain("overlay.torrent.transferUnit");
    expect(message).toContain('expected one of "block", "piece", got "pieces"');
    expect(message.split("\n").filter((line) => line.includes("transferUnit"))).toHaveLength(1);
  });

  it("piece mode keeps as many pieces outstanding as cover pipeline blocks, at least one", () => {
    const depth = (overlay: object) => requestsPerConnection(validateScenario(base(overlay), "bt.yaml").overlay as BittorrentOptions);
    expect(depth({})).toBe(5);
    // 5 blocks of 16 KiB are 80 KiB: one 256 KiB piece, two 64 KiB pieces, five 16 KiB pieces.
    expect(depth({ torrent: { transferUnit: "piece" } })).toBe(1);
    expect(depth({ torrent: { transferUnit: "piece", pieceSize: "64KiB" } })).toBe(2);
    expect(depth({ torrent: { transferUnit: "piece", pieceSize: "16KiB" } })).toBe(5);
    expect(depth({ torrent: { transferUnit: "piece" }, pipeline: 40 })).toBe(3);
  });

  it("asks for lookups: { count: 0 } (the overlay does no lookups)", () => {
    const { workload: _, ...rest } = base({});
    expect(expectInputError(() => validateScenario(rest, "bt.yaml"))).toContain("lookups: { count: 0 }");
  });
});

describe("bittorrent: bad input at the command line", () => {
  it("exits with code 2 and one paragraph naming the file and the field, no stack trace", () => {
    const dir = mkdtempSync(join(tmpdir(), "peerlab-bt-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(
      file,
      "duration: 10m\npeers: { count: 5 }\noverlay: { type: bittorrent, torrent: { size: 1MB, pieceSize: 2MB } }\nworkload: { lookups: { count: 0 } }\n",
    );
    const r = runPeerlab(dir, "validate", "bad.yaml");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("bad.yaml");
    expect(r.stderr).toContain("overlay.torrent.pieceSize");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("refuses solveInterval with a carrier other than maxmin: exit 2, one paragraph naming the field", () => {
    const dir = mkdtempSync(join(tmpdir(), "peerlab-bt-"));
    writeFileSync(
      join(dir, "bad.yaml"),
      "duration: 10m\npeers: { count: 5 }\nnetwork: { bandwidth: { model: share, solveInterval: 100ms, links: { upload: 1Mbit/s } } }\noverlay: { type: bittorrent }\nworkload: { lookups: { count: 0 } }\n",
    );
    const r = runPeerlab(dir, "validate", "bad.yaml");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("network.bandwidth.solveInterval");
    expect(r.stderr).toContain('expected solveInterval only with model "maxmin"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
