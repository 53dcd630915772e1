import type { PeerId } from "../../peers/population.js";

/** What a node knows of one block. */
export const UNKNOWN = 0;
/** Asked a neighbour for it (getdata / getblocktxn) and waiting. */
export const REQUESTED = 1;
/** Has its bytes and is verifying it. */
export const VERIFYING = 2;
/** Verified, but its parent is missing: waits for it. */
export const ORPHAN = 3;
/** Verified and connected to the node's tree. */
export const CONNECTED = 4;

/**
 * Each node's view of the block tree: a state per (block, node), one byte
 * array per block (blocks × nodes bytes: 6 MB for 1,000 blocks on 6,000
 * nodes), each node's tip, and when its CPU is free to verify the next block.
 * Connected blocks stay across sessions (they are on disk); requests and
 * verifications in progress die with the session.
 */
export class Knowledge {
  private readonly states: Uint8Array[] = [];
  tip: Int32Array;
  busyUntil: Float64Array;
  /**
   * How many blocks each node has requested or is verifying in this session
   * (`set` counts a block in when it enters either state and out when it
   * leaves them), so that going offline resets exactly those: a scan from
   * the newest block down, which stops once it found them all, and they are
   * nearly always the newest. A count in one typed array, rather than a list
   * per node, costs `set` no object to reach.
   */
  private pendingCount: Int32Array;

  /** Told every state change (results record when nodes heard of and verified sample blocks); unset: nobody listens. */
  onChange: ((block: number, node: PeerId, state: number) => void) | undefined;

  constructor(private capacity: number) {
    this.tip = new Int32Array(capacity);
    this.busyUntil = new Float64Array(capacity);
    this.pendingCount = new Int32Array(capacity);
  }

  private ensure(node: PeerId): void {
    if (node < this.capacity) return;
    let cap = this.capacity;
    while (cap <= node) cap *= 2;
    const tip = new Int32Array(cap);
    tip.set(this.tip);
    this.tip = tip;
    const busy = new Float64Array(cap);
    busy.set(this.busyUntil);
    this.busyUntil = busy;
    const pending = new Int32Array(cap);
    pending.set(this.pendingCount);
    this.pendingCount = pending;
    for (let b = 0; b < this.states.length; b++) {
      const s = new Uint8Array(cap);
      s.set(this.states[b]!);
      if (b === 0) s.fill(CONNECTED, this.capacity);
      this.states[b] = s;
    }
    this.capacity = cap;
  }

  /** A new block exists (ids are dense, in order); the genesis block is connected everywhere. */
  addBlock(block: number): void {
    const s = new Uint8Array(this.capacity);
    if (block === 0) s.fill(CONNECTED);
    this.states[block] = s;
  }

  state(block: number, node: PeerId): number {
    return node < this.capacity ? this.states[block]![node]! : block === 0 ? CONNECTED : UNKNOWN;
  }

  set(block: number, node: PeerId, state: number): void {
    this.ensure(node);
    const states = this.states[block]!;
    const was = states[node]!;
    states[node] = state;
    if (this.onChange !== undefined) this.onChange(block, node, state);
    const pendingNow = state === REQUESTED || state === VERIFYING;
    const pendingBefore = was === REQUESTED || was === VERIFYING;
    if (pendingNow !== pendingBefore) this.pendingCount[node]! += pendingNow ? 1 : -1;
  }

  /** The node went offline: what it was fetching or verifying is forgotten. */
  forgetPending(node: PeerId): void {
    if (node >= this.capacity) return;
    let left = this.pendingCount[node]!;
    for (let block = this.states.length - 1; left > 0 && block >= 0; block--) {
      const s = this.states[block]!;
      if (s[node] !== REQUESTED && s[node] !== VERIFYING) continue;
      s[node] = UNKNOWN;
      left--;
    }
    this.pendingCount[node] = 0;
    this.busyUntil[node] = 0;
  }
}
