#!/usr/bin/env node
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { InputError } from "../core/errors.js";
import { loadExperiment } from "../run/experiment.js";
import { VERSION } from "../version.js";
import { listCommand } from "./list-command.js";
import { mergeCommand } from "./merge-command.js";
import { newOverlayCommand } from "./new-command.js";
import { reportCommand } from "./report-command.js";
import { runCommand } from "./run-command.js";
import { traceGenerateCommand } from "./trace-command.js";
import { viewCommand } from "./view-command.js";

/**
 * The peerlab command. Exit codes: 0 success, 1 the run failed (a bug or an
 * internal error), 2 bad input (scenario, arguments, files), 130 stopped by
 * Ctrl-C (results so far are written and marked incomplete).
 */

/** JSON replacer: a loaded churn trace is shown by its size, not its every row. */
function withoutTraceRows(key: string, value: unknown): unknown {
  if (key === "trace" && value && typeof value === "object" && "timeMs" in value) {
    const t = value as { timeMs: unknown[]; peers: number };
    return `${t.timeMs.length} events, ${t.peers} peers`;
  }
  return value;
}

function fail(message: string, code: number): never {
  process.stderr.write(`peerlab: ${message}\n`);
  process.exit(code);
}

async function main(argv: string[]): Promise<void> {
  let exitCode = 0;
  await yargs(argv)
    .scriptName("peerlab")
    .usage("$0 <command> [options]\n\nA deterministic discrete-event simulator of peer-to-peer networks.")
    .command(
      "run <scenario>",
      "Run a scenario and write its results folder",
      (y) =>
        y
          .positional("scenario", { type: "string", demandOption: true, describe: "Scenario file (YAML or JSON)" })
          .option("seed", { type: "number", describe: "Seed for every random stream (overrides the scenario's)" })
          .option("out", { type: "string", describe: "Results folder (default results/<name>/seed-<seed>)" })
          .option("set", { type: "string", array: true, describe: "Override a field: --set overlay.degree=6 (repeatable)" })
          .option("force", { type: "boolean", default: false, describe: "Replace an existing results folder" })
          .option("quiet", { type: "boolean", default: false, describe: "No progress bar, no summary" })
          .option("jobs", { type: "number", describe: "Worker threads for a scenario with variants: or sweep: (default: the number of cores)" })
          .option("shard", { type: "string", describe: "Run only shard i of n of a sweep: --shard 2/8 (see docs/scaling-out.md)" })
          .example("$0 run scenarios/flooding-basic.yaml", "run the default scenario")
          .example("$0 run scenarios/compare-topologies.yaml", "the overlays side by side (comparison.csv)")
          .example("$0 run scenarios/sweep-churn.yaml --jobs 4", "a sweep on 4 worker threads (runs.csv, aggregate.csv)")
          .example("$0 run scenarios/flooding-basic.yaml --seed 7 --set overlay.search.ttl=3", "another seed, a smaller TTL"),
      async (args) => {
        if (args.seed !== undefined && (!Number.isInteger(args.seed) || args.seed < 0)) {
          throw new InputError(`--seed: expected a non-negative integer, got ${args.seed}`);
        }
        if (args.jobs !== undefined && (!Number.isInteger(args.jobs) || args.jobs < 1)) {
          throw new InputError(`--jobs: expected a positive integer (worker threads), got ${args.jobs}`);
        }
        exitCode = await runCommand(args as Parameters<typeof runCommand>[0]);
      },
    )
    .command(
      "validate <scenario>",
      "Check a scenario file and print it with every default filled in",
      (y) =>
        y
          .positional("scenario", { type: "string", demandOption: true, describe: "Scenario file (YAML or JSON)" })
          .option("set", { type: "string", array: true, describe: "Override a field: --set overlay.degree=6" }),
      (args) => {
        const experiment = loadExperiment(args.scenario, args.set ?? []);
        if (experiment.kind === "single") {
          process.stdout.write(`${args.scenario} is valid. Resolved (durations in ms, rates per second):\n${JSON.stringify(experiment.scenario, withoutTraceRows, 2)}\n`);
        } else if (experiment.kind === "variants") {
          const names = experiment.runs.map((r) => `${r.dir} (${r.scenario.overlay.type})`).join(", ");
          process.stdout.write(
            `${args.scenario} is valid: ${experiment.runs.length} variants, ${names}. Resolved variants (durations in ms, rates per second):\n${JSON.stringify(Object.fromEntries(experiment.runs.map((r) => [r.dir, r.scenario])), withoutTraceRows, 2)}\n`,
          );
        } else {
          process.stdout.write(
            `${args.scenario} is valid: a sweep of ${experiment.points.length} grid points × ${experiment.replications} replications = ${experiment.runs.length} runs (seeds ${experiment.seeds.join(", ")}). Resolved scenario before the grid's changes (durations in ms, rates per second):\n${JSON.stringify(experiment.base, withoutTraceRows, 2)}\n`,
          );
        }
      },
    )
    .command(
      "merge <dirs..>",
      "Merge the folders of a sweep's shards (run --shard i/n) into one sweep folder",
      (y) =>
        y
          .positional("dirs", { type: "string", array: true, demandOption: true, describe: "The shards' results folders" })
          .option("out", { type: "string", describe: "Merged folder (default results/<name>)" })
          .option("force", { type: "boolean", default: false, describe: "Replace an existing merged folder" })
          .option("quiet", { type: "boolean", default: false, describe: "No summary table" })
          .example("$0 merge results/sweep-churn-shard-*-of-4", "merge 4 shards into results/sweep-churn/"),
      (args) => {
        exitCode = mergeCommand({ dirs: (args.dirs ?? []).map(String), out: args.out, force: args.force, quiet: args.quiet });
      },
    )
    .command(
      "trace <action> <scenario>",
      "Churn traces: `trace generate <scenario>` writes the scenario's churn as a replayable CSV trace",
      (y) =>
        y
          .positional("action", { type: "string", choices: ["generate"], demandOption: true, describe: "What to do (generate)" })
          .positional("scenario", { type: "string", demandOption: true, describe: "Scenario whose churn model to record" })
          .option("out", { type: "string", describe: "Trace file (default results/traces/<name>-seed-<seed>.csv)" })
          .option("seed", { type: "number", describe: "Seed (overrides the scenario's)" })
          .option("set", { type: "string", array: true, describe: "Override a field: --set churn.session.mean=10m" })
          .option("force", { type: "boolean", default: false, describe: "Replace an existing trace file" })
          .option("quiet", { type: "boolean", default: false, describe: "Print nothing" })
          .example("$0 trace generate scenarios/chord-churn.yaml --out scenarios/traces/mine.csv", "record chord-churn's churn"),
      (args) => {
        if (args.seed !== undefined && (!Number.isInteger(args.seed) || args.seed < 0)) {
          throw new InputError(`--seed: expected a non-negative integer, got ${args.seed}`);
        }
        exitCode = traceGenerateCommand(args as Parameters<typeof traceGenerateCommand>[0]);
      },
    )
    .command(
      "new <kind> <name>",
      "Start a plug-in: `new overlay <name>` writes <name>.js (a working, commented overlay) and <name>.yaml (a scenario that runs it)",
      (y) =>
        y
          .positional("kind", { type: "string", choices: ["overlay"], demandOption: true, describe: "What to start (overlay)" })
          .positional("name", { type: "string", demandOption: true, describe: "Its name: lowercase letters, digits and '-'" })
          .option("dir", { type: "string", describe: "Folder to write into (default: the current one)" })
          .option("quiet", { type: "boolean", default: false, describe: "Print nothing" })
          .example("$0 new overlay my-gossip", "writes my-gossip.js and my-gossip.yaml; then: peerlab run my-gossip.yaml"),
      (args) => {
        exitCode = newOverlayCommand({ name: args.name, ...(args.dir !== undefined ? { dir: args.dir } : {}), quiet: args.quiet });
      },
    )
    .command("list", "List overlays, latency and churn models, and shipped scenarios", {}, () => {
      process.stdout.write(listCommand() + "\n");
    })
    .command(
      "view [dirs..]",
      "Show results in the browser viewer (serves on 127.0.0.1 until Ctrl-C)",
      (y) =>
        y
          .positional("dirs", { type: "string", array: true, describe: "Results folders (default results/)" })
          .option("port", { type: "number", describe: "Port to listen on (default: a free one)" })
          .option("open", { type: "boolean", default: false, describe: "Open the page in a browser" })
          .example("$0 view", "everything under results/")
          .example("$0 view results/chord-churn results/flooding-basic", "two scenarios side by side"),
      async (args) => {
        if (args.port !== undefined && (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535)) {
          throw new InputError(`--port: expected an integer from 0 to 65535, got ${args.port}`);
        }
        exitCode = await viewCommand({ dirs: (args.dirs as string[] | undefined) ?? [], open: args.open, ...(args.port !== undefined ? { port: args.port } : {}) });
      },
    )
    .command(
      "lesson [name]",
      "Ready-made lessons: `lesson` lists them; `lesson <name> --open` runs one and opens its chart",
      (y) =>
        y
          .positional("name", { type: "string", describe: "The lesson to run (omit to list them)" })
          .option("lang", { type: "string", describe: "en or ko (default: from the locale)" })
          .option("open", { type: "boolean", default: false, describe: "Open the viewer in a browser" })
          .option("serve", { type: "boolean", default: true, describe: "Serve the viewer after the run (--no-serve: run and print only)" })
          .option("port", { type: "number", describe: "Port for the viewer (default: a free one)" })
          .option("out", { type: "string", describe: "Results folder (default results/lessons/<name>; replaced on every run)" })
          .option("quiet", { type: "boolean", default: false, describe: "No progress bar, no tables" })
          .example("$0 lesson", "list the lessons")
          .example("$0 lesson topologies --open", "flooding, an index and Chord on 32 peers, in the browser"),
      async (args) => {
        // Loaded on use: the lessons' text need not slow every other command's start.
        const { lessonCommand } = await import("./lesson-command.js");
        exitCode = await lessonCommand(args);
      },
    )
    .command(
      "report <dirs..>",
      "Write one self-contained HTML file (viewer, script and data inlined) that opens from disk",
      (y) =>
        y
          .positional("dirs", { type: "string", array: true, demandOption: true, describe: "Results folders" })
          .option("out", { type: "string", default: "report.html", describe: "The HTML file to write" })
          .example("$0 report results/chord-churn --out chord.html", "a report to send or keep"),
      (args) => {
        exitCode = reportCommand({ dirs: args.dirs as string[], out: args.out });
      },
    )
    .demandCommand(1, "Name a command: run, validate, merge, trace, new, list, lesson, view or report (see --help).")
    .strict()
    .version(VERSION)
    .help()
    .alias("h", "help")
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .fail((message, error) => {
      if (error) throw error;
      process.stderr.write(`peerlab: ${message}\nRun "peerlab --help" for usage.\n`);
      process.exit(2);
    })
    .parseAsync();
  process.exitCode = exitCode;
}

main(hideBin(process.argv)).catch((error: unknown) => {
  if (error instanceof InputError) fail(error.message, 2);
  const message = error instanceof Error ? error.message : String(error);
  if (process.env.PEERLAB_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
  fail(`the run failed: ${message}${process.env.PEERLAB_DEBUG ? "" : " (set PEERLAB_DEBUG=1 to see the stack trace)"}`, 1);
});
