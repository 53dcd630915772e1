import type { PeerId } from "../../peers/population.js";
import type { OverlayContext, TimerHandle } from "../../core/protocol.js";
import type { ProviderDhtMessage } from "./provider-dht.js";

/** The `onTimeout` of requests that keep no timer of their own (the round's timer times them out). */
const NO_TIMEOUT = () => {};

/**
 * One ADD_PROVIDER round: after its walk, a provider sends the record to
 * each of the k closest servers at once. The puts all go out together, so
 * they share one deadline and one timer (set where the first put's own
 * timer would be); a reply at or after the deadline comes too late, as it
 * would after a timer of its own. When every put is answered the timer is
 * cancelled; when it fires, the puts still out count as failed. `done`
 * hears once how long the round took and how many servers kept the record.
 *
 * One object per round, one callback per put: what the round used to keep
 * in a closure per round, another per answer and a flag array is here.
 */
export class ProviderPuts {
  private waiting: number;
  private stored = 0;
  private readonly deadline: number;
  private readonly timer: TimerHandle;
  private readonly startMs: number;

  constructor(
    private readonly ctx: OverlayContext<ProviderDhtMessage>,
    private readonly provider: PeerId,
    servers: readonly PeerId[],
    msg: { key: number; expiresMs: number },
    timeoutMs: number,
    /** Told when a server has answered a put (the two have talked). */
    private readonly answered: (from: PeerId, to: PeerId) => void,
    private readonly done: (putMs: number, stored: number) => void,
  ) {
    this.waiting = servers.length;
    this.startMs = ctx.now();
    this.deadline = this.startMs + timeoutMs;
    this.timer = ctx.setTimer(provider, timeoutMs, () => this.expire());
    for (const server of servers) {
      const put = { type: "addProvider", key: msg.key, provider, expiresMs: msg.expiresMs, rpc: undefined } as ProviderDhtMessage;
      ctx.request(provider, server, put, Infinity, () => this.answer(server), NO_TIMEOUT);
    }
  }

  private answer(server: PeerId): void {
    if (this.ctx.now() >= this.deadline) return;
    this.answered(this.provider, server);
    this.stored++;
    if (--this.waiting === 0) {
      this.ctx.cancelTimer(this.timer);
      this.finish();
    }
  }

  /** The deadline: every put still out has failed. */
  private expire(): void {
    if (this.waiting === 0) return;
    this.waiting = 0;
    this.finish();
  }

  private finish(): void {
    this.done(this.ctx.now() - this.startMs, this.stored);
  }
}
