import type { Rng } from "../engine/rng.js";
import type { Simulator } from "../engine/simulator.js";
import type { Recorder } from "../metrics/recorder.js";
import type { LookupTable } from "../metrics/lookups.js";
import type { Message, MessageTypes } from "../overlays/protocol.js";
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
  messageTypes: MessageTypes<Message>;
  /** Called with each message that reaches an online peer. */
  deliver: (to: PeerId, from: PeerId, msg: Message) => void;
  /** Told of every message sent for a lookup (lost ones included), when lookups are traced (metrics.traceLookups). */
  trace?: (nowMs: number, lookup: number, from: PeerId, to: PeerId, type: string) => void;
}

export class Network {
  private readonly typeIndex: Record<string, number> = Object.create(null);
  private readonly typeBytes: (number | ((msg: Message) => number))[] = [];
  private readonly arrive = (m: InFlight) => this.onArrival(m);

  constructor(private readonly o: NetworkOptions) {
    for (const [name, info] of Object.entries(o.messageTypes)) {
      this.typeIndex[name] = this.typeBytes.length;
      this.typeBytes.push(info.bytes as number | ((msg: Message) => number));
    }
  }

  send(from: PeerId, to: PeerId, msg: Message): void {
    const o = this.o;
    const index = this.typeIndex[msg.type];
    if (index === undefined) throw new Error(`network: message type "${msg.type}" is not declared by the overlay`);
    const size = this.typeBytes[index]!;
    const bytes = typeof size === "number" ? size : size(msg);
    o.recorder.at(o.sim.now).messageSent(index, bytes);
    if (msg.lookup !== undefined) {
      o.lookups.charge(msg.lookup, bytes);
      o.trace?.(o.sim.now, msg.lookup, from, to, msg.type);
    }
    if (o.loss > 0 && o.rng.next() < o.loss) {
      o.recorder.messageLost();
      return;
    }
    o.sim.schedule(this.transferDelay(from, to, bytes), this.arrive, { from, to, msg });
  }

  /** Time from sending to arrival. The seam for bandwidth and queueing. */
  private transferDelay(from: PeerId, to: PeerId, _bytes: number): number {
    return this.o.latency.delay(from, to, this.o.rng);
  }

  private onArrival(m: InFlight): void {
    const o = this.o;
    if (!o.population.isOnline(m.to)) {
      o.recorder.at(o.sim.now).messageUndelivered();
      return;
    }
    o.deliver(m.to, m.from, m.msg);
  }
}
