#!/usr/bin/env node
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { InputError } from "../core/errors.js";
import { checkOutputPath } from "../metrics/output-folder.js";
import { VERSION } from "../version.js";
import { listCommand } from "./list-command.js";
import { mergeCommand } from "./merge-command.js";
import { newOverlayCommand } from "./new-command.js";
import { reportCommand } from "./report-command.js";
import { runCommand } from "./run-command.js";
import { terminalWidth } from "./text.js";
import { traceGenerateCommand } from "./trace-command.js";
import { validateCommand } from "./validate-command.js";
import { viewCommand } from "./view-command.js";

/**
 * The peerlab command. Exit codes: 0 success, 1 the run failed (a bug or an
 * internal error), 2 bad input (scenario, arguments, files), 130, 143 or 129
 * stopped by Ctrl-C, SIGTERM or SIGHUP (results so far are kept, marked
 * incomplete).
 */

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
          .option("seed", { alias: "s", type: "number", describe: "Seed for every random stream (overrides the scenario's)" })
          .option("out", { alias: "o", type: "string", describe: "Results folder (default: results/<name>/seed-<seed>)" })
          .option("set", { type: "string", array: true, describe: "Override a field: --set overlay.degree=6 (repeatable)" })
          .option("force", { alias: "f", type: "boolean", default: false, describe: "Replace an existing results folder of the same kind" })
          .option("quiet", { alias: "q", type: "boolean", default: false, describe: "No progress bar, no summary" })
          .option("jobs", { alias: "j", type: "number", describe: "Worker threads for variants: or sweep: (default: the number of cores, capped by memory)" })
          .option("shard", { type: "string", describe: "Run only shard i of n of a sweep: --shard 2/8 (see docs/scaling-out.md)" })
          .option("resume", { type: "boolean", default: false, describe: "Continue a stopped sweep or comparison in its folder, running only what is missing" })
          .option("yes", { alias: "y", type: "boolean", default: false, describe: "Start a run the pre-flight estimate says is long without asking" })
          .option("label", { type: "string", describe: "A name for this run, recorded in manifest.json" })
          .example("$0 run scenarios/flooding-basic.yaml", "the default scenario")
          .example("$0 run scenarios/compare-topologies.yaml", "overlays side by side")
          .example("$0 run scenarios/sweep-churn.yaml -j 4", "a sweep on 4 threads")
          .example("$0 run scenarios/sweep-churn.yaml --resume", "continue a stopped sweep")
          .example("$0 run my.yaml -s 7 --set overlay.degree=6", "another seed and degree"),
      async (args) => {
        if (args.seed !== undefined && (!Number.isInteger(args.seed) || args.seed < 0 || args.seed > 2 ** 32 - 1)) {
          throw new InputError(`--seed: expected an integer from 0 to 4294967295, got ${args.seed}`);
        }
        if (args.jobs !== undefined && (!Number.isInteger(args.jobs) || args.jobs < 1)) {
          throw new InputError(`--jobs: expected a positive integer (worker threads), got ${args.jobs}`);
        }
        if (args.out !== undefined) checkOutputPath(String(args.out));
        if (args.label !== undefined && (String(args.label).length > 200 || /[\0\n]/.test(String(args.label)))) {
          throw new InputError(`--label: expected one line of at most 200 characters, got ${String(args.label).length} characters`);
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
        process.stdout.write(validateCommand(args.scenario, args.set ?? []));
      },
    )
    .command(
      "merge <dirs..>",
      "Merge the folders of a sweep's shards (run --shard i/n) into one sweep folder",
      (y) =>
        y
          .positional("dirs", { type: "string", array: true, demandOption: true, describe: "The shards' results folders" })
          .option("out", { alias: "o", type: "string", describe: "Merged folder (default: results/<name>)" })
          .option("force", { alias: "f", type: "boolean", default: false, describe: "Replace an existing merged folder" })
          .option("quiet", { alias: "q", type: "boolean", default: false, describe: "No summary table" })
          .example("$0 merge results/sweep-churn-shard-*-of-4", "merge 4 shards"),
      (args) => {
        if (args.out !== undefined) checkOutputPath(String(args.out));
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
          .option("out", { alias: "o", type: "string", describe: "Trace file (default: results/traces/<name>-seed-<seed>.csv)" })
          .option("seed", { alias: "s", type: "number", describe: "Seed (overrides the scenario's)" })
          .option("set", { type: "string", array: true, describe: "Override a field: --set churn.session.mean=10m" })
          .option("force", { alias: "f", type: "boolean", default: false, describe: "Replace an existing trace file" })
          .option("quiet", { alias: "q", type: "boolean", default: false, describe: "Print nothing" })
          .example("$0 trace generate scenarios/chord-churn.yaml -o mine.csv", "record chord-churn's churn"),
      (args) => {
        if (args.out !== undefined) checkOutputPath(String(args.out));
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
          .option("jobs", { alias: "j", type: "number", describe: "Worker threads for the lesson's runs, as for run (default: the number of cores, capped by memory)" })
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
          .option("out", { alias: "o", type: "string", default: "report.html", describe: "The HTML file to write" })
          .option("force", { alias: "f", type: "boolean", default: false, describe: "Replace an existing file" })
          .example("$0 report results/chord-churn -o chord.html", "a report to send or keep"),
      (args) => {
        checkOutputPath(String(args.out));
        exitCode = reportCommand({ dirs: args.dirs as string[], out: args.out, force: args.force });
      },
    )
    .demandCommand(1, "Name a command: run, validate, merge, trace, new, list, lesson, view or report (see --help).")
    .strict()
    .recommendCommands()
    .version(VERSION)
    .help()
    .alias("h", "help")
    .wrap(terminalWidth())
    .fail((message, error) => {
      if (error) throw error;
      const unknown = /^Did you mean/.test(message ?? "") ? `unknown command ${JSON.stringify(argv[0])}. ` : "";
      process.stderr.write(`peerlab: ${unknown}${message}\nRun "peerlab --help" for usage.\n`);
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
