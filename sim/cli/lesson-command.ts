import { writeFileSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { InputError } from "../core/errors.js";
import { PACKAGE_ROOT } from "../version.js";
import { findLesson, LESSONS, type Lesson } from "./lessons.js";
import { runCommand } from "./run-command.js";
import { checkJobs } from "./sweep-command.js";
import { resolveRoots } from "./serve-index.js";
import { serveUntilStopped } from "./view-command.js";

export type Lang = "en" | "ko";

export interface LessonArgs {
  name?: string;
  lang?: string;
  /** Open the viewer in a browser. */
  open?: boolean;
  /** Run and print only; do not serve the viewer. */
  serve?: boolean;
  port?: number;
  out?: string;
  quiet?: boolean;
  /** Worker threads for the lesson's runs (a comparison or sweep), as `run --jobs`. */
  jobs?: number;
}

/** The user's language: --lang, else the locale (LC_ALL, LC_MESSAGES, LANG) when it is Korean. */
export function lessonLang(given: string | undefined, env: NodeJS.ProcessEnv = process.env): Lang {
  if (given !== undefined) {
    if (given !== "en" && given !== "ko") throw new InputError(`--lang: expected "en" or "ko", got ${JSON.stringify(given)}`);
    return given;
  }
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || "";
  return locale.toLowerCase().startsWith("ko") ? "ko" : "en";
}

/** `peerlab lesson` with no name: every lesson, its title and how to run it, in the user's language. */
export function lessonList(lang: Lang): string {
  const width = Math.max(...LESSONS.map((l) => l.name.length));
  const head = lang === "ko" ? "준비된 수업 (실행하고 뷰어를 엽니다: npx peerlab lesson <이름> --open)" : "Ready-made lessons (runs one and opens the viewer: npx peerlab lesson <name> --open)";
  return [head, "", ...LESSONS.map((l) => `  ${l.name.padEnd(width)}  ${l.title[lang]}`)].join("\n");
}

/**
 * `peerlab lesson <name>`: runs the lesson's scenario into
 * results/lessons/<name>/ (replacing an earlier run), writes the lesson's
 * text there as lesson.json, prints what to look for, and serves the viewer
 * on those results until Ctrl-C (--open opens a browser on it).
 */
export async function lessonCommand(args: LessonArgs): Promise<number> {
  const lang = lessonLang(args.lang);
  if (args.name === undefined) {
    process.stdout.write(lessonList(lang) + "\n");
    return 0;
  }
  const lesson = findLesson(args.name);
  if (!lesson) {
    throw new InputError(`there is no lesson ${JSON.stringify(args.name)}; the lessons are ${LESSONS.map((l) => l.name).join(", ")} (peerlab lesson lists them).`);
  }
  if (args.jobs !== undefined) checkJobs(args.jobs);
  const out = args.out ?? join("results", "lessons", lesson.name);
  const scenario = join(PACKAGE_ROOT, lesson.scenario);
  const shown = relative(process.cwd(), scenario);
  const code = await runCommand({ scenario: shown && !shown.startsWith("..") && !isAbsolute(shown) ? shown : scenario, out, force: true, quiet: args.quiet ?? false, ...(args.jobs !== undefined ? { jobs: args.jobs } : {}) });
  if (code !== 0) return code;
  writeFileSync(join(out, "lesson.json"), lessonJson(lesson));
  // The lesson's text is printed even with --quiet (which quiets the run): it is what the command is for.
  process.stdout.write(`\n${lessonText(lesson, lang)}\n\n`);
  if (args.serve === false) return 0;
  return serveUntilStopped(resolveRoots([out]), { ...(args.port !== undefined ? { port: args.port } : {}), open: args.open ?? false, query: `lang=${lang}` });
}

export function lessonJson(lesson: Lesson): string {
  return `${JSON.stringify({ name: lesson.name, title: lesson.title, lookFor: lesson.lookFor, question: lesson.question, focus: lesson.focus }, null, 2)}\n`;
}

export function lessonText(lesson: Lesson, lang: Lang): string {
  const [look, ask] = lang === "ko" ? ["살펴볼 점", "학생에게 던질 질문"] : ["What to look for", "A question for students"];
  return `${lesson.title[lang]}\n\n${look}: ${lesson.lookFor[lang]}\n\n${ask}: ${lesson.question[lang]}`;
}
