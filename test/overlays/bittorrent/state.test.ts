import { describe, expect, it } from "vitest";
import { Connection, insertInOrder, PartialPiece, PeerState, removeFrom } from "../../../sim/overlays/bittorrent/state.js";

function connect(state: PeerState, peer: number): Connection {
  const c = new Connection(peer, 0, state.nextSeq++, state.chokeRound);
  state.attach(c);
  return c;
}

describe("bittorrent: per-peer state", () => {
  it("keeps who has which piece per connection slot, and the local availability with it", () => {
    const state = new PeerState(0, 10, "leecher");
    // 70 connections: the rows widen from one 32-bit word per piece to four.
    const conns = Array.from({ length: 70 }, (_, i) => connect(state, i + 1));
    expect(state.slotWords).toBe(4);
    for (const c of conns) {
      for (let p = c.peer % 3; p < 10; p += 3) {
        state.setHas(c, p);
        state.availability[p]!++;
      }
    }
    expect(state.has(conns[0]!, 1)).toBe(true);
    expect(state.has(conns[0]!, 2)).toBe(false);
    expect(state.has(conns[69]!, 4)).toBe(true); // peer 70, in the fourth word
    expect(state.has(conns[69]!, 5)).toBe(false);
    // Holders of piece 4 (peer % 3 === 1), in slot order, which is opening order here.
    const holders: number[] = [];
    state.forEachHolder(4, (c) => holders.push(c.peer));
    expect(holders).toEqual(conns.map((c) => c.peer).filter((peer) => peer % 3 === 1));
    const before = [...state.availability];
    state.detach(conns[3]!); // peer 4: pieces 1, 4, 7
    expect([...state.availability]).toEqual(before.map((a, p) => (p % 3 === 1 ? a - 1 : a)));
    // The freed slot goes to the next connection, which starts with no pieces.
    const next = connect(state, 99);
    expect(next.slot).toBe(3);
    for (let p = 0; p < 10; p++) expect(state.has(next, p)).toBe(false);
    state.detachAll();
    expect(state.availability.every((a) => a === 0)).toBe(true);
    expect(state.holders.every((w) => w === 0)).toBe(true);
  });

  it("keeps connection subsets in opening order", () => {
    const state = new PeerState(0, 4, "leecher");
    const [a, b, c, d] = [1, 2, 3, 4].map((peer) => connect(state, peer)) as [Connection, Connection, Connection, Connection];
    const list: Connection[] = [];
    for (const x of [c, a, d, b]) insertInOrder(list, x);
    expect(list.map((x) => x.peer)).toEqual([1, 2, 3, 4]);
    removeFrom(list, b);
    removeFrom(list, b);
    expect(list.map((x) => x.peer)).toEqual([1, 3, 4]);
  });

  it("rolls the received-bytes window one rechoke period at a time, lazily", () => {
    const c = new Connection(1, 0, 0, 5);
    c.receivedNow = 100;
    c.rollTo(6); // one period later: this period's bytes become the previous period's
    expect([c.receivedBefore, c.receivedNow]).toEqual([100, 0]);
    c.receivedNow = 40;
    c.rollTo(6);
    expect([c.receivedBefore, c.receivedNow]).toEqual([100, 40]);
    c.rollTo(8); // two periods later: nothing left in the window
    expect([c.receivedBefore, c.receivedNow]).toEqual([0, 0]);
  });

  it("flags started pieces beside the map, in start order", () => {
    const state = new PeerState(0, 8, "leecher");
    state.partial.set(5, new PartialPiece(5, 4));
    state.partial.set(2, new PartialPiece(2, 4));
    expect([...state.partial.values()].map((p) => p.piece)).toEqual([5, 2]);
    expect([state.partial.has(5), state.partial.has(2), state.partial.has(3)]).toEqual([true, true, false]);
    state.partial.delete(5);
    expect(state.partial.has(5)).toBe(false);
    expect(state.partial.size).toBe(1);
    state.partial.clear();
    expect([...state.partial.started]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });
});
