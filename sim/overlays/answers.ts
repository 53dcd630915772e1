import { contentHash } from "../core/content-hash.js";
import type { AnswerVerdict } from "../core/protocol.js";
import type { PeerId } from "../peers/population.js";
import { corrupted, type Adversaries } from "../peers/adversaries.js";

/**
 * The runtime's answer service (ctx.valueFrom, ctx.answer, and the peer a
 * lookup ended at in ctx.lookupSucceeded and ctx.lookupFailed). Overlays say
 * what reached a requester; this decides what it means, so every overlay
 * judges answers the same way:
 *
 * - a value equal to the key's content hash is a verified success;
 * - any other value is tampered (tampered_received): caught when honest
 *   peers verify (`adversaries.verify`: tampered_detected, the requester
 *   looks elsewhere), otherwise accepted (tampered_accepted) and the lookup
 *   fails, since the user got the wrong content;
 * - a lookup whose answer came from a malicious peer, whatever the outcome,
 *   counts in lookups_ended_malicious.
 *
 * The adversary model is asked only who is malicious and who tampers, and
 * only in runs that have adversaries: an honest run never reaches it.
 */

/** Where the service reports: the lookup workload and the recorder's counters. */
export interface AnswerReports {
  succeeded(lookup: number, hops: number): void;
  failed(lookup: number): void;
  count(name: string): void;
}

export class Answers {
  /** The run's malicious peers; undefined in honest runs. */
  private adversaries: Adversaries | undefined;
  /** Honest peers check values against their content hash (`adversaries.verify`). */
  private verify = false;

  constructor(private readonly reports: AnswerReports) {}

  /** Installs the run's malicious peers (only when there are any). */
  setAdversaries(adversaries: Adversaries | undefined): void {
    this.adversaries = adversaries;
    this.verify = adversaries?.verify ?? false;
  }

  /** The value `holder` hands out for `key`: its content hash, or a corrupted one if `holder` tampers. */
  valueFrom(holder: PeerId, key: number): number {
    const adversaries = this.adversaries;
    return adversaries !== undefined && adversaries.tampers(holder) ? corrupted(key) : contentHash(key);
  }

  /** See OverlayContext.answer. */
  answer(lookup: number, key: number, holder: PeerId, value: number, hops: number): AnswerVerdict {
    if (value === contentHash(key)) {
      this.reports.succeeded(lookup, hops);
      this.endedAt(holder);
      return "verified";
    }
    this.reports.count("tampered_received");
    if (this.verify) {
      this.reports.count("tampered_detected");
      return "rejected";
    }
    this.reports.count("tampered_accepted");
    this.reports.failed(lookup);
    this.endedAt(holder);
    return "accepted";
  }

  /** See OverlayContext.lookupSucceeded. */
  succeeded(lookup: number, hops: number, endedAt: PeerId = -1): void {
    this.reports.succeeded(lookup, hops);
    this.endedAt(endedAt);
  }

  /** See OverlayContext.lookupFailed. */
  failed(lookup: number, endedAt: PeerId = -1): void {
    this.reports.failed(lookup);
    this.endedAt(endedAt);
  }

  private endedAt(peer: PeerId): void {
    const adversaries = this.adversaries;
    if (adversaries !== undefined && peer >= 0 && adversaries.isMalicious(peer)) this.reports.count("lookups_ended_malicious");
  }
}
