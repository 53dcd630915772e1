import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from "node:fs";
import { basename, join, relative, sep } from "node:path";
import { InputError } from "../core/errors.js";

/**
 * What the viewer can show from some results folders: every run (a folder
 * with a manifest.json, found recursively), every comparison (a folder with a
 * comparison.csv, its variant runs below it) and every sweep (a folder with
 * an aggregate.csv or runs.csv). Shared by `peerlab view`, which serves the
 * files under /data/<root>/, and `peerlab report`, which inlines them. URLs
 * are relative to the viewer page.
 */

/** Files of a run folder the viewer reads, when present. */
export const RUN_FILES = ["manifest.json", "summary.json", "timeseries.csv", "columns.json", "annotations.json", "snapshots.json", "traces.json", "overlay.json"] as const;
const GROUP_TABLES = ["comparison.csv", "aggregate.csv", "runs.csv", "sweep.json"] as const;
/** Beside a group's tables (a run folder has its own columns.json, so it does not make a folder a group). */
const GROUP_EXTRAS = ["columns.json"] as const;
/** Deep enough for results/<name>/seed-<s>/<variant>/ under a sweep's run folders. */
const MAX_DEPTH = 8;

export interface RunEntry {
  id: string;
  label: string;
  /** URL of the run folder, ending in "/". */
  url: string;
  files: string[];
  /** Folder name when the run is a variant of a comparison (its parent has comparison.csv). */
  variant: string | null;
  /** Id of the comparison or sweep the run belongs to, if any. */
  group: string | null;
  /** From manifest.json: the overlay type, the seed, and the scenario's name, titles and descriptions (for labels, colours and the page's heading). */
  overlay: string | null;
  seed: number | null;
  scenario: ScenarioHead;
  /** For a run of a sweep: its grid point's values (from sweep.json), by parameter path. */
  point?: Record<string, unknown>;
  /** From manifest.json: the run's --label and its --set overrides as typed, so two runs differing only by them can be told apart. */
  runLabel?: string;
  overrides?: string[];
}

export interface ScenarioHead {
  name: string;
  title?: string;
  title_ko?: string;
  description?: string;
  description_ko?: string;
}

/** What the viewer's labels and heading need from a run's manifest.json; nulls when it cannot be read. */
function manifestHead(file: string, fallbackName: string): Pick<RunEntry, "overlay" | "seed" | "scenario" | "runLabel" | "overrides"> {
  try {
    const m = JSON.parse(readFileSync(file, "utf8")) as { seed?: unknown; scenario?: Record<string, unknown>; label?: unknown; commandLine?: { overrides?: unknown } };
    const sc = m.scenario ?? {};
    const text = (k: string) => (typeof sc[k] === "string" && (sc[k] as string).trim() !== "" ? { [k]: (sc[k] as string).trim() } : {});
    const overlay = (sc.overlay as { type?: unknown } | undefined)?.type;
    const given = m.commandLine?.overrides;
    const overrides = Array.isArray(given) ? given.filter((o): o is string => typeof o === "string") : [];
    return {
      overlay: typeof overlay === "string" ? overlay : null,
      seed: typeof m.seed === "number" ? m.seed : null,
      scenario: { name: typeof sc.name === "string" ? sc.name : fallbackName, ...text("title"), ...text("title_ko"), ...text("description"), ...text("description_ko") },
      ...(typeof m.label === "string" && m.label.trim() !== "" ? { runLabel: m.label.trim() } : {}),
      ...(overrides.length > 0 ? { overrides } : {}),
    };
  } catch {
    return { overlay: null, seed: null, scenario: { name: fallbackName } };
  }
}

export interface GroupEntry {
  id: string;
  kind: "comparison" | "sweep";
  label: string;
  url: string;
  files: string[];
  runs: string[];
}

export interface ViewIndex {
  peerlab: string;
  runs: RunEntry[];
  groups: GroupEntry[];
  /** lesson.json files (written by `peerlab lesson`), by URL: the viewer opens on their chart. */
  lessons: string[];
}

export interface Root {
  /** The folder as the user named it. */
  given: string;
  /** Its real path (symlinks resolved): the only place files are served from. */
  real: string;
}

/** Checks each folder exists and is a directory; a clear one-paragraph error otherwise. */
export function resolveRoots(dirs: readonly string[]): Root[] {
  return dirs.map((given) => {
    if (!existsSync(given)) {
      throw new InputError(
        `results folder ${given} does not exist. Run a scenario first (peerlab run scenarios/flooding-basic.yaml writes results/flooding-basic/seed-1/), or name a folder that holds results.`,
      );
    }
    if (!statSync(given).isDirectory()) {
      throw new InputError(`${given} is not a folder. Name a results folder (such as results/ or results/flooding-basic/seed-1), not a file.`);
    }
    return { given, real: realpathSync(given) };
  });
}

export function buildIndex(roots: readonly Root[], version: string): ViewIndex {
  const runs: RunEntry[] = [];
  const groups: GroupEntry[] = [];
  const lessons: string[] = [];
  roots.forEach((root, r) => {
    // Each real folder is listed once: a symlink to a folder already seen (a loop, or a second way to the same runs) is skipped.
    const seen = new Set<string>([root.real]);
    const prefix = roots.length > 1 ? `${basename(root.given) || root.given}/` : "";
    const walk = (dir: string, depth: number, parentHasComparison: boolean, group: string | null) => {
      let names: string[];
      try {
        names = readdirSync(dir).sort();
      } catch {
        return;
      }
      const rel = relative(root.real, dir).split(sep).join("/");
      const url = `data/${r}/${rel ? rel.split("/").map(encodeURIComponent).join("/") + "/" : ""}`;
      const label = prefix + (rel || basename(root.real));
      const id = `${r}:${rel}`;
      if (names.includes("lesson.json")) lessons.push(`${url}lesson.json`);
      const groupTables = GROUP_TABLES.filter((f) => names.includes(f));
      let here = group;
      if (groupTables.length > 0) {
        const groupFiles = [...groupTables, ...GROUP_EXTRAS.filter((f) => names.includes(f))];
        const kind = groupFiles.includes("comparison.csv") ? "comparison" : "sweep";
        groups.push({ id, kind, label, url, files: groupFiles, runs: [] });
        here = id;
      }
      if (names.includes("manifest.json")) {
        runs.push({
          id,
          label,
          url,
          files: RUN_FILES.filter((f) => names.includes(f)),
          variant: parentHasComparison ? basename(dir) : null,
          group: here,
          ...manifestHead(join(dir, "manifest.json"), basename(root.real)),
        });
        if (here) groups.find((g) => g.id === here)!.runs.push(id);
      }
      if (depth >= MAX_DEPTH) return;
      for (const name of names) {
        if (name.startsWith(".") || name.includes(".partial-") || name.includes(".replaced-") || name === "node_modules") continue;
        const child = join(dir, name);
        let isDir = false;
        let real = child;
        try {
          isDir = statSync(child).isDirectory();
          if (isDir) real = realpathSync(child);
        } catch {
          continue;
        }
        // A symlinked folder is followed only if it stays inside the root and leads somewhere not yet listed.
        if (!isDir || seen.has(real) || !inside(root.real, real)) continue;
        seen.add(real);
        walk(child, depth + 1, names.includes("comparison.csv"), here);
      }
    };
    walk(root.real, 0, false, null);
  });
  for (const g of groups) if (g.kind === "sweep") labelPoints(g, runs, roots);
  return { peerlab: version, runs, groups, lessons };
}

/** Gives each run of a sweep the values of its grid point, matched by its runs/<label>/ folder. */
function labelPoints(g: GroupEntry, runs: RunEntry[], roots: readonly Root[]): void {
  if (!g.files.includes("sweep.json")) return;
  const file = resolveDataPath(roots, `/${g.url}sweep.json`);
  if (!file) return;
  let points: { label?: unknown; values?: unknown }[] = [];
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as { points?: unknown };
    if (Array.isArray(parsed.points)) points = parsed.points as typeof points;
  } catch {
    return;
  }
  for (const run of runs) {
    if (run.group !== g.id) continue;
    const p = points.find((pt) => typeof pt.label === "string" && run.url.includes(`/runs/${encodeURIComponent(pt.label)}/`));
    if (p && p.values && typeof p.values === "object") run.point = p.values as Record<string, unknown>;
  }
}

/** Every file URL the index names, for inlining into a report. */
export function indexFiles(index: ViewIndex): string[] {
  const out: string[] = [];
  for (const run of index.runs) for (const f of run.files) out.push(run.url + f);
  for (const g of index.groups) for (const f of g.files) out.push(g.url + f);
  out.push(...index.lessons);
  return out;
}

/**
 * The file a URL under data/ names, or undefined if it is not inside one of
 * the roots (path traversal, symlinks out, a folder, a missing file).
 */
export function resolveDataPath(roots: readonly Root[], urlPath: string): string | undefined {
  const m = /^\/?data\/(\d+)\/(.*)$/.exec(urlPath);
  if (!m) return undefined;
  const root = roots[Number(m[1])];
  if (!root) return undefined;
  let rest: string;
  try {
    rest = m[2]!.split("/").map((part) => decodeURIComponent(part)).join("/");
  } catch {
    return undefined;
  }
  if (rest.includes("\0") || rest.includes("\\")) return undefined;
  const parts = rest.split("/");
  if (parts.some((p) => p === ".." || p === "." || p.startsWith("."))) return undefined;
  const candidate = join(root.real, ...parts);
  if (!inside(root.real, candidate)) return undefined;
  let real: string;
  try {
    real = realpathSync(candidate);
    if (!statSync(real).isFile()) return undefined;
  } catch {
    return undefined;
  }
  return inside(root.real, real) ? real : undefined;
}

function inside(root: string, path: string): boolean {
  return path.startsWith(root.endsWith(sep) ? root : root + sep);
}
