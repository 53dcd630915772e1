import type { Rng } from "../engine/rng.js";
import type { Simulator } from "../engine/simulator.js";
import type { Recorder } from "../metrics/recorder.js";
import type { LookupTable } from "../metrics/lookups.js";
import type { BroadcastTable } from "../metrics/broadcasts.js";
import type { Message, MessageTypes } from "../core/protocol.js";
import type { PeerId, Population } from "../peers/population.js";
import type { LatencyModel } from "./latency.js";

/**
 * The underlay: carries a message from one peer to another after a latency
 * drawn from the scenario's model, loses it with the configured probability,
 * and drops it if the receiver is offline when it arrives. The sender is
 * never told; protocols learn about losses only through their own timeouts.
 *
 * Every message is counted by type (messages and bytes) and, when it works
 * for a lookup, charged to that lookup.
 *
 * Bandwidth and queueing will slot in at `transferDelay`: today a message
 * takes exactly its propagation latency, whatever its size.
 */

/**
 * What the fault timeline may change for a while (sim/churn/faults.ts):
 * loss, extra latency, and a partition into groups that cannot reach each
 * other.
 */
export interface NetworkConditions {
  /** Replaces the scenario's loss probability while set. */
  loss: number | undefined;
  latencyFactor: number;
  extraLatencyMs: number;
  /** The group of a peer while partitioned; messages between different groups are dropped. */
  group: ((peer: PeerId) => number) | undefined;
}

/** A message on its way. */
interface InFlight {
  from: PeerId;
  to: PeerId;
  msg: Message;
}

export interface NetworkOptions {
  sim: Simulator;
  rng: Rng;
  latency: LatencyModel;
  /** Probability that any one message is lost in transit. */
  loss: number;
  population: Population;
  recorder: Recorder;
  lookups: LookupTable;
  /** Broadcasts' traffic is charged here, in runs that broadcast. */
  broadcasts?: BroadcastTable;
  messageTypes: MessageTypes<Message>;
  /** Called with each message that reaches an online peer. */
  deliver: (to: PeerId, from: PeerId, msg: Message) => void;
  /** Told of every message sent for a lookup (lost ones included), when lookups are traced (metrics.traceLookups). */
  trace?: (nowMs: number, lookup: number, from: PeerId, to: PeerId, type: string) => void;
}

export class Network {
  private readonly typeIndex: Record<string, number> = Object.create(null);
  private readonly typeBytes: (number | ((msg: Message) => number))[] = [];
  private readonly typeRepair: boolean[] = [];
  private readonly arrive = (m: InFlight) => this.onArrival(m);
  /** Messages delivered to each peer so far: the "load" a targeted crash aims at. */
  private received = new Uint32Array(1024);
  /** Changed by the fault timeline; the scenario's own settings otherwise. */
  readonly conditions: NetworkConditions = { loss: undefined, latencyFactor: 1, extraLatencyMs: 0, group: undefined };
  /** True when some message type is repair traffic: the recorder then has repair_messages and repair_bytes. */
  readonly countsRepair: boolean;

  constructor(private readonly o: NetworkOptions) {
    for (const [name, info] of Object.entries(o.messageTypes)) {
      this.typeIndex[name] = this.typeBytes.length;
      this.typeBytes.push(info.bytes as number | ((msg: Message) => number));
      this.typeRepair.push(info.repair === true);
    }
    this.countsRepair = this.typeRepair.includes(true);
  }

  /** Messages delivered to `peer` so far. */
  receivedBy(peer: PeerId): number {
    return peer < this.received.length ? this.received[peer]! : 0;
  }

  send(from: PeerId, to: PeerId, msg: Message): void {
    const o = this.o;
    const index = this.typeIndex[msg.type];
    if (index === undefined) throw new Error(`network: message type "${msg.type}" is not declared by the overlay`);
    const size = this.typeBytes[index]!;
    const bytes = typeof size === "number" ? size : size(msg);
    const recorder = o.recorder.at(o.sim.now);
    recorder.messageSent(index, bytes);
    if (this.typeRepair[index]) {
      recorder.count("repair_messages", 1);
      recorder.count("repair_bytes", bytes);
    }
    if (msg.lookup !== undefined) {
      o.lookups.charge(msg.lookup, bytes);
      o.trace?.(o.sim.now, msg.lookup, from, to, msg.type);
    } else if (msg.broadcast !== undefined) {
      o.broadcasts?.charge(msg.broadcast, bytes);
    }
    const c = this.conditions;
    const loss = c.loss ?? o.loss;
    if (loss > 0 && o.rng.next() < loss) {
      o.recorder.messageLost();
      return;
    }
    if (c.group !== undefined && c.group(from) !== c.group(to)) {
      recorder.count("partition_dropped", 1);
      return;
    }
    o.sim.schedule(this.transferDelay(from, to, bytes), this.arrive, { from, to, msg });
  }

  /** Time from sending to arrival. The seam for bandwidth and queueing. */
  private transferDelay(from: PeerId, to: PeerId, _bytes: number): number {
    const c = this.conditions;
    const delay = this.o.latency.delay(from, to, this.o.rng);
    return c.latencyFactor === 1 && c.extraLatencyMs === 0 ? delay : delay * c.latencyFactor + c.extraLatencyMs;
  }

  private onArrival(m: InFlight): void {
    const o = this.o;
    if (!o.population.isOnline(m.to)) {
      o.recorder.at(o.sim.now).messageUndelivered();
      return;
    }
    const to = m.to;
    if (to >= this.received.length) {
      const bigger = new Uint32Array(Math.max(to + 1, this.received.length * 2));
      bigger.set(this.received);
      this.received = bigger;
    }
    this.received[to]!++;
    o.deliver(to, m.from, m.msg);
  }
}
