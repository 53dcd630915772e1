import type { Rng } from "../engine/rng.js";
import type { Simulator } from "../engine/simulator.js";
import type { Recorder } from "../metrics/recorder.js";
import type { Network } from "../network/network.js";
import type { HostCache } from "../peers/bootstrap.js";
import type { PeerId, Population } from "../peers/population.js";
import { Adversaries } from "../peers/adversaries.js";
import type { Message, OverlayContext, TimerHandle } from "../core/protocol.js";

/**
 * Builds the context an overlay sees, and routes replies to the requests
 * that are waiting for them. Timers and pending requests belong to one
 * session of one peer: once that peer leaves or crashes they never fire,
 * so an overlay never hears about a past life of a peer.
 */

/**
 * A request in flight. The request message carries this object itself as its
 * token and the reply carries it back, so matching a reply costs nothing.
 */
interface PendingRequest {
  requester: PeerId;
  session: number;
  onReply: (reply: Message) => void;
  onTimeout: () => void;
  timer: number;
  /** Answered or timed out: later replies are dropped. */
  done: boolean;
}

interface PeerTimer {
  peer: PeerId;
  session: number;
  fn: () => void;
}

export interface ContextParts {
  sim: Simulator;
  rng: Rng;
  network: Network;
  population: Population;
  hostCache: HostCache;
  recorder: Recorder;
  lookupSucceeded: (lookup: number, hops: number) => void;
  lookupFailed: (lookup: number) => void;
  /** Where `ctx.reached` goes: the broadcast workload, in runs that broadcast. */
  broadcastReached?: (broadcast: number, peer: PeerId) => void;
  /** Message types of category "lookup": what a dropping malicious peer swallows. */
  lookupTypes: ReadonlySet<string>;
}

export class OverlayRuntime<M extends Message> {
  readonly context: OverlayContext<M>;
  /** Honest until `setAdversaries` (the malicious peers are drawn from the churn pool, which exists only later). */
  private adversaries: Adversaries | undefined;
  private readonly fireTimer = (t: PeerTimer) => {
    if (this.parts.population.isOnline(t.peer) && this.parts.population.session(t.peer) === t.session) t.fn();
  };
  private readonly expireRequest = (request: PendingRequest) => {
    if (request.done) return;
    request.done = true;
    if (this.stillThere(request)) request.onTimeout();
  };

  constructor(private readonly parts: ContextParts) {
    const { sim, rng, network, population, hostCache, recorder } = parts;
    this.context = {
      now: () => sim.now,
      rng,
      send: (from, to, msg) => network.send(from, to, msg),
      request: (from, to, msg, timeoutMs, onReply, onTimeout) => {
        const request: PendingRequest = {
          requester: from,
          session: population.session(from),
          onReply: onReply as (reply: Message) => void,
          onTimeout,
          timer: 0,
          done: false,
        };
        request.timer = sim.schedule(timeoutMs, this.expireRequest, request);
        // The message is the request's own (see OverlayContext.request): stamp it rather than copy it.
        (msg as { rpc?: unknown }).rpc = request;
        network.send(from, to, msg);
      },
      reply: (from, to, request, reply) => {
        if (request.rpc === undefined) throw new Error(`reply to a "${request.type}" that was not sent as a request`);
        (reply as { replyTo?: unknown }).replyTo = request.rpc;
        network.send(from, to, reply);
      },
      setTimer: (peer, delayMs, fn): TimerHandle =>
        sim.schedule(delayMs, this.fireTimer, { peer, session: population.session(peer), fn }),
      cancelTimer: (handle) => {
        sim.cancel(handle);
      },
      bootstrapContacts: (peer) => hostCache.contactsFor(peer),
      lookupSucceeded: parts.lookupSucceeded,
      lookupFailed: parts.lookupFailed,
      reached: (broadcast, peer) => {
        if (!parts.broadcastReached) throw new Error("an overlay reported a broadcast in a run that makes none");
        parts.broadcastReached(broadcast, peer);
      },
      count: (name, amount = 1) => recorder.at(sim.now).count(name, amount),
      livePeers: () => population.livePeers(),
      adversary: new Adversaries(undefined, [], rng, this.adversaryHooks()),
    };
  }

  /** What the adversary model reports to: counters and the lookup workload. */
  adversaryHooks() {
    const { sim, recorder } = this.parts;
    return {
      count: (name: string) => recorder.at(sim.now).count(name, 1),
      lookupSucceeded: this.parts.lookupSucceeded,
      lookupFailed: this.parts.lookupFailed,
    };
  }

  /** Installs the run's malicious peers; call before the overlay is created. */
  setAdversaries(adversaries: Adversaries): void {
    this.adversaries = adversaries.active ? adversaries : undefined;
    (this.context as { adversary: OverlayContext<M>["adversary"] }).adversary = adversaries;
  }

  /**
   * Routes an arriving message: a reply goes to the request waiting for it
   * (or nowhere, if that request timed out or its peer has gone); anything
   * else goes to the overlay.
   */
  dispatch(to: PeerId, from: PeerId, msg: Message, deliver: (to: PeerId, from: PeerId, msg: M) => void): void {
    if (msg.replyTo === undefined) {
      const adversaries = this.adversaries;
      if (adversaries !== undefined && adversaries.drops(to) && this.parts.lookupTypes.has(msg.type)) {
        adversaries.dropped();
        return;
      }
      deliver(to, from, msg as M);
      return;
    }
    const request = msg.replyTo as unknown as PendingRequest;
    if (request.done || request.requester !== to || !this.stillThere(request)) return;
    request.done = true;
    this.parts.sim.cancel(request.timer);
    request.onReply(msg);
  }

  private stillThere(request: PendingRequest): boolean {
    const population = this.parts.population;
    return population.isOnline(request.requester) && population.session(request.requester) === request.session;
  }
}

