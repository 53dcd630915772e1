import type { Simulator } from "../../engine/simulator.js";
import type { Links } from "../links.js";
import type { Meter } from "../meter.js";
import { Flows, type FlowEnd, type FlowSink, type RatePolicy } from "./flows.js";
import { LastArrivals } from "./last-arrivals.js";
import { latencyOnly } from "./latency-only.js";
import { MaxMin } from "./maxmin.js";
import { serial } from "./serial.js";
import { share } from "./share.js";

/**
 * Moves bytes between peers: transmission at the rate the carrier's policy
 * gives (Flows), then the propagation latency, paid apart. Deliveries
 * between one sender and one receiver keep their order: a transfer that
 * finished sending later never arrives earlier (random latencies would
 * otherwise reorder them).
 */

/** Who is told how a transfer ended; exactly one call. */
export interface Delivery {
  /** Every byte reached the receiver, which was online. */
  arrived(): void;
  /** Cut on the way (an end left or crashed, a partition), or the receiver was offline on arrival; `movedBytes` had been sent. */
  lost(movedBytes: number): void;
}

/**
 * The carriers, one entry each: the name `network.bandwidth.model` gives, a
 * line for `peerlab list`, the docs and the schema's description, and how to
 * make its rate policy for one run (max-min keeps per-run state, the others
 * are stateless and shared).
 */
export const CARRIERS = [
  { name: "none", description: "latency only: bytes take no time on the links (the default)", create: (): RatePolicy => latencyOnly },
  { name: "serial", description: "each sender sends one transfer at a time, in order, at min(up, receiver's down)", create: (): RatePolicy => serial },
  { name: "share", description: "each uplink shared equally among its transfers; downlinks unlimited", create: (): RatePolicy => share },
  { name: "maxmin", description: "max-min fair over every sender uplink and receiver downlink (progressive filling)", create: (): RatePolicy => new MaxMin() },
] as const;

export type CarrierName = (typeof CARRIERS)[number]["name"];

/** A fresh rate policy of carrier `name`. */
export function makePolicy(name: CarrierName): RatePolicy {
  const carrier = CARRIERS.find((c) => c.name === name);
  if (carrier === undefined) throw new Error(`unknown carrier "${name}"`);
  return carrier.create();
}

export interface CarrierOptions {
  sim: Simulator;
  links: Links;
  policy: RatePolicy;
  meter: Meter;
  /** One-way propagation latency from `from` to `to` now (ms). */
  propagation: (from: number, to: number) => number;
  isOnline: (peer: number) => boolean;
  /** network.bandwidth.solveInterval in ms (0 or absent: exact, a solve at every instant with a change). */
  solveIntervalMs?: number;
}

export class Carrier implements FlowSink {
  readonly flows: Flows;
  readonly policy: RatePolicy;
  /** Latest arrival time scheduled per (sender, receiver) with deliveries on the way. */
  private readonly lastArrival = new LastArrivals();
  private readonly arrive = (end: FlowEnd) => this.onArrival(end);
  private readonly cut = (a: { delivery: Delivery; moved: number }) => a.delivery.lost(a.moved);

  constructor(private readonly o: CarrierOptions) {
    this.policy = o.policy;
    this.flows = new Flows(o.sim, o.links, o.policy, o.solveIntervalMs ?? 0);
    this.flows.onUploaded = (peer, bytes) => o.meter.uploaded(peer, bytes);
  }

  /** Starts sending `bytes` from `from` to `to`; `delivery` hears how it ends. */
  send(from: number, to: number, bytes: number, delivery: Delivery): void {
    this.flows.start(from, to, bytes, this, delivery);
  }

  transmitted(end: FlowEnd): void {
    const sim = this.o.sim;
    const atMs = Math.max(sim.now + this.o.propagation(end.from, end.to), this.lastArrival.latest(end.from, end.to));
    this.lastArrival.set(end.from, end.to, atMs);
    sim.at(atMs, this.arrive, end);
  }

  aborted(end: FlowEnd, movedBytes: number): void {
    this.o.meter.aborted(movedBytes, this.o.sim.now);
    // Told at the end of this instant, not from inside whatever cut the flow (a crash, a partition).
    this.o.sim.schedule(0, this.cut, { delivery: end.payload as Delivery, moved: movedBytes });
  }

  /** `end` arrives: now is the time `transmitted` gave it. */
  private onArrival(end: FlowEnd): void {
    const sim = this.o.sim;
    this.lastArrival.deleteIfLast(end.from, end.to, sim.now);
    const delivery = end.payload as Delivery;
    if (!this.o.isOnline(end.to)) {
      this.o.meter.aborted(end.bytes, sim.now);
      delivery.lost(end.bytes);
      return;
    }
    this.o.meter.delivered(end.bytes, sim.now - end.startMs, sim.now);
    delivery.arrived();
  }
}
