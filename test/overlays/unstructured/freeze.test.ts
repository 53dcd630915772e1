import { describe, expect, it } from "vitest";
import { runSmall } from "./run-scenario.js";

describe("freezing maintenance", () => {
  it("stops pings and top-ups in the window, lets lookups go on, and resumes after", () => {
    const common = { overlay: { search: { method: "flood", ttl: 3 } }, duration: "6m", peers: 200, rate: "2/s" };
    const normal = runSmall(common);
    const frozen = runSmall({ ...common, faults: [{ kind: "freeze", at: "2m", until: "4m" }] });
    const maintenance = (r: ReturnType<typeof runSmall>, fromS: number, toS: number) =>
      r.result.timeSeries.filter((row) => (row.time_s as number) > fromS && (row.time_s as number) <= toS).map((row) => row.messages_maintenance as number);
    // Rows end at time_s: the four rows of 2m–4m.
    // Observed: about 8,000 maintenance messages per 30 s row without the freeze, none in the window.
    expect(maintenance(normal, 120, 240).every((m) => m > 1000)).toBe(true);
    expect(maintenance(frozen, 120, 240)).toEqual([0, 0, 0, 0]);
    expect(maintenance(frozen, 240, 360).every((m) => m > 1000)).toBe(true);
    expect(maintenance(frozen, 0, 120)).toEqual(maintenance(normal, 0, 120));
    const window = frozen.result.timeSeries.filter((row) => (row.time_s as number) > 120 && (row.time_s as number) <= 240);
    expect(window.every((row) => (row.lookups_succeeded as number) > 0)).toBe(true);
  });

  it("lets a peer that joins during the freeze connect, and starts its maintenance on resume", () => {
    // Peers join over the first minute; the freeze starts at 30 s.
    const r = runSmall({ overlay: { search: { method: "flood", ttl: 3 } }, duration: "3m", peers: 150, faults: [{ kind: "freeze", at: "30s", until: "2m" }] });
    const rows = r.result.timeSeries;
    expect(rows.find((row) => row.time_s === 60)!.messages_maintenance as number).toBeGreaterThan(0); // joins go on
    // The last joiners (up to 60 s) finish connecting just after; then nothing until the resume.
    expect(rows.find((row) => row.time_s === 90)!.messages_maintenance as number).toBeLessThan(50);
    expect(rows.find((row) => row.time_s === 120)!.messages_maintenance).toBe(0);
    expect(r.snapshot.peers).toHaveLength(150);
    expect(r.snapshot.peers.every((p) => p.links.length > 0)).toBe(true);
    expect(rows.find((row) => row.time_s === 180)!.messages_maintenance as number).toBeGreaterThan(1000);
  });
});
