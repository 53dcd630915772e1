import type { Message, OverlayContext } from "../../core/protocol.js";

/**
 * Two protocols on one peer: the context a composed protocol (the DHT) is
 * given puts `prefix` in front of the type of every message it sends, and
 * the overlay hands it back the messages whose type starts with `prefix`,
 * prefix removed (`strip`). Replies reach the composed protocol's request
 * callbacks stripped too. Everything else (time, timers, random stream,
 * counters, adversaries) is the overlay's own context.
 */
export function namespacedContext<Inner extends Message, Outer extends Message>(
  ctx: OverlayContext<Outer>,
  prefix: string,
  /** Called when `to` has answered a request of `from` (the two have talked: libp2p keeps the connection open). */
  answered: (from: number, to: number) => void = () => {},
): OverlayContext<Inner> {
  const wrap = (msg: Inner) => ({ ...msg, type: prefix + msg.type }) as unknown as Outer;
  return Object.create(ctx, {
    send: { value: (from: number, to: number, msg: Inner) => ctx.send(from, to, wrap(msg)) },
    request: {
      value: (from: number, to: number, msg: Inner, timeoutMs: number, onReply: (reply: Inner) => void, onTimeout: () => void) =>
        ctx.request(
          from,
          to,
          wrap(msg),
          timeoutMs,
          (reply) => {
            answered(from, to);
            onReply(strip<Inner>(reply, prefix));
          },
          onTimeout,
        ),
    },
    reply: { value: (from: number, to: number, request: Inner, reply: Inner) => ctx.reply(from, to, request as unknown as Outer, wrap(reply)) },
  }) as OverlayContext<Inner>;
}

/** `msg` with `prefix` taken off its type (a copy: the network may still hold the original). */
export function strip<Inner extends Message>(msg: Message, prefix: string): Inner {
  return { ...msg, type: msg.type.slice(prefix.length) } as unknown as Inner;
}
