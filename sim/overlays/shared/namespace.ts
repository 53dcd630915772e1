import type { Message, OverlayContext } from "../../core/protocol.js";

/**
 * Two protocols on one peer: the context a composed protocol (the DHT) is
 * given puts a prefix in front of the type of every message it sends, and
 * the overlay hands it back the messages whose type carries the prefix,
 * prefix removed (`Namespace.strip`). Replies reach the composed protocol's
 * request callbacks under their inner names too. Everything else (time, timers, random
 * stream, counters, adversaries) is the overlay's own context.
 *
 * Renaming happens in place, through tables of both names: every message a
 * protocol sends is a fresh object that it keeps no reference to, and once
 * delivered nothing else reads it, so copying each message twice (once each
 * way) bought nothing but garbage. The tables hand out the very strings
 * that key the message-type tables, so the network's per-message lookup by
 * type hits the fast path (no string built per message).
 */
export class Namespace {
  /** Inner type → outer (prefixed) type. */
  private readonly outer: Record<string, string> = Object.create(null);
  /** Outer type → inner type; undefined for types outside the namespace. */
  private readonly inner: Record<string, string> = Object.create(null);

  constructor(
    readonly prefix: string,
    /** The composed protocol's message types. */
    innerTypes: object,
    /** Every message type of the composing overlay (the prefixed ones among them). */
    outerTypes: object,
  ) {
    const outerNames = new Map(Object.keys(outerTypes).map((name) => [name, name]));
    for (const name of Object.keys(innerTypes)) {
      const prefixed = outerNames.get(prefix + name);
      if (prefixed === undefined) throw new Error(`namespace ${prefix}: "${prefix}${name}" is not a message type of the overlay`);
      this.outer[name] = prefixed;
      this.inner[prefixed] = name;
    }
  }

  /** True if `type` belongs to the namespace. */
  owns(type: string): boolean {
    return this.inner[type] !== undefined;
  }

  /** `msg`, renamed to its outer type. */
  wrap<Outer extends Message>(msg: Message): Outer {
    (msg as { type: string }).type = this.outer[msg.type]!;
    return msg as Outer;
  }

  /** `msg` (of a type the namespace owns), renamed to its inner type. */
  strip<Inner extends Message>(msg: Message): Inner {
    (msg as { type: string }).type = this.inner[msg.type]!;
    return msg as unknown as Inner;
  }

  /**
   * The context the composed protocol sees: what it sends goes out under
   * the outer names. A reply goes straight to the callback waiting for it,
   * which reads it under its inner name: it is renamed back as soon as the
   * network has counted it (the network reads a message's type only when
   * it is sent, and a reply is not dispatched by type). So no callback is
   * wrapped per request.
   */
  context<Inner extends Message, Outer extends Message>(ctx: OverlayContext<Outer>): OverlayContext<Inner> {
    return Object.create(ctx, {
      send: { value: (from: number, to: number, msg: Inner) => ctx.send(from, to, this.wrap<Outer>(msg)) },
      request: {
        value: (from: number, to: number, msg: Inner, timeoutMs: number, onReply: (reply: Inner) => void, onTimeout: () => void) =>
          ctx.request(from, to, this.wrap<Outer>(msg), timeoutMs, onReply as unknown as (reply: Outer) => void, onTimeout),
      },
      reply: {
        value: (from: number, to: number, request: Inner, reply: Inner) => {
          ctx.reply(from, to, request as unknown as Outer, this.wrap<Outer>(reply));
          this.strip(reply);
        },
      },
    }) as OverlayContext<Inner>;
  }
}
