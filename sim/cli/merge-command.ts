import { existsSync, readFileSync } from "node:fs";
import { join, relative, resolve, isAbsolute } from "node:path";
import type { SummaryLike } from "../run/headline.js";
import { tableColumnsJson } from "../run/experiment-files.js";
import { StagedFolder } from "../run/staged-folder.js";
import { aggregateCsv, aggregateLongCsv, runRefs, runsCsv, sweepJson, sweepTable, type SweepManifest } from "../run/sweep.js";
import { InputError } from "../core/errors.js";

/**
 * `peerlab merge <dirs...>`: puts the folders of a sweep's shards (`peerlab
 * run --shard i/n`) back together into one sweep folder, the same bytes a
 * single `peerlab run` of the whole sweep writes (run folders, sweep.json,
 * runs.csv, aggregate.csv). Checks that the shards belong to the same sweep
 * and that together they hold every run exactly once.
 */

export interface MergeArgs {
  dirs: string[];
  out?: string;
  force?: boolean;
  quiet?: boolean;
}

function readManifest(dir: string): SweepManifest {
  const file = join(dir, "sweep.json");
  if (!existsSync(file)) {
    throw new InputError(`merge: ${dir} has no sweep.json, so it is not a sweep's results folder; give the folders written by peerlab run --shard i/n (e.g. results/<name>-shard-*-of-<n>)`);
  }
  try {
    return JSON.parse(readFileSync(file, "utf8")) as SweepManifest;
  } catch (error) {
    throw new InputError(`merge: ${file} is not valid JSON (${(error as Error).message}); was the shard's folder changed by hand?`);
  }
}

/**
 * sweep.json names the run folders (runs/<label>/seed-<seed>) that merge
 * copies; an edited or hostile one could name "../.." and copy folders out of
 * --out. Labels are what peerlab writes: one folder name of safe characters.
 */
function checkFolderNames(manifest: SweepManifest, dir: string): void {
  const where = `${join(dir, "sweep.json")}`;
  if (!Array.isArray(manifest.points) || !Array.isArray(manifest.seeds)) {
    throw new InputError(`merge: ${where} has no points and seeds lists; was the shard's folder changed by hand?`);
  }
  manifest.points.forEach((p, i) => {
    const label = (p as { label?: unknown }).label;
    if (typeof label !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._,+=-]{0,199}$/.test(label) || label.includes("..")) {
      throw new InputError(
        `merge: ${where}: points[${i}].label is ${JSON.stringify(label)}, which is not a folder name peerlab writes (letters, digits and . _ , + = -, no "..", at most 200 characters); it could lead outside the shard or --out folder, so nothing was written.`,
      );
    }
  });
  manifest.seeds.forEach((seed, i) => {
    if (!Number.isInteger(seed) || seed < 0) throw new InputError(`merge: ${where}: seeds[${i}] is ${JSON.stringify(seed)}, not a seed (an integer ≥ 0); nothing was written.`);
  });
}

export function mergeCommand(args: MergeArgs): number {
  if (args.dirs.length === 0) throw new InputError("merge: name the shard folders to merge, e.g. peerlab merge results/sweep-churn-shard-*-of-4");
  const manifests = args.dirs.map(readManifest);
  const { shard: _first, ...definition } = manifests[0]!;
  const reference = JSON.stringify(definition);
  manifests.forEach((m, i) => {
    const { shard: _s, ...rest } = m;
    if (JSON.stringify(rest) !== reference) {
      const differs = Object.keys({ ...rest, ...definition }).filter(
        (k) => JSON.stringify((rest as Record<string, unknown>)[k]) !== JSON.stringify((definition as Record<string, unknown>)[k]),
      );
      throw new InputError(
        `merge: ${args.dirs[i]} is from another sweep than ${args.dirs[0]} (sweep.json differs in ${differs.join(", ")}); shards merge only if they ran the same scenario file, overrides, seed and peerlab version`,
      );
    }
  });

  checkFolderNames(definition as SweepManifest, args.dirs[0]!);
  const refs = runRefs(definition);
  const holder = new Map<number, number>();
  manifests.forEach((m, i) => {
    const held = m.shard?.runs ?? refs.map((r) => r.index);
    for (const run of held) {
      const other = holder.get(run);
      if (other !== undefined) {
        throw new InputError(`merge: run ${run} (${refs[run]?.dir}) is in both ${args.dirs[other]} and ${args.dirs[i]}; give each shard once`);
      }
      holder.set(run, i);
    }
  });
  const missing = refs.filter((r) => !holder.has(r.index));
  if (missing.length > 0) {
    const counts = new Set(manifests.map((m) => m.shard?.count));
    const have = new Set(manifests.map((m) => m.shard?.index));
    const count = counts.size === 1 ? [...counts][0] : undefined;
    const absent = count === undefined ? [] : Array.from({ length: count }, (_, k) => k + 1).filter((k) => !have.has(k));
    const which = absent.length > 0 ? `shard${absent.length === 1 ? "" : "s"} ${absent.map((k) => `${k}/${count}`).join(", ")} ${absent.length === 1 ? "is" : "are"} missing` : `runs ${missing.slice(0, 5).map((r) => r.index).join(", ")}${missing.length > 5 ? ", ..." : ""} are in no folder given`;
    throw new InputError(`merge: the folders given hold ${holder.size} of the sweep's ${refs.length} runs: ${which}; nothing was written`);
  }

  const outDir = args.out ?? join("results", definition.name);
  for (const dir of args.dirs) {
    const rel = relative(resolve(outDir), resolve(dir));
    if (rel === "" || (!rel.startsWith("..") && !isAbsolute(rel))) {
      throw new InputError(`merge: the output folder ${outDir} holds the shard folder ${dir}, which replacing it would delete; choose another --out`);
    }
  }

  const summaries = new Map<number, SummaryLike>();
  const staged = new StagedFolder(outDir, args.force ?? false, "sweep");
  try {
    for (const ref of refs) {
      const source = join(args.dirs[holder.get(ref.index)!]!, ref.dir);
      const summaryFile = join(source, "summary.json");
      if (!existsSync(summaryFile)) throw new InputError(`merge: ${summaryFile} is missing; the shard's folder is incomplete, so rerun that shard`);
      summaries.set(ref.index, JSON.parse(readFileSync(summaryFile, "utf8")) as SummaryLike);
      staged.copy(source, ref.dir);
    }
    const merged = definition as SweepManifest;
    staged.write("sweep.json", sweepJson(merged));
    staged.write("runs.csv", runsCsv(merged, refs, summaries));
    staged.write("aggregate.csv", aggregateCsv(merged, summaries));
    staged.write("aggregate-long.csv", aggregateLongCsv(merged, summaries));
    staged.write("columns.json", tableColumnsJson(summaries.values()));
    staged.commit();
  } catch (error) {
    staged.abort();
    throw error;
  }
  if (!args.quiet) {
    process.stdout.write(
      [
        `${definition.name}: merged ${args.dirs.length} folder${args.dirs.length === 1 ? "" : "s"}, ${refs.length} runs`,
        "",
        sweepTable(definition as SweepManifest, summaries),
        "(mean ± half the 95 % confidence interval over the replications)",
        "",
        `Results in ${outDir}/ (sweep.json, runs.csv, aggregate.csv, and runs/<point>/seed-<seed>/ for each run)`,
      ].join("\n") + "\n",
    );
  }
  return 0;
}
