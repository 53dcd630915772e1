import { describe, expect, it } from "vitest";
import { loadScenario } from "../../../sim/scenario/load.js";
import { runPeerlab } from "../../helpers/cli.js";
import { expectInputError } from "../../helpers/input-error.js";
import { scenarioFiles } from "../../helpers/scenario-files.js";

const { dir, file } = scenarioFiles("peerlab-blockchain-");

function scenario(name: string, overlay: string[], extra: string[] = []): string {
  return file(name, ["duration: 1h", "peers: { count: 20 }", "overlay:", "  type: blockchain", ...overlay.map((l) => `  ${l}`), "workload: { lookups: { count: 0 } }", ...extra]);
}

describe("blockchain scenarios that make no sense are refused, naming the field", () => {
  it("pool shares that do not sum to 1", () => {
    const path = scenario("shares.yaml", ["mining: { pools: [{ name: a, share: 0.5 }, { name: b, share: 0.3 }] }"]);
    const message = expectInputError(() => loadScenario(path));
    expect(message).toContain(path);
    expect(message).toContain("overlay.mining.pools: expected pool shares that sum to 1, got 0.5 + 0.3 = 0.8");
  });

  it("a block interval of zero", () => {
    const message = expectInputError(() => loadScenario(scenario("interval.yaml", ["mining: { interval: 0s }"])));
    expect(message).toContain('overlay.mining.interval: expected a positive duration like "10m"');
  });

  it("push relay without network.bandwidth, and the same scenario with it runs", () => {
    const message = expectInputError(() => loadScenario(scenario("push.yaml", ["relay: { mode: push }"])));
    expect(message).toContain('overlay.relay.mode: expected "inv", "headers" or "compact" without network.bandwidth, got "push"');
    const withBandwidth = scenario("push-bw.yaml", ["relay: { mode: push }"], ["network:", "  bandwidth: { model: share, links: { upload: 10Mbit/s } }"]);
    expect(() => loadScenario(withBandwidth)).not.toThrow();
  });

  it("fewer allowed connections than outbound ones", () => {
    const message = expectInputError(() => loadScenario(scenario("conn.yaml", ["outbound: 8", "maxConnections: 4"])));
    expect(message).toContain("overlay.maxConnections: expected at least outbound (8) connections, got 4");
  });

  it("a transaction rate of zero, a trickle mean of zero, a transaction size of zero", () => {
    const rate = expectInputError(() => loadScenario(scenario("tx-rate.yaml", ["transactions: { rate: 0 }"])));
    expect(rate).toContain('overlay.transactions.rate: expected a positive rate like "2/s"');
    const trickle = expectInputError(() => loadScenario(scenario("tx-trickle.yaml", ["transactions: { rate: 1/s, trickleInbound: 0s }"])));
    expect(trickle).toContain('overlay.transactions.trickleInbound: expected a positive duration like "5s"');
    const size = expectInputError(() => loadScenario(scenario("tx-size.yaml", ["transactionSize: 0", "transactions: { rate: 1/s }"])));
    expect(size).toContain("overlay.transactionSize: expected an integer from 1 to 1000000, got 0");
  });

  it("a negative trickle mean from the command line: exit code 2, the field named", () => {
    scenario("tx-cli.yaml", ["transactions: { rate: 1/s, trickleOutbound: -2s }"]);
    const r = runPeerlab(dir, "run", "tx-cli.yaml");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('overlay.transactions.trickleOutbound: expected a positive duration like "2s"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("the command line says it in one paragraph, exit code 2, no stack trace", () => {
    scenario("cli.yaml", ["mining: { pools: [{ name: a, share: 0.7 }, { name: a, share: 0.3 }] }"]);
    const r = runPeerlab(dir, "run", "cli.yaml");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('overlay.mining.pools[1].name: expected a pool name used once, got "a" twice');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
