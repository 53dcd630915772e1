import { PEERLAB_BIN } from "../helpers/cli.js";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { findLesson } from "../../sim/cli/lessons.js";
import { startViewServer, type ViewServer } from "../../sim/cli/serve.js";
import { resolveRoots } from "../../sim/cli/serve-index.js";
import { expectKnown, fingerprintOfFolder } from "../scenarios/fingerprints.js";
import { screenshotFolder } from "../helpers/browser.js";
import { CHROMIUM_ARGS, chromiumPath, DIST_VIZ } from "./fixtures.js";

/**
 * Every lesson as a teacher projects it: run by `peerlab lesson`, opened in
 * Chromium at 1280×720 in English and Korean. Checks what the back of the
 * room needs: no chart text under 14 px, no label clipped by its chart or
 * printed over another, Korean glyphs drawn (not tofu boxes), the lesson's
 * chart first, and the replays drawing. Screenshots of each lesson's chart
 * and replay go to PEERLAB_SCREENSHOTS/lessons/ when that is set, or to
 * docs/img/lessons/ with PEERLAB_WRITE_DOC_IMAGES=1 (how the ones in the docs
 * were made); otherwise none are taken.
 *
 * The lessons are spread over three test files (lessons-1/2/3.test.ts),
 * each running only its own lessons, so that vitest can run them side by
 * side: one file running all nine was the suite's longest by far.
 */

export const browserPath = chromiumPath();
const root = join(import.meta.dirname, "..", "..");
const bin = PEERLAB_BIN;

interface Problem {
  chart: string;
  text: string;
  what: string;
}

/** Chart text that is too small, clipped by its SVG, or overlapping other text, as the browser lays it out. */
export function legibility(page: Page): Promise<Problem[]> {
  return page.evaluate(() => {
    const problems: { chart: string; text: string; what: string }[] = [];
    for (const svg of Array.from(document.querySelectorAll<SVGSVGElement>("#main figure.chart > svg"))) {
      const chart = svg.closest("figure")!.getAttribute("data-chart") ?? "?";
      const frame = svg.getBoundingClientRect();
      const scale = frame.width / svg.viewBox.baseVal.width;
      const texts = Array.from(svg.querySelectorAll("text")).filter((t: SVGTextElement) => {
        if ((t.textContent ?? "").trim() === "") return false;
        for (let e: Element | null = t; e && e !== svg; e = e.parentElement) if (getComputedStyle(e).display === "none") return false;
        return t.getBBox().width > 0;
      });
      const boxes = texts.map((t) => t.getBoundingClientRect());
      texts.forEach((t, i) => {
        const px = parseFloat(getComputedStyle(t).fontSize) * scale;
        if (px < 13.9) problems.push({ chart, text: t.textContent!, what: `${px.toFixed(1)} px` });
        const b = boxes[i]!;
        if (b.left < frame.left - 1 || b.right > frame.right + 1 || b.top < frame.top - 1 || b.bottom > frame.bottom + 1) problems.push({ chart, text: t.textContent!, what: "clipped" });
        for (let j = 0; j < i; j++) {
          const o = boxes[j]!;
          const w = Math.min(b.right, o.right) - Math.max(b.left, o.left);
          const h = Math.min(b.bottom, o.bottom) - Math.max(b.top, o.top);
          // Glyph boxes include line spacing: count an overlap only when ink would meet.
          if (w > 2 && h > 4) problems.push({ chart, text: `${t.textContent} / ${texts[j]!.textContent}`, what: "overlap" });
        }
      });
    }
    // Page text outside charts: nothing under 14 px either.
    for (const e of Array.from(document.querySelectorAll<HTMLElement>("#main *, header *, nav *"))) {
      const own = Array.from(e.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? "").trim() !== "");
      if (!own || e.closest("svg") || e.offsetParent === null || e.classList.contains("sr-only")) continue;
      const px = parseFloat(getComputedStyle(e).fontSize);
      if (px < 13.9) problems.push({ chart: "page", text: (e.textContent ?? "").slice(0, 40), what: `${px} px` });
    }
    return problems;
  });
}

/** Hangul on the page drawn with the page's font, compared with a code point no font has: identical pictures are tofu. */
export function tofu(page: Page): Promise<{ hangul: number; missing: string[]; distinct: number }> {
  return page.evaluate(() => {
    const chars = [...new Set([...document.body.innerText].filter((c) => /[\uac00-\ud7af]/.test(c)))];
    const canvas = document.createElement("canvas");
    canvas.width = 48;
    canvas.height = 48;
    const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
    const font = getComputedStyle(document.body).fontFamily;
    const draw = (c: string) => {
      ctx.clearRect(0, 0, 48, 48);
      ctx.font = `32px ${font}`;
      ctx.fillText(c, 6, 38);
      return ctx.getImageData(0, 0, 48, 48).data.join(",");
    };
    const box = draw("\u{10FFFD}");
    const sample = chars.slice(0, 40);
    return { hangul: chars.length, missing: chars.filter((c) => draw(c) === box), distinct: new Set(sample.map(draw)).size };
  });
}

/** Which lessons each of lessons-1/2/3.test.ts projects; every lesson is in exactly one (lessons-3 checks). */
export const LESSON_GROUPS = [
  ["topologies", "index-failure", "mass-failure"],
  ["attack-the-hub", "messages-vs-n", "replication"],
  ["malicious", "self-repair", "nft-metadata", "swarm-vs-server"],
] as const;

export type OpenLesson = (name: string, lang: "en" | "ko", viewport?: { width: number; height: number }) => Promise<Page>;

/**
 * Runs the named lessons with `peerlab lesson`, serves each, starts Chromium,
 * and registers each lesson's check in English and Korean. Returns `open`
 * for further tests of the same lessons (call it inside a test; the page it
 * returns is shared, so a test leaves it open for the next one).
 */
export function projectLessons(names: readonly string[]): OpenLesson {
  const dir = mkdtempSync(join(tmpdir(), "peerlab-lessons-"));
  const shots = process.env.PEERLAB_WRITE_DOC_IMAGES ? join(root, "docs", "img", "lessons") : screenshotFolder("lessons");
  const servers = new Map<string, ViewServer>();
  let browser: Browser;

  // One thread per lesson: the other test worker already has the second core.
  beforeAll(async () => {
    if (shots) mkdirSync(shots, { recursive: true });
    for (const name of names) {
      const l = findLesson(name)!;
      const out = join(dir, l.name);
      const r = spawnSync(process.execPath, [bin, "lesson", l.name, "--no-serve", "--quiet", "--jobs", "1", "--out", out], { cwd: dir, encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      servers.set(l.name, await startViewServer(resolveRoots([out]), { viz: DIST_VIZ }));
    }
    browser = await chromium.launch({ executablePath: browserPath!, args: CHROMIUM_ARGS });
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    for (const s of servers.values()) await s.close();
    rmSync(dir, { recursive: true, force: true });
    if (shots) console.log(`test/viz: lesson screenshots in ${shots}`);
  });

  // One page per language and screen size, navigated from lesson to lesson: a navigation reuses
  // the page's renderer, where a new page (or context) starts one, which took the browser about
  // as long again as the viewer's own loading and drawing. Each navigation is a fresh document
  // (state, scroll and added styles go), and every lesson URL names its language, so nothing a
  // previous lesson left (the language the viewer saves) decides what the next one shows.
  const pages = new Map<string, Page>();

  async function open(name: string, lang: "en" | "ko", viewport = { width: 1280, height: 720 }): Promise<Page> {
    const key = `${lang} ${viewport.width}x${viewport.height}`;
    let page = pages.get(key);
    if (!page) {
      const context = await browser.newContext({ viewport, locale: lang === "ko" ? "ko-KR" : "en-US" });
      page = await context.newPage();
      pages.set(key, page);
    }
    const errors: string[] = [];
    const onError = (e: Error) => errors.push(e.message);
    page.on("pageerror", onError);
    await page.goto(`${servers.get(name)!.url}?lang=${lang}`);
    await page.waitForSelector("main[data-ready]");
    page.off("pageerror", onError);
    expect(errors).toEqual([]);
    return page;
  }

  for (const name of names) {
    const lesson = findLesson(name)!;
    // The shipped scenario's fingerprint, from the folder the lesson wrote (the fingerprint shards skip lessons when Chromium is here).
    it(`${lesson.name}: its results are ${lesson.scenario}'s known ones`, () => {
      expectKnown(lesson.scenario, fingerprintOfFolder(join(root, lesson.scenario), join(dir, lesson.name)));
    });
    for (const lang of ["en", "ko"] as const) {
      it(`${lesson.name} (${lang}): the lesson and its chart first, legible, nothing clipped or overlapping`, async () => {
        const page = await open(lesson.name, lang);
        expect(await page.locator("#lesson h3").textContent()).toContain(lesson.title[lang]);
        expect(await page.locator("#lesson .lesson-question").textContent()).toContain(lesson.question[lang]);
        // The lesson's chart is the first chart on the page.
        const first = page.locator("#main figure.chart").first();
        const id = await first.getAttribute("data-chart");
        expect(id).toContain(lesson.focus.metric);
        expect(await legibility(page)).toEqual([]);
        if (lang === "ko") {
          const glyphs = await tofu(page);
          expect(glyphs.hangul).toBeGreaterThan(30);
          expect(glyphs.missing).toEqual([]);
          expect(glyphs.distinct).toBe(Math.min(40, glyphs.hangul));
        }
        if (shots) {
          // The sticky header would cover the top of an element screenshot.
          await page.addStyleTag({ content: "header.top { position: static; }" });
          await first.scrollIntoViewIfNeeded();
          await first.screenshot({ path: join(shots, `${lesson.name}-${lang}.png`) });
        }
        if (lesson.focus.topology) {
          // Replay the traced lookup to its end: every message is drawn on the picture.
          const n = Number(/(\d+) messages|메시지 (\d+)개/.exec((await page.locator("#replay-lookup option").first().textContent()) ?? "")?.slice(1).find(Boolean) ?? 0);
          // The first step as a user clicks it, the rest in the page: one round trip, not one per step.
          await page.locator("#replay-step").click();
          await page.evaluate((steps) => {
            for (let i = 0; i < steps; i++) (document.querySelector("#replay-step") as HTMLButtonElement).click();
          }, n - 1);
          expect(await page.locator("#topology line.msg").count()).toBe(n);
          expect(await page.locator("#replay-status").textContent()).not.toMatch(/not in the picture|그림에 없음/);
          if (shots) {
            const topology = page.locator("#topology figure.chart");
            await topology.scrollIntoViewIfNeeded();
            await topology.screenshot({ path: join(shots, `${lesson.name}-${lang}-replay.png`) });
          }
        }
      }, 60_000);
    }
  }

  return open;
}
