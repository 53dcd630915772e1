import type { PeerId } from "./peer.js";
import type { Message } from "./protocol.js";

/**
 * Typed message-handler maps: an overlay says, per message type, which
 * function takes it, and `dispatcher` turns the map into the overlay's
 * `deliver`. The map's type has one key per member of the message union, so
 * a message type added to an overlay without a handler (or a handler left
 * for a type that was removed) is a compile error, not a run that throws
 * halfway through.
 *
 * A component of an overlay (its routing, its maintenance, its storage)
 * contributes the handlers of the types it owns, `Handlers<M, "a" | "b">`;
 * the overlay spreads the parts into one `Handlers<M>`. Types that only ever
 * travel as answers to requests (the context hands those to the request's
 * callback, never to `deliver`) are listed with `answersOnly`, so the map
 * still names every type and says where each one goes.
 */

/** Takes messages of type `T` of the union `M`, narrowed to that member. */
export type Handler<M extends Message, T extends M["type"]> = (to: PeerId, from: PeerId, msg: Extract<M, { type: T }>) => void;

/** A handler for each type in `T` (by default every type of `M`). */
export type Handlers<M extends Message, T extends M["type"] = M["type"]> = { readonly [K in T]: Handler<M, K> };

/** The same handler for several types: a component whose own switch tells them apart. */
export function handlersFor<M extends Message, const T extends readonly M["type"][]>(
  types: T,
  handler: (to: PeerId, from: PeerId, msg: Extract<M, { type: T[number] }>) => void,
): Handlers<M, T[number]> {
  const map: Record<string, unknown> = {};
  for (const type of types) map[type] = handler;
  return map as Handlers<M, T[number]>;
}

/** Handlers for types that must never reach `deliver`; each throws, naming the overlay, the type and `why`. */
export function refused<const T extends readonly string[]>(overlay: string, types: T, why: string): { readonly [K in T[number]]: (to: PeerId, from: PeerId, msg: Message) => void } {
  const map: Record<string, (to: PeerId, from: PeerId, msg: Message) => void> = {};
  for (const type of types) {
    map[type] = (_to, _from, msg) => {
      throw new Error(`${overlay}: a "${msg.type}" message arrived, but ${why}`);
    };
  }
  return map as { readonly [K in T[number]]: (to: PeerId, from: PeerId, msg: Message) => void };
}

/**
 * Types that are only ever answers: the context routes a reply to the
 * request waiting for it (or drops it when that request is over), so one
 * reaching `deliver` means the overlay sent an answer with `send` instead of
 * `reply`, a bug worth stopping at.
 */
export function answersOnly<const T extends readonly string[]>(overlay: string, types: T) {
  return refused(overlay, types, "it is an answer and came without its request (sent with send, not reply?)");
}

/**
 * The overlay's `deliver` from its handler map: one table lookup per
 * message. A type the map lacks (possible only from plain JavaScript, such as
 * a plug-in) stops the run with the overlay and the type named.
 */
export function dispatcher<M extends Message>(overlay: string, handlers: Handlers<M>): (to: PeerId, from: PeerId, msg: M) => void {
  // A Map: one hashed lookup per message, and only the map's own keys can answer (an object would
  // also need an own-property check to keep Object.prototype's names out). Measured on the flooding
  // and Chord benches, faster than the object and its check.
  const table = new Map<string, (to: PeerId, from: PeerId, msg: M) => void>(Object.entries(handlers) as [string, (to: PeerId, from: PeerId, msg: M) => void][]);
  return (to, from, msg) => {
    const handler = table.get(msg.type);
    if (handler === undefined) throw new Error(`${overlay}: no handler for message type "${msg.type}"`);
    handler(to, from, msg);
  };
}

/**
 * The `default:` of a component's switch over the types it owns: `msg` is
 * `never` there only when every type has its case, so a missing case does
 * not compile.
 */
export function unhandled(msg: never): never {
  throw new Error(`no case for message type "${(msg as Message).type}"`);
}
