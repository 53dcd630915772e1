import { csvParseRows } from "d3";
import { registerColumns, type ColumnMeta } from "./columns.js";

/**
 * Everything the viewer shows comes from result files (docs/results.md):
 * fetched from `peerlab view`'s server, or read from the data block that
 * `peerlab report` inlines into the page. Nothing here knows the simulator.
 */

export interface ScenarioHead {
  name: string;
  title?: string;
  title_ko?: string;
  description?: string;
  description_ko?: string;
}

export interface RunEntry {
  id: string;
  label: string;
  url: string;
  files: string[];
  variant: string | null;
  group: string | null;
  overlay?: string | null;
  seed?: number | null;
  scenario?: ScenarioHead;
  /** A sweep run's grid point: parameter path → value. */
  point?: Record<string, unknown>;
  /** The run's --label and --set overrides, from its manifest. */
  runLabel?: string;
  overrides?: string[];
}

export interface LessonText {
  en: string;
  ko: string;
}

/** lesson.json, written by `peerlab lesson` next to a lesson's results. */
export interface LessonInfo {
  url: string;
  name: string;
  title: LessonText;
  lookFor: LessonText;
  question: LessonText;
  focus: {
    view: "comparison" | "timeseries" | "sweep";
    metric: string;
    param?: string;
    logX?: boolean;
    logY?: boolean;
    reference?: "half-log2";
    topology?: boolean;
    /** The variant whose topology to show first. */
    topologyRun?: string;
  };
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
  lessons?: string[];
}

export interface Annotation {
  time_s: number;
  kind: string;
  label: string;
  /** For a fault with a window: when it ends (the viewer shades the window). */
  until_s?: number;
}

export type Row = Record<string, string>;

export interface PeerSnapshot {
  peer: number;
  links: number[];
  keys: number[];
  linkKinds?: string[];
  position?: number;
  role?: string;
}

export interface Snapshot {
  timeMs: number;
  peersOnline: number;
  /** Present when only some peers were recorded: how they were chosen. */
  sampled?: "id-range" | "neighbourhood";
  peers: PeerSnapshot[];
  /** Id-space positions of the traced lookups' keys (DHTs). */
  keys?: { key: number; position: number }[];
}

export interface TracedLookup {
  lookup: number;
  origin: number;
  key: number;
  startMs: number;
  endMs: number | null;
  outcome: "succeeded" | "failed" | "unfinished";
  hops: number | null;
  messages: { timeMs: number; from: number; to: number; type: string }[];
}

/** One run, loaded. */
export interface Run {
  entry: RunEntry;
  manifest: any;
  summary: any | null;
  rows: Row[];
  columns: string[];
  annotations: Annotation[];
}

interface Embedded {
  index: ViewIndex;
  files: Record<string, string>;
}

let embedded: Embedded | null | undefined;

function embeddedData(): Embedded | null {
  if (embedded === undefined) {
    const el = document.getElementById("peerlab-data");
    embedded = el?.textContent ? (JSON.parse(el.textContent) as Embedded) : null;
  }
  return embedded;
}

/** True in a report.html opened from disk. */
export function isReport(): boolean {
  return embeddedData() !== null;
}

async function text(url: string): Promise<string | null> {
  const e = embeddedData();
  if (e) return e.files[url] ?? null;
  const res = await fetch(url);
  return res.ok ? res.text() : null;
}

async function json<T>(url: string): Promise<T | null> {
  const body = await text(url);
  return body === null ? null : (JSON.parse(body) as T);
}

export async function loadIndex(): Promise<ViewIndex> {
  const e = embeddedData();
  if (e) return e.index;
  const index = await json<ViewIndex>("api/index.json");
  if (!index) throw new Error("could not load api/index.json");
  return index;
}

const runCache = new Map<string, Promise<Run>>();

export function loadRun(entry: RunEntry): Promise<Run> {
  let p = runCache.get(entry.id);
  if (!p) {
    p = (async () => {
      const has = (f: string) => entry.files.includes(f);
      const [manifest, summary, csv, annotations, columns] = await Promise.all([
        json<any>(entry.url + "manifest.json"),
        has("summary.json") ? json<any>(entry.url + "summary.json") : null,
        has("timeseries.csv") ? text(entry.url + "timeseries.csv") : null,
        has("annotations.json") ? json<Annotation[]>(entry.url + "annotations.json") : null,
        has("columns.json") ? json<Record<string, ColumnMeta>>(entry.url + "columns.json").catch(() => null) : null,
      ]);
      if (columns && typeof columns === "object") registerColumns(columns);
      const parsed = csv ? parseCsv(csv) : null;
      return {
        entry,
        manifest: manifest ?? {},
        summary,
        rows: parsed ? parsed.rows : [],
        columns: parsed ? parsed.columns : [],
        annotations: Array.isArray(annotations) ? annotations.filter((a) => Number.isFinite(a?.time_s)) : [],
      };
    })();
    runCache.set(entry.id, p);
  }
  return p;
}

/** A comparison's or sweep's columns.json (its headline columns' titles in English and Korean), registered before its charts are drawn. */
export async function loadGroupColumns(g: GroupEntry): Promise<void> {
  if (!g.files.includes("columns.json")) return;
  const meta = await json<Record<string, ColumnMeta>>(g.url + "columns.json").catch(() => null);
  if (meta && typeof meta === "object") registerColumns(meta);
}

/** overlay.json: the overlay's own results (a piece map, a fork tree), or null when the run has none. */
export async function loadOverlayResults(entry: RunEntry): Promise<Record<string, unknown> | null> {
  if (!entry.files.includes("overlay.json")) return null;
  return json<Record<string, unknown>>(entry.url + "overlay.json");
}

export async function loadSnapshots(entry: RunEntry): Promise<Snapshot[]> {
  if (!entry.files.includes("snapshots.json")) return [];
  return (await json<{ snapshots: Snapshot[] }>(entry.url + "snapshots.json"))?.snapshots ?? [];
}

export async function loadTraces(entry: RunEntry): Promise<TracedLookup[]> {
  if (!entry.files.includes("traces.json")) return [];
  return (await json<{ lookups: TracedLookup[] }>(entry.url + "traces.json"))?.lookups ?? [];
}

export async function loadCsv(url: string): Promise<{ rows: Row[]; columns: string[] } | null> {
  const body = await text(url);
  if (body === null) return null;
  return parseCsv(body);
}

/** Header row and records. (d3.csvParse builds its row objects with `new Function`, which the page's CSP forbids.) */
export function parseCsv(body: string): { rows: Row[]; columns: string[] } {
  const [header = [], ...records] = csvParseRows(body);
  const rows = records
    .filter((r) => r.length > 1 || (r[0] ?? "") !== "")
    .map((r) => {
      const row: Row = Object.create(null);
      header.forEach((name, i) => (row[name] = r[i] ?? ""));
      return row;
    });
  return { rows, columns: header };
}

export async function loadJson<T>(url: string): Promise<T | null> {
  return json<T>(url);
}

/** A number from a CSV cell; null for an empty cell or text. */
export function num(cell: string | undefined): number | null {
  if (cell === undefined || cell.trim() === "") return null;
  const x = Number(cell);
  return Number.isFinite(x) ? x : null;
}

export async function loadLesson(url: string): Promise<LessonInfo | null> {
  const body = await json<Omit<LessonInfo, "url">>(url);
  return body ? { ...body, url } : null;
}
