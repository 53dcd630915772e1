import { describe, expect, it } from "vitest";
import { STRINGS } from "../../viz/src/i18n.js";
import { LESSONS } from "../../sim/cli/lessons.js";
import { linkKindName, overlayName } from "../../viz/src/columns.js";
import { setLang } from "../../viz/src/i18n.js";

/**
 * Korean particles that change with the word before them (이/가, 을/를, 은/는,
 * 와/과, (으)로) cannot follow a number filled in at run time: "피어 561가" and
 * "키 8340를" are wrong, and which is right depends on how the number is read.
 * The Korean strings phrase around them (에서, 의 and 에 do not change).
 */
const VARIABLE_PARTICLE = /\}(이|가|을|를|은|는|와|과|으로|로|이나|나|랑|이랑)(?![가-힣])|\}(이|가|을|를|은|는|와|과|으로|로)\s/;

describe("the viewer's Korean strings", () => {
  it("never put a particle that depends on the word after a placeholder", () => {
    const bad = Object.entries(STRINGS.ko).filter(([, text]) => VARIABLE_PARTICLE.test(text));
    expect(bad).toEqual([]);
  });

  it("translate every string (no English sentence left in the Korean table)", () => {
    const same = Object.entries(STRINGS.ko).filter(([key, text]) => text === STRINGS.en[key as keyof typeof STRINGS.en] && /[a-z]{4,} [a-z]{3,}/.test(text));
    expect(same).toEqual([]);
  });

  it("catch the mistakes the issue reported", () => {
    expect(VARIABLE_PARTICLE.test("피어 {origin}가 키 {key}를 찾기")).toBe(true);
    expect(VARIABLE_PARTICLE.test("피어 {origin}에서 키 {key} 찾기")).toBe(false);
  });

  it("lessons' Korean text has no particle right after a digit that depends on its reading", () => {
    for (const l of LESSONS) {
      for (const text of [l.lookFor.ko, l.question.ko, l.title.ko]) expect(text, l.name).not.toMatch(/\d(가|를|는|와|로)(?![가-힣])/);
    }
  });

  it("name every link kind and overlay the shipped overlays draw, in Korean too", () => {
    // The kinds each overlay's snapshot gives its links (sim/overlays/*/index.ts, `linkKinds`).
    const kinds = ["successor", "successor-list", "predecessor", "finger", "bucket", "neighbour", "index", "super-peer", "leaf", "connection", "unchoked", "view"];
    const overlays = ["unstructured", "hybrid", "chord", "kademlia", "bittorrent", "gossip", "blockchain", "ipfs"];
    const saved = globalThis.document;
    // setLang sets <html lang>; a stand-in document is enough for these pure lookups.
    (globalThis as { document?: unknown }).document = { documentElement: {} };
    try {
      setLang("ko");
      const hangul = /[\uac00-\ud7af]/;
      expect(kinds.filter((k) => !hangul.test(linkKindName(k)))).toEqual([]);
      expect(overlays.filter((o) => !hangul.test(overlayName(o)) && !/^[A-Z]/.test(overlayName(o)))).toEqual([]);
      setLang("en");
      expect(linkKindName("unchoked")).toBe("unchoked connection");
      expect(overlayName("ipfs")).toBe("IPFS");
    } finally {
      (globalThis as { document?: unknown }).document = saved;
    }
  });
});
