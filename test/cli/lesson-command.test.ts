import { PEERLAB_BIN } from "../helpers/cli.js";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lessonLang, lessonList } from "../../sim/cli/lesson-command.js";
import { LESSONS } from "../../sim/cli/lessons.js";

const root = join(import.meta.dirname, "..", "..");
const bin = PEERLAB_BIN;
const work = mkdtempSync(join(tmpdir(), "peerlab-lesson-"));

function peerlab(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: "utf8", env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("peerlab lesson", () => {
  it("lists every lesson in the user's language", () => {
    const en = peerlab({ LANG: "en_US.UTF-8", LC_ALL: "" }, "lesson");
    expect(en.code).toBe(0);
    for (const l of LESSONS) expect(en.stdout).toContain(`${l.name}`);
    expect(en.stdout).toContain("Pure, hybrid and structured P2P");
    const ko = peerlab({ LANG: "ko_KR.UTF-8", LC_ALL: "" }, "lesson");
    expect(ko.stdout).toContain("순수형, 하이브리드형, 구조형 P2P");
    expect(ko.stdout).toContain("준비된 수업");
    expect(lessonList("ko").split("\n")).toHaveLength(LESSONS.length + 2);
  });

  it("takes the language from --lang, else the locale, and rejects others", () => {
    expect(lessonLang(undefined, { LANG: "ko_KR.UTF-8" })).toBe("ko");
    expect(lessonLang(undefined, { LC_ALL: "C", LANG: "ko_KR.UTF-8" })).toBe("en");
    expect(lessonLang("ko", { LANG: "en_US" })).toBe("ko");
    expect(() => lessonLang("fr")).toThrow(/--lang: expected "en" or "ko"/);
  });

  it("says which lessons exist when the name is wrong (exit 2, one line, no stack)", () => {
    const r = peerlab({}, "lesson", "flood");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`peerlab: there is no lesson "flood"; the lessons are ${LESSONS.map((l) => l.name).join(", ")} (peerlab lesson lists them).\n`);
  });

  it("takes --jobs as run does, and refuses a count that is not a positive integer before running anything", () => {
    const r = peerlab({}, "lesson", "topologies", "--no-serve", "--jobs", "0", "--out", "never");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("peerlab: --jobs: expected a positive integer (worker threads), got 0\n");
    expect(existsSync(join(work, "never"))).toBe(false);
  });

  it("ships a scenario for every lesson, with both titles and descriptions", () => {
    for (const l of LESSONS) {
      const text = readFileSync(join(root, l.scenario), "utf8");
      for (const field of ["title:", "title_ko:", "description:", "description_ko:"]) expect(text, `${l.scenario} ${field}`).toContain(field);
      expect(l.lookFor.ko.length).toBeGreaterThan(50);
      expect(l.question.ko).toMatch(/[?？]$/);
      expect(l.question.en).toMatch(/\?$/);
    }
  });

  it("runs a lesson, writes lesson.json beside its results, prints what to look for, serves the viewer and opens a browser", async () => {
    // A stand-in browser that records the URL it was asked to open.
    const opened = join(work, "opened.txt");
    const browser = join(work, "browser.sh");
    writeFileSync(browser, `#!/bin/sh\necho "$1" > "${opened}"\n`);
    chmodSync(browser, 0o755);
    const child = spawn(process.execPath, [bin, "lesson", "topologies", "--open", "--lang", "ko", "--quiet"], { cwd: work, env: { ...process.env, PEERLAB_BROWSER: browser } });
    let out = "";
    child.stdout.on("data", (d) => (out += String(d)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no viewer URL after 60 s:\n${out}`)), 60_000);
      const poll = setInterval(() => {
        if (/peerlab viewer: /.test(out) && existsSync(opened)) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve();
        }
      }, 200);
    });
    const url = /peerlab viewer: (\S+)/.exec(out)![1]!;
    expect(readFileSync(opened, "utf8").trim()).toBe(url);
    expect(out).toContain("살펴볼 점:");
    const lesson = JSON.parse(readFileSync(join(work, "results", "lessons", "topologies", "lesson.json"), "utf8"));
    expect(lesson.name).toBe("topologies");
    expect(lesson.focus.metric).toBe("messages_per_lookup");
    const index = (await (await fetch(url.replace(/\?.*$/, "") + "api/index.json")).json()) as { lessons: string[]; runs: { overlay: string }[] };
    expect(index.lessons).toEqual(["data/0/lesson.json"]);
    expect(index.runs.map((r) => r.overlay).sort()).toEqual(["chord", "hybrid", "unstructured"]);
    child.kill("SIGINT");
    expect(await new Promise((resolve) => child.on("exit", resolve))).toBe(0);
  }, 90_000);
});
