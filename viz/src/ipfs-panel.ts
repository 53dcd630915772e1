import { emptyNote } from "./charts/frame.js";
import { loadJson, type Run } from "./data.js";
import { t } from "./i18n.js";
import { fmt } from "./metrics.js";
import { selectBox } from "./controls.js";

/**
 * IPFS runs (overlay.json, docs/ipfs.md): where one file's provider records
 * and whole copies live along the DHT's id space, next to the file's own
 * position, and the retrieval and publication timings of the run.
 */

interface Holder {
  peer: number;
  online: boolean;
  pinned: boolean;
  position: number;
}
interface RecordHolder {
  peer: number;
  position: number;
  providers: number[];
}
interface FileEntry {
  file: number;
  bytes: number;
  blocks: number;
  position: number;
  creator: number;
  pinningService: number | null;
  holders: Holder[];
  providerRecords: RecordHolder[];
}
interface Dist {
  p50: number;
  p90: number;
  count: number;
}
interface IpfsResults {
  retrievals: Record<string, Dist | number>;
  publications: Record<string, Dist | number>;
  files: FileEntry[];
}

const view = { runId: "", file: 0 };
const SVG = "http://www.w3.org/2000/svg";
const W = 760;
const H = 150;
const PAD = 30;

function svgEl<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

export async function ipfsSection(parent: HTMLElement, runs: readonly Run[], labelOf: (r: Run) => string): Promise<void> {
  const candidates = runs.filter((r) => r.entry.files.includes("overlay.json") && r.entry.overlay === "ipfs");
  if (candidates.length === 0) return;
  const s = document.createElement("section");
  s.className = "block";
  s.id = "ipfs";
  const h = document.createElement("h2");
  h.textContent = t("ipfsTitle");
  s.append(h);
  parent.append(s);
  if (!candidates.some((r) => r.entry.id === view.runId)) view.runId = candidates[0]!.entry.id;
  const run = candidates.find((r) => r.entry.id === view.runId)!;
  const results = await loadJson<IpfsResults>(run.entry.url + "overlay.json");
  if (!results || !Array.isArray(results.files) || results.files.length === 0) return emptyNote(s, t("noData"));
  view.file = Math.min(view.file, results.files.length - 1);

  const controls = document.createElement("div");
  controls.className = "controls";
  s.append(controls);
  const body = document.createElement("div");
  s.append(body);
  const redraw = () => {
    body.replaceChildren();
    drawFile(body, results.files[view.file]!);
    timings(body, results);
  };
  if (candidates.length > 1) {
    controls.append(
      selectBox(t("run"), "ipfs-run", candidates.map((r) => [r.entry.id, labelOf(r)]), run.entry.id, (v) => {
        view.runId = v;
        const rerun = document.createElement("div");
        s.replaceWith(rerun);
        void ipfsSection(rerun, runs, labelOf).then(() => rerun.replaceWith(...rerun.childNodes));
      }),
    );
  }
  controls.append(
    selectBox(t("ipfsFile"), "ipfs-file", results.files.map((f, i) => [String(i), `#${f.file} · ${fmt(f.bytes / 1000)} kB · ${f.blocks} ${t("ipfsBlocks")}`]), String(view.file), (v) => {
      view.file = Number(v);
      redraw();
    }),
  );
  redraw();
}

/** The id space as a line: the file's CID, the servers with its provider record above, the peers holding it below. */
function drawFile(parent: HTMLElement, f: FileEntry): void {
  const x = (p: number) => PAD + p * (W - 2 * PAD);
  const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, width: "100%", role: "img" });
  svg.setAttribute("aria-label", t("ipfsPictureLabel", { file: f.file, records: f.providerRecords.length, holders: f.holders.length }));
  const mid = H / 2;
  svg.append(svgEl("line", { x1: x(0), x2: x(1), y1: mid, y2: mid, stroke: "currentColor", "stroke-opacity": 0.5 }));
  for (const [p, label] of [
    [0, "0"],
    [1, "1"],
  ] as const) {
    const tick = svgEl("text", { x: x(p), y: mid + 14, "text-anchor": "middle", "font-size": 11, fill: "currentColor" });
    tick.textContent = label;
    svg.append(tick);
  }
  const key = svgEl("line", { x1: x(f.position), x2: x(f.position), y1: 16, y2: H - 16, stroke: "#c0392b", "stroke-width": 2 });
  const keyTitle = svgEl("title", {});
  keyTitle.textContent = t("ipfsKey");
  key.append(keyTitle);
  svg.append(key);
  for (const r of f.providerRecords) {
    const c = svgEl("circle", { cx: x(r.position), cy: mid - 26, r: 5, fill: "#8e44ad" });
    const title = svgEl("title", {});
    title.textContent = `${t("ipfsRecords")}: #${r.peer} → ${r.providers.map((p) => `#${p}`).join(", ")}`;
    c.append(title);
    svg.append(c);
  }
  for (const holder of f.holders) {
    const color = holder.pinned ? "#1f77b4" : "#7f8c8d";
    const c = svgEl("circle", { cx: x(holder.position), cy: mid + 30, r: 5, fill: holder.online ? color : "none", stroke: color, "stroke-width": 1.5 });
    const title = svgEl("title", {});
    title.textContent = `#${holder.peer}: ${holder.online ? t("ipfsOnline") : t("ipfsOffline")}${holder.pinned ? ` · ${t("ipfsPinned")}` : ""}`;
    c.append(title);
    svg.append(c);
  }
  const figure = document.createElement("figure");
  figure.className = "chart";
  figure.dataset.chart = "ipfs-file";
  const caption = document.createElement("figcaption");
  caption.textContent = t("ipfsCaption", { records: f.providerRecords.length, holders: f.holders.length, online: f.holders.filter((x) => x.online).length });
  figure.append(svg, caption);
  parent.append(figure);
}

function timings(parent: HTMLElement, r: IpfsResults): void {
  const dist = (d: Dist | number | undefined) => (d && typeof d === "object" && d.count > 0 ? `${fmt(d.p50)} / ${fmt(d.p90)} ms` : "—");
  const share = (x: Dist | number | undefined) => (typeof x === "number" ? `${fmt(x * 100)} %` : "—");
  const rows: [string, string][] = [
    [t("ipfsFirstProvider"), dist(r.retrievals.firstProviderMs)],
    [t("ipfsFirstBlock"), dist(r.retrievals.firstBlockMs)],
    [t("ipfsWholeFile"), dist(r.retrievals.wholeFileMs)],
    [t("ipfsWalkShare"), share(r.retrievals.dhtWalkShareOfLatency)],
    [t("ipfsPublishWalkShare"), share(r.publications.walkShare)],
    [t("ipfsMsgsPerPeer"), typeof r.retrievals.messagesPerConnectedPeer === "number" ? fmt(r.retrievals.messagesPerConnectedPeer) : "—"],
  ];
  const table = document.createElement("table");
  table.className = "summary";
  for (const [name, value] of rows) {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.textContent = name;
    const td = document.createElement("td");
    td.textContent = value;
    tr.append(th, td);
    table.append(tr);
  }
  parent.append(table);
}

