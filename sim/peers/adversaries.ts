import type { Rng } from "../engine/rng.js";
import { contentHash } from "../core/content-hash.js";
import type { AdversaryView } from "../core/protocol.js";
import type { AdversariesSpec } from "./adversaries-schema.js";
import type { PeerId } from "./population.js";

/**
 * Malicious peers (scenario `adversaries:`, docs/faults.md). A fixed fraction
 * of the churn pool, drawn once from the "adversaries" random stream, so the
 * same seed gives the same attackers under every overlay. Peers created
 * later (a flash crowd) and service peers are honest.
 *
 * This model says who misbehaves and how (drops, misroutes, tampers, ...)
 * and counts what they do. Whether an answer a requester got is a success,
 * a tampered value caught or accepted, or ended at a malicious peer is the
 * runtime's to decide (ctx.answer, sim/overlays/answers.ts).
 */

/**
 * Counters a run with adversaries adds to the time series, in column order:
 * the model counts the first two, the runtime's answer service the rest.
 */
export const ADVERSARY_COUNTERS = [
  "adversary_dropped",
  "adversary_misroutes",
  "tampered_received",
  "tampered_detected",
  "tampered_accepted",
  "lookups_ended_malicious",
] as const;

/** What a tampering peer hands out for `key`: anything but its content hash (sim/core/content-hash.ts). */
export function corrupted(key: number): number {
  return (contentHash(key) ^ 0x5bd1e995) >>> 0;
}

const DROP = 1;
const MISROUTE = 2;
const TAMPER = 4;
const SELFISH = 8;
const ECLIPSE = 16;
const BITS: Record<string, number> = { drop: DROP, misroute: MISROUTE, tamper: TAMPER, selfish: SELFISH, eclipse: ECLIPSE };

/** Where the model counts what malicious peers do (adversary_misroutes, adversary_dropped). */
export interface AdversaryHooks {
  count(name: string): void;
}

export class Adversaries implements AdversaryView {
  readonly active: boolean;
  readonly verify: boolean;
  readonly accomplices: readonly PeerId[];
  /** Behaviour bits of each pool peer (0: honest). */
  private readonly flags: Uint8Array;
  private readonly bits: number;

  constructor(spec: AdversariesSpec | undefined, pool: readonly PeerId[], rng: Rng, private readonly hooks: AdversaryHooks) {
    const count = spec ? Math.round(spec.fraction * pool.length) : 0;
    this.active = count > 0;
    this.verify = spec?.verify ?? false;
    this.bits = spec ? spec.behaviours.reduce((b, name) => b | BITS[name]!, 0) : 0;
    let max = 0;
    for (const p of pool) max = Math.max(max, p + 1);
    this.flags = new Uint8Array(max);
    const chosen = count > 0 ? rng.sample(pool, count).sort((a, b) => a - b) : [];
    for (const p of chosen) this.flags[p] = this.bits;
    this.accomplices = chosen;
  }

  isMalicious(peer: PeerId): boolean {
    return peer < this.flags.length && this.flags[peer] !== 0;
  }

  /** Drops lookup traffic (the context asks before delivering a lookup-category message). */
  drops(peer: PeerId): boolean {
    return peer < this.flags.length && (this.flags[peer]! & DROP) !== 0;
  }

  misroutes(peer: PeerId): boolean {
    return peer < this.flags.length && (this.flags[peer]! & MISROUTE) !== 0;
  }

  tampers(peer: PeerId): boolean {
    return peer < this.flags.length && (this.flags[peer]! & TAMPER) !== 0;
  }

  minesSelfishly(peer: PeerId): boolean {
    return peer < this.flags.length && (this.flags[peer]! & SELFISH) !== 0;
  }

  eclipses(peer: PeerId): boolean {
    return peer < this.flags.length && (this.flags[peer]! & ECLIPSE) !== 0;
  }

  misrouted(): void {
    this.hooks.count("adversary_misroutes");
  }

  dropped(): void {
    this.hooks.count("adversary_dropped");
  }
}
