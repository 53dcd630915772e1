import type { TimerHandle } from "../../core/protocol.js";

/**
 * The deadlines of a lookup engine's RPCs, with one timer for all of them.
 *
 * Almost every RPC is answered, so a timer per RPC would be set only to be
 * cancelled (a third of a large IPFS run's queued events were such timers).
 * Every RPC of an engine has the same timeout, so deadlines come in the
 * order the RPCs went out: a first-in, first-out queue holds them, and one
 * timer waits for the oldest. An answered RPC stays queued until it reaches
 * the front, where it is skipped. When the timer fires, every RPC at or past
 * its deadline that is still waiting times out, in the order they were sent
 * (the order their own timers would have run in), and the timer is set for
 * the oldest RPC still waiting.
 *
 * The timer belongs to no peer: the queue holds the RPCs of every origin,
 * so the timeouts of different lookups keep the order of their sends. One
 * order is not kept exactly: a timer set again when the last one fired
 * comes after the other events set earlier for the same instant, where the
 * RPC's own timer, set when it was sent, would have come before some of
 * them. Only events at the very same instant can tell.
 */
export class RpcDeadlines<T> {
  /** Ring buffer of queued RPCs, oldest at `head`: whose it is, which one, and when it times out. */
  private owners: (T | undefined)[] = new Array(1024);
  private rpcs = new Int32Array(1024);
  private deadlines = new Float64Array(1024);
  private head = 0;
  private size = 0;
  private timer: TimerHandle = -1;
  /** True while the timer's run times RPCs out (the RPCs they send wait for its end to be timed). */
  private firing = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly clock: {
      now(): number;
      /** Runs `fn` after `delayMs`, whatever peers come and go. */
      after(delayMs: number, fn: () => void): TimerHandle;
    },
    /** True if RPC `rpc` of `owner` is still waiting for its answer (false: answered, or no longer of interest). */
    private readonly waiting: (owner: T, rpc: number) => boolean,
    /** RPC `rpc` of `owner` has reached its deadline unanswered. */
    private readonly expired: (owner: T, rpc: number) => void,
  ) {}

  private readonly fire = () => this.run();

  /**
   * Queues RPC `rpc` of `owner`, about to be sent now; returns its deadline.
   * Call it before the request goes out: a timer set here is where the
   * RPC's own timer would have been, so it runs in the same order.
   */
  add(owner: T, rpc: number): number {
    const deadline = this.clock.now() + this.timeoutMs;
    if (this.size === this.rpcs.length) this.grow();
    const at = (this.head + this.size) & (this.rpcs.length - 1);
    this.owners[at] = owner;
    this.rpcs[at] = rpc;
    this.deadlines[at] = deadline;
    this.size++;
    if (this.timer < 0 && !this.firing) this.timer = this.clock.after(this.timeoutMs, this.fire);
    return deadline;
  }

  private run(): void {
    this.timer = -1;
    this.firing = true;
    const now = this.clock.now();
    const mask = this.rpcs.length - 1;
    while (this.size > 0) {
      const at = this.head;
      const owner = this.owners[at]!;
      const rpc = this.rpcs[at]!;
      if (this.waiting(owner, rpc)) {
        if (this.deadlines[at]! > now) break;
        this.expired(owner, rpc);
      }
      this.owners[at] = undefined;
      this.head = (at + 1) & mask;
      this.size--;
    }
    this.firing = false;
    this.skipAnswered();
    if (this.size === 0) return;
    // The oldest waiting RPC was sent after the one whose deadline is now, so its deadline is less than one
    // timeout ahead, and now is at least one timeout: deadline − now is exact, and the timer fires at the deadline itself.
    this.timer = this.clock.after(this.deadlines[this.head]! - now, this.fire);
  }

  /** Drops answered RPCs from the front, so the timer waits for one that may time out. */
  private skipAnswered(): void {
    const mask = this.rpcs.length - 1;
    while (this.size > 0 && !this.waiting(this.owners[this.head]!, this.rpcs[this.head]!)) {
      this.owners[this.head] = undefined;
      this.head = (this.head + 1) & mask;
      this.size--;
    }
  }

  private grow(): void {
    const n = this.rpcs.length;
    const owners: (T | undefined)[] = new Array(2 * n);
    const rpcs = new Int32Array(2 * n);
    const deadlines = new Float64Array(2 * n);
    for (let i = 0; i < this.size; i++) {
      const from = (this.head + i) & (n - 1);
      owners[i] = this.owners[from];
      rpcs[i] = this.rpcs[from]!;
      deadlines[i] = this.deadlines[from]!;
    }
    this.owners = owners;
    this.rpcs = rpcs;
    this.deadlines = deadlines;
    this.head = 0;
  }
}
