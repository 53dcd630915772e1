import { Rng } from "../engine/rng.js";
import { Simulator } from "../engine/simulator.js";
import type { Scenario } from "../scenario/schema.js";
import { installChurn, type ChurnSpec } from "../churn/churn.js";
import { formatTrace, type TraceEvent } from "../churn/trace.js";

/**
 * Writes down the churn a scenario would produce, as a trace: the scenario's
 * churn model runs alone on a bare simulator, drawing from the same "churn"
 * random stream as a full run with the same seed, and every join, leave and
 * crash becomes a row. Replaying that trace (churn model "trace") gives every
 * overlay exactly the same arrivals and departures, to the microsecond.
 *
 * With the oracle bootstrap the initial peers are online from time 0 without
 * a join event in a full run; the trace starts them with a join at time 0.
 */
export interface GeneratedTrace {
  text: string;
  events: number;
  peers: number;
}

export function generateTrace(scenario: Scenario, scenarioFile: string): GeneratedTrace {
  if (scenario.churn.model === "trace") throw new Error("the scenario already replays a trace");
  const sim = new Simulator(1 << 12);
  const events: { timeMs: number; peer: number; event: TraceEvent }[] = [];
  let created = 0;
  let maxPeer = -1;
  const record = (event: TraceEvent) => (peer: number) => {
    events.push({ timeMs: sim.now, peer, event });
    maxPeer = Math.max(maxPeer, peer);
  };
  const oracle = (scenario.overlay as { bootstrap?: string }).bootstrap === "oracle";
  const initial: number[] = [];
  if (oracle) {
    for (let i = 0; i < scenario.peers.count; i++) {
      initial.push(created++);
      record("join")(i);
    }
  }
  installChurn({
    spec: scenario.churn as ChurnSpec,
    sim,
    rng: new Rng(scenario.seed).fork("churn"),
    lifecycle: { create: () => created++, join: record("join"), leave: record("leave"), crash: record("crash") },
    count: scenario.peers.count,
    joinOverMs: scenario.peers.joinOver,
    initialPeersOnline: oracle ? initial : undefined,
  });
  sim.run({ until: scenario.duration });
  const comment = [
    `peerlab churn trace of ${scenarioFile} (scenario ${scenario.name}, seed ${scenario.seed}, churn model ${scenario.churn.model})`,
    `${events.length} events over ${scenario.duration / 1000} s, ${maxPeer + 1} peers; format: docs/faults.md`,
  ];
  return { text: formatTrace(events, comment), events: events.length, peers: maxPeer + 1 };
}
