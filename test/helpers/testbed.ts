import type { Message, MessageTypes, OverlayContext } from "../../sim/core/protocol.js";
import { Rng } from "../../sim/engine/rng.js";
import { Simulator } from "../../sim/engine/simulator.js";
import { LookupTable } from "../../sim/metrics/lookups.js";
import { Recorder } from "../../sim/metrics/recorder.js";
import { makePolicy, type CarrierName } from "../../sim/network/carriers/carrier.js";
import { makeLatencyModel } from "../../sim/network/latency-models.js";
import { Links } from "../../sim/network/links.js";
import { Meter } from "../../sim/network/meter.js";
import { Network } from "../../sim/network/network.js";
import { OverlayRuntime } from "../../sim/overlays/context.js";
import { ADVERSARY_COUNTERS, Adversaries } from "../../sim/peers/adversaries.js";
import type { AdversariesSpec } from "../../sim/peers/adversaries-schema.js";
import { HostCache } from "../../sim/peers/bootstrap.js";
import { Population } from "../../sim/peers/population.js";

/**
 * A testbed: a few online peers, a constant latency, the real network and
 * runtime, and an event log — enough to test one message handler or one
 * runtime service (requests, timers, ctx.every, transfers, answers) without
 * building a whole simulation from a scenario. Lookup ends and adversary
 * counters reported through the runtime are written to the log.
 */
export interface TestbedOptions<M extends Message> {
  /** Peers 0 .. peers−1, all online from the start. Default 2. */
  peers?: number;
  /** One-way latency in ms. Default 10. */
  latencyMs?: number;
  /** The message types the network knows. Default: one maintenance type "ping" of 10 bytes. */
  messageTypes?: MessageTypes<M>;
  /** Turns bandwidth on with this carrier; every peer gets `uploadBytesPerMs` up and `downloadBytesPerMs` down. */
  carrier?: CarrierName;
  uploadBytesPerMs?: number;
  downloadBytesPerMs?: number;
  /** Malicious peers drawn from peers 0 .. peers−1 (stream "adversaries" of seed 1), as a scenario's `adversaries:`. */
  adversaries?: AdversariesSpec;
  /** What arrives at a peer (after the runtime has routed replies to their requests). */
  deliver?: (to: number, from: number, msg: M, bed: Testbed<M>) => void;
}

export interface Testbed<M extends Message> {
  sim: Simulator;
  population: Population;
  network: Network;
  runtime: OverlayRuntime<M>;
  ctx: OverlayContext<M>;
  meter: Meter | undefined;
  /** The run's malicious peers (inactive without `adversaries`). */
  adversaries: Adversaries;
  /** Lines the test writes as things happen, to compare with one toEqual. */
  log: string[];
  /** Takes `peer` offline (its session ends) as a crash would. */
  down(peer: number): void;
}

export function testbed<M extends Message = Message>(options: TestbedOptions<M> = {}): Testbed<M> {
  const sim = new Simulator();
  const population = new Population();
  const latency = makeLatencyModel({ model: "constant", delay: options.latencyMs ?? 10 });
  const types = (options.messageTypes ?? { ping: { category: "maintenance", bytes: 10 } }) as MessageTypes<Message>;
  const recorder = new LoggingRecorder(() => bed.log, {
    warmupMs: 0,
    intervalMs: 1000,
    messageTypes: Object.entries(types).map(([name, info]) => ({ name, category: info.category })),
  });
  const links = options.carrier ? new Links({}, new Rng(1), () => undefined) : undefined;
  const meter = options.carrier ? new Meter(0) : undefined;
  const bed = { sim, population, meter, log: [] as string[] } as Testbed<M>;
  const network: Network = new Network({
    sim,
    rng: new Rng(1),
    latency,
    loss: 0,
    population,
    recorder,
    lookups: new LookupTable(),
    messageTypes: types,
    deliver: (to, from, msg) => runtime.dispatch(to, from, msg, (t, f, m) => options.deliver?.(t, f, m as M, bed)),
    ...(links && meter && options.carrier ? { bandwidth: { links, meter, policy: makePolicy(options.carrier), carryMessages: false } } : {}),
  });
  const runtime: OverlayRuntime<M> = new OverlayRuntime<M>({
    sim,
    rng: new Rng(1),
    network,
    population,
    hostCache: new HostCache(4, 2, new Rng(1)),
    recorder,
    lookupTypes: new Set(Object.entries(types).filter(([, info]) => info.category === "lookup").map(([name]) => name)),
    lookupSucceeded: (lookup, hops) => bed.log.push(`lookup ${lookup} succeeded at ${hops} hops`),
    lookupFailed: (lookup) => bed.log.push(`lookup ${lookup} failed`),
  });
  const pool: number[] = [];
  for (let i = 0; i < (options.peers ?? 2); i++) {
    latency.place(population.create(), new Rng(1));
    population.markOnline(i);
    network.peerUp(i);
    links?.set(i, options.uploadBytesPerMs ?? 100, options.downloadBytesPerMs ?? 1000);
    pool.push(i);
  }
  const adversaries = new Adversaries(options.adversaries, pool, new Rng(1).fork("adversaries"), runtime.adversaryHooks());
  if (adversaries.active) for (const name of ADVERSARY_COUNTERS) recorder.declareCounter(name);
  runtime.setAdversaries(adversaries);
  return Object.assign(bed, {
    adversaries,
    network,
    runtime,
    ctx: runtime.context,
    down: (peer: number) => {
      population.markOffline(peer);
      network.peerDown(peer);
    },
  });
}

/** The real recorder, also writing each counter increment to the testbed's log. */
class LoggingRecorder extends Recorder {
  constructor(
    private readonly log: () => string[],
    options: ConstructorParameters<typeof Recorder>[0],
  ) {
    super(options);
  }

  override count(name: string, amount = 1): void {
    super.count(name, amount);
    this.log().push(amount === 1 ? `count ${name}` : `count ${name} ${amount}`);
  }
}
