#!/usr/bin/env node
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { InputError } from "../scenario/errors.js";
import { loadScenario } from "../scenario/load.js";
import { VERSION } from "../version.js";
import { listCommand } from "./list-command.js";
import { runCommand } from "./run-command.js";

/**
 * The peerlab command. Exit codes: 0 success, 1 the run failed (a bug or an
 * internal error), 2 bad input (scenario, arguments, files), 130 stopped by
 * Ctrl-C (results so far are written and marked incomplete).
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
          .option("seed", { type: "number", describe: "Seed for every random stream (overrides the scenario's)" })
          .option("out", { type: "string", describe: "Results folder (default results/<name>/seed-<seed>)" })
          .option("set", { type: "string", array: true, describe: "Override a field: --set overlay.degree=6 (repeatable)" })
          .option("force", { type: "boolean", default: false, describe: "Replace an existing results folder" })
          .option("quiet", { type: "boolean", default: false, describe: "No progress bar, no summary" })
          .example("$0 run scenarios/flooding-basic.yaml", "run the default scenario")
          .example("$0 run scenarios/flooding-basic.yaml --seed 7 --set overlay.search.ttl=3", "another seed, a smaller TTL"),
      async (args) => {
        if (args.seed !== undefined && (!Number.isInteger(args.seed) || args.seed < 0)) {
          throw new InputError(`--seed: expected a non-negative integer, got ${args.seed}`);
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
        const scenario = loadScenario(args.scenario, args.set ?? []);
        process.stdout.write(`${args.scenario} is valid. Resolved (durations in ms, rates per second):\n${JSON.stringify(scenario, null, 2)}\n`);
      },
    )
    .command("list", "List overlays, latency and churn models, and shipped scenarios", {}, () => {
      process.stdout.write(listCommand() + "\n");
    })
    .demandCommand(1, "Name a command: run, validate or list (see --help).")
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
