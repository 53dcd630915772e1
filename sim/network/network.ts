import type { Rng } from "../engine/rng.js";
import type { Simulator } from "../engine/simulator.js";
import type { Recorder } from "../metrics/recorder.js";
import type { LookupTable } from "../metrics/lookups.js";
import type { BroadcastTable } from "../metrics/broadcasts.js";
import type { Message, MessageTypes } from "../core/protocol.js";
import type { PeerId, Population } from "../peers/population.js";
import type { LatencyModel } from "./latency.js";
import { Carrier, type Delivery } from "./carriers/carrier.js";
import type { RatePolicy } from "./carriers/flows.js";
import { latencyOnly } from "./carriers/latency-only.js";
import { Links } from "./links.js";
import { Meter } from "./meter.js";

/**
 * The underlay: carries a message from one peer to another after a latency
 * drawn from the scenario's model, loses it with the configured probability,
 * and drops it if the receiver is offline when it arrives. The sender is
 * never told; protocols learn about losses only through their own timeouts.
 *
 * Every message is counted by type (messages and bytes) and, when it works
 * for a lookup, charged to that lookup.
 *
 * With `network.bandwidth`, a carrier (carriers/) moves bytes over the peers'
 * links: `transfer` always goes through it, and overlay messages too when
 * the scenario says `messages: carried`; otherwise a message takes exactly
 * its propagation latency, whatever its size.
 */

/**
 * What the fault timeline may change for a while (sim/churn/faults/):
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

/** The lookup a transfer works for and its name in that lookup's trace (e.g. "block"). */
export interface TracedTransfer {
  readonly lookup: number;
  readonly type: string;
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
  /** Links, carrier policy and meter when the scenario has network.bandwidth. */
  bandwidth?: { links: Links; policy: RatePolicy; meter: Meter; carryMessages: boolean; solveIntervalMs?: number };
  /** Told of every message sent for a lookup (lost ones included), when lookups are traced (metrics.traceLookups). */
  trace?: (nowMs: number, lookup: number, from: PeerId, to: PeerId, type: string) => void;
  /**
   * Count the messages delivered to each peer (`receivedBy`, the "load" a
   * crash can target). Default true. Pass false when no fault will ask: the
   * count is a write to a random place of an array of 4 bytes per peer on
   * every arrival, a cache miss each at 10^5 peers (about a tenth of the
   * `chord` bench's loop).
   */
  countLoad?: boolean;
}

export class Network {
  private readonly typeIndex = new Map<string, number>();
  /**
   * The type `send` saw last and its index. A flood step or a maintenance
   * round sends one type many times in a row, and comparing two interned
   * strings is one pointer test, where the map is a hash lookup.
   */
  private lastType: string | undefined = undefined;
  private lastIndex = -1;
  private readonly typeBytes: (number | ((msg: Message) => number))[] = [];
  private readonly typeRepair: boolean[] = [];
  /**
   * Messages on their way, in parallel arrays indexed by a slot that is reused
   * once the message arrives: the event's argument is the slot, so sending
   * allocates nothing per message. An object per message in flight lived
   * long enough, with many peers, to be promoted by the garbage collector.
   */
  /**
   * Sender at 2·slot, receiver at 2·slot + 1: side by side, so an arrival
   * reads one cache line for both (with many peers, slots are reused long
   * after they were last touched, and each separate array cost a miss).
   */
  private flightEnds = new Int32Array(2 * 1024);
  private readonly flightMsg: (Message | undefined)[] = [];
  private freeFlights = new Int32Array(1024);
  private freeFlightCount = 0;
  private flightsUsed = 0;
  private readonly arrive = (slot: number) => {
    const from = this.flightEnds[2 * slot]!;
    const to = this.flightEnds[2 * slot + 1]!;
    const msg = this.flightMsg[slot]!;
    this.flightMsg[slot] = undefined;
    this.freeFlights[this.freeFlightCount++] = slot;
    this.onArrival(from, to, msg);
  };
  /** Messages delivered to each peer so far: the "load" a targeted crash aims at (when counted: countLoad). */
  private received = new Uint32Array(1024);
  private readonly countLoad: boolean;
  /** Changed by the fault timeline; the scenario's own settings otherwise. */
  readonly conditions: NetworkConditions = { loss: undefined, latencyFactor: 1, extraLatencyMs: 0, group: undefined };
  /** True when some message type is repair traffic: the recorder then has repair_messages and repair_bytes. */
  readonly countsRepair: boolean;
  /** Moves bytes over links; made on first use (latency only) when the scenario has no bandwidth section. */
  private carrierInUse: Carrier | undefined;
  private readonly carryMessages: boolean;

  constructor(private readonly o: NetworkOptions) {
    for (const [name, info] of Object.entries(o.messageTypes)) {
      this.typeIndex.set(name, this.typeBytes.length);
      this.typeBytes.push(info.bytes as number | ((msg: Message) => number));
      this.typeRepair.push(info.repair === true);
    }
    this.countsRepair = this.typeRepair.includes(true);
    this.carryMessages = o.bandwidth?.carryMessages ?? false;
    this.countLoad = o.countLoad ?? true;
    if (o.bandwidth) this.carrierInUse = this.makeCarrier(o.bandwidth.links, o.bandwidth.policy, o.bandwidth.meter, o.bandwidth.solveIntervalMs);
  }

  private makeCarrier(links: Links, policy: RatePolicy, meter: Meter, solveIntervalMs?: number): Carrier {
    const o = this.o;
    return new Carrier({
      sim: o.sim,
      links,
      policy,
      meter,
      propagation: (from, to) => this.transferDelay(from, to),
      isOnline: (peer) => o.population.isOnline(peer),
      ...(solveIntervalMs ? { solveIntervalMs } : {}),
    });
  }

  /** Where the latency model placed `peer` (ms coordinates and region), for results the viewer draws; undefined for non-spatial models. */
  placement(peer: PeerId): { x: number; y: number; region: string | undefined } | undefined {
    const at = this.o.latency.positionOf(peer);
    return at === undefined ? undefined : { x: at.x, y: at.y, region: this.o.latency.regionOf(peer) };
  }

  /** The carrier, made latency-only on first use when the scenario has no bandwidth section. */
  get carrier(): Carrier {
    this.carrierInUse ??= this.makeCarrier(new Links({}, this.o.rng, () => undefined), latencyOnly, new Meter(0));
    return this.carrierInUse;
  }

  /** True when the scenario has network.bandwidth (overlays then move data with `transfer`). */
  get hasBandwidth(): boolean {
    return this.o.bandwidth !== undefined;
  }

  /**
   * Sends `bytes` of data from `from` to `to` over their links; `delivery`
   * hears whether it arrived. Cut at once when an end is offline or the
   * two are on different sides of a partition. A transfer made for a traced
   * lookup (`traced`) goes into its trace like a message: its type when it
   * starts, then `<type>Arrived` or `<type>Cut` when it ends.
   */
  transfer(from: PeerId, to: PeerId, bytes: number, delivery: Delivery, traced?: TracedTransfer): void {
    const o = this.o;
    if (traced !== undefined && o.trace !== undefined) delivery = this.tracedDelivery(from, to, traced, delivery, o.trace);
    const g = this.conditions.group;
    if (!o.population.isOnline(from) || !o.population.isOnline(to) || (g !== undefined && g(from) !== g(to))) {
      this.carrier.aborted({ from, to, bytes, startMs: o.sim.now, payload: delivery }, 0);
      return;
    }
    this.carrier.send(from, to, bytes, delivery);
  }

  /**
   * Bytes an overlay moved from `from` at flow level, outside `transfer` (a swarm run in rounds):
   * charged to `from`'s uplink and counted as delivered in the bandwidth meter, so upload
   * utilisation and throughput cover them. No transfer is counted: a flow has no start and end.
   */
  meterFlow(from: PeerId, bytes: number): void {
    const meter = this.o.bandwidth?.meter;
    if (meter === undefined || bytes <= 0) return;
    meter.uploaded(from, bytes);
    meter.flowed(bytes, this.o.sim.now);
  }

  private tracedDelivery(from: PeerId, to: PeerId, traced: TracedTransfer, delivery: Delivery, trace: NonNullable<NetworkOptions["trace"]>): Delivery {
    const sim = this.o.sim;
    const { lookup, type } = traced;
    trace(sim.now, lookup, from, to, type);
    return {
      arrived: () => {
        trace(sim.now, lookup, from, to, `${type}Arrived`);
        delivery.arrived();
      },
      lost: (movedBytes) => {
        trace(sim.now, lookup, from, to, `${type}Cut`);
        delivery.lost(movedBytes);
      },
    };
  }

  /** `peer` came online: its uplink counts towards utilisation from now. */
  peerUp(peer: PeerId): void {
    this.o.bandwidth?.meter.peerUp(peer, this.o.sim.now);
  }

  /** `peer` left or crashed: every transfer to or from it is cut. */
  peerDown(peer: PeerId): void {
    this.carrierInUse?.flows.peerDown(peer);
    this.o.bandwidth?.meter.peerDown(peer, this.o.sim.now);
  }

  /** The partition changed (sim/churn/faults/): transfers between groups are cut. */
  partitionChanged(): void {
    const g = this.conditions.group;
    if (g !== undefined) this.carrierInUse?.flows.abortWhere((from, to) => g(from) !== g(to));
  }

  /** A degrade fault scales every link's capacity (1: as drawn); transfers in flight get new rates. */
  setCapacityFactor(factor: number): void {
    this.carrierInUse?.flows.setCapacityFactor(factor);
  }

  /** Messages delivered to `peer` so far. */
  receivedBy(peer: PeerId): number {
    if (!this.countLoad) throw new Error("network: messages per peer are not counted in this run (built with countLoad: false)");
    return peer < this.received.length ? this.received[peer]! : 0;
  }

  send(from: PeerId, to: PeerId, msg: Message): void {
    const o = this.o;
    const index = this.indexOf(msg.type);
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
    if (this.carryMessages) {
      this.carrierInUse!.send(from, to, bytes, new MessageDelivery(this, { from, to, msg }));
      return;
    }
    o.sim.scheduleWithoutHandle(this.transferDelay(from, to), this.arrive, this.takeFlight(from, to, msg));
  }

  /**
   * Counts messages an overlay carried itself inside a cycle (OverlayContext.carried):
   * counted and charged as `send` counts them, never delayed, lost or dropped.
   */
  carried(type: string, count: number, bytes: number, broadcast: number | undefined, undelivered: number): void {
    if (count === 0) return;
    const o = this.o;
    const index = this.indexOf(type);
    const recorder = o.recorder.at(o.sim.now);
    recorder.messageSent(index, bytes, count);
    if (this.typeRepair[index]) {
      recorder.count("repair_messages", count);
      recorder.count("repair_bytes", bytes);
    }
    if (broadcast !== undefined) o.broadcasts?.charge(broadcast, bytes, count);
    if (undelivered > 0) recorder.messageUndelivered(undelivered);
  }

  /** The index of message type `type`; throws for a type the overlay did not declare. */
  private indexOf(type: string): number {
    if (type === this.lastType) return this.lastIndex;
    const index = this.typeIndex.get(type);
    if (index === undefined) throw new Error(`network: message type "${type}" is not declared by the overlay`);
    this.lastType = type;
    this.lastIndex = index;
    return index;
  }

  /** A free in-flight slot holding (from, to, msg). */
  private takeFlight(from: PeerId, to: PeerId, msg: Message): number {
    let slot: number;
    if (this.freeFlightCount > 0) slot = this.freeFlights[--this.freeFlightCount]!;
    else {
      slot = this.flightsUsed++;
      if (slot >= this.freeFlights.length) {
        const grow = (a: Int32Array) => {
          const b = new Int32Array(2 * a.length);
          b.set(a);
          return b;
        };
        this.flightEnds = grow(this.flightEnds);
        this.freeFlights = grow(this.freeFlights);
      }
    }
    this.flightEnds[2 * slot] = from;
    this.flightEnds[2 * slot + 1] = to;
    this.flightMsg[slot] = msg;
    return slot;
  }

  /** Propagation latency from sending to arrival, with the fault timeline's degradation. */
  private transferDelay(from: PeerId, to: PeerId): number {
    const c = this.conditions;
    const delay = this.o.latency.delay(from, to, this.o.rng);
    return c.latencyFactor === 1 && c.extraLatencyMs === 0 ? delay : delay * c.latencyFactor + c.extraLatencyMs;
  }

  /** A message the carrier moved (messages: carried) was cut on its way. */
  messageCut(): void {
    this.o.recorder.at(this.o.sim.now).messageUndelivered();
  }

  /** @internal */
  onArrival(from: PeerId, to: PeerId, msg: Message): void {
    const o = this.o;
    if (!o.population.isOnline(to)) {
      o.recorder.at(o.sim.now).messageUndelivered();
      return;
    }
    if (this.countLoad) this.countArrival(to);
    o.deliver(to, from, msg);
  }

  private countArrival(to: PeerId): void {
    if (to >= this.received.length) {
      const bigger = new Uint32Array(Math.max(to + 1, this.received.length * 2));
      bigger.set(this.received);
      this.received = bigger;
    }
    this.received[to]!++;
  }
}

/** A carried message: arrives like any message, or counts as undelivered when cut. */
class MessageDelivery implements Delivery {
  constructor(
    private readonly network: Network,
    private readonly m: InFlight,
  ) {}
  arrived(): void {
    this.network.onArrival(this.m.from, this.m.to, this.m.msg);
  }
  lost(): void {
    this.network.messageCut();
  }
}
