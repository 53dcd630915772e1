import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../core/errors.js";
import { VERSION } from "../version.js";
import { vizDir } from "./serve.js";
import { buildIndex, indexFiles, resolveDataPath, resolveRoots } from "./serve-index.js";

export interface ReportArgs {
  dirs: string[];
  out: string;
}

/**
 * `peerlab report <results-dir ...> --out report.html`: the viewer, its
 * script and style, and every result file it reads, in one HTML file that
 * works from disk without a server.
 */
export function reportCommand(args: ReportArgs): number {
  const roots = resolveRoots(args.dirs);
  const index = buildIndex(roots, VERSION);
  if (index.runs.length === 0) {
    throw new InputError(`no runs found under ${args.dirs.join(", ")} (a run is a folder with a manifest.json). Name a results folder that holds runs.`);
  }
  const files: Record<string, string> = {};
  for (const url of indexFiles(index)) {
    const real = resolveDataPath(roots, url);
    if (real) files[url] = readFileSync(real, "utf8");
  }
  const html = reportHtml(vizDir(), { index, files });
  writeFileSync(args.out, html);
  process.stdout.write(`Wrote ${args.out} (${index.runs.length} run${index.runs.length === 1 ? "" : "s"}, ${(html.length / 1024).toFixed(0)} KiB); open it in a browser.\n`);
  return 0;
}

/** The viewer page with its style, script and data inlined. */
export function reportHtml(viz: string, data: unknown): string {
  const page = join(viz, "index.html");
  if (!existsSync(page)) throw new Error(`the viewer is not built (no ${page}); run npm run build`);
  const html = readFileSync(page, "utf8");
  const css = readFileSync(join(viz, "style.css"), "utf8");
  const js = readFileSync(join(viz, "app.js"), "utf8");
  // "<" as \u003c keeps "</script>" in a result file from ending the data block.
  const json = JSON.stringify(data).replace(/</g, "\\u003c");
  const script = js.replace(/<\/script/gi, "<\\/script");
  return html
    .replace(/<link rel="stylesheet" href="style.css"\s*\/?>/, () => `<style>\n${css.replace(/<\/style/gi, "<\\/style")}\n</style>`)
    .replace(
      /<script src="app.js"( defer)?><\/script>/,
      () => `<script type="application/json" id="peerlab-data">${json}</script>\n<script>\n${script}\n</script>`,
    );
}
