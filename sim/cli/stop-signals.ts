/**
 * Stopping a run from outside: Ctrl-C (SIGINT), and SIGTERM and SIGHUP, which
 * `timeout`, systemd, Slurm and Kubernetes send and a closed terminal sends.
 * All three stop the run at the next slice and keep what was measured,
 * marked incomplete; a second signal leaves at once. The exit code is
 * 128 + the signal's number, as shells report it.
 */

const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
export type StopSignal = keyof typeof SIGNALS;

export interface StopWatch {
  /** The first signal received, or undefined. */
  readonly signal: StopSignal | undefined;
  /** 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP; 0 if none came. */
  readonly exitCode: number;
  /** Stops listening. */
  release(): void;
}

/**
 * Listens for the stop signals. `onFirst` runs at the first one (stop a
 * pool, say); `onSecond` before leaving at once at the second (remove a
 * temporary folder). With PEERLAB_NOTIFY_READY=1 in the environment, prints
 * "peerlab: ready" on stderr once listening, so a supervisor or a test knows
 * a signal from now on stops the run cleanly.
 */
export function watchStopSignals(onFirst?: (signal: StopSignal) => void, onSecond?: () => void): StopWatch {
  let received: StopSignal | undefined;
  const handlers = new Map<StopSignal, () => void>();
  for (const name of Object.keys(SIGNALS) as StopSignal[]) {
    const handler = () => {
      if (received) {
        onSecond?.();
        process.exit(128 + SIGNALS[received]);
      }
      received = name;
      onFirst?.(name);
    };
    handlers.set(name, handler);
    process.on(name, handler);
  }
  if (process.env.PEERLAB_NOTIFY_READY === "1") process.stderr.write("peerlab: ready\n");
  return {
    get signal() {
      return received;
    },
    get exitCode() {
      return received ? 128 + SIGNALS[received] : 0;
    },
    release() {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}

/** "Ctrl-C" or "SIGTERM", for messages. */
export function signalName(signal: StopSignal): string {
  return signal === "SIGINT" ? "Ctrl-C" : signal;
}
