import { describe, expect, it } from "vitest";
import { answersOnly, dispatcher, handlersFor, refused, type Handlers } from "../../sim/core/handlers.js";

type Ping = { type: "ping"; n: number } | { type: "pong"; n: number } | { type: "bye" };

describe("typed handler maps", () => {
  it("deliver one message to the handler of its type, narrowed to that type", () => {
    const log: string[] = [];
    const handlers: Handlers<Ping> = {
      ping: (to, from, msg) => log.push(`ping ${msg.n} ${from}→${to}`),
      bye: (to, from) => log.push(`bye ${from}→${to}`),
      ...answersOnly("toy", ["pong"]),
    };
    const deliver = dispatcher<Ping>("toy", handlers);
    deliver(2, 1, { type: "ping", n: 7 });
    deliver(1, 2, { type: "bye" });
    expect(log).toEqual(["ping 7 1→2", "bye 2→1"]);
  });

  it("give several types one handler with handlersFor", () => {
    const seen: string[] = [];
    const part = handlersFor<Ping, ["ping", "pong"]>(["ping", "pong"], (_to, _from, msg) => seen.push(`${msg.type}:${msg.n}`));
    const deliver = dispatcher<Ping>("toy", { ...part, bye: () => seen.push("bye") });
    deliver(0, 1, { type: "pong", n: 3 });
    deliver(0, 1, { type: "ping", n: 4 });
    deliver(0, 1, { type: "bye" });
    expect(seen).toEqual(["pong:3", "ping:4", "bye"]);
  });

  it("stop the run, naming the overlay and the type, for an answer sent without its request, a refused type or a type with no handler", () => {
    const deliver = dispatcher<Ping>("toy", {
      ...answersOnly("toy", ["pong"]),
      ...refused("toy", ["bye"], "goodbyes are off"),
      ping: () => {},
    });
    expect(() => deliver(0, 1, { type: "pong", n: 1 })).toThrow('toy: a "pong" message arrived, but it is an answer and came without its request');
    expect(() => deliver(0, 1, { type: "bye" })).toThrow('toy: a "bye" message arrived, but goodbyes are off');
    // Only plain JavaScript (a plug-in) can reach these: the compiler rejects a map without every type.
    const untyped = deliver as (to: number, from: number, msg: { type: string }) => void;
    expect(() => untyped(0, 1, { type: "hello" })).toThrow('toy: no handler for message type "hello"');
    expect(() => untyped(0, 1, { type: "toString" })).toThrow('toy: no handler for message type "toString"');
  });
});
