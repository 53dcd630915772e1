import { duration, durationHint, strict } from "../../core/fields.js";
import { formatDuration } from "../../core/units.js";
import { observerKind } from "./kind.js";

/**
 * The time series: a row of timeseries.csv every `metrics.interval`, and the
 * end of the warm-up, before which nothing counts in summary.json. What a row
 * holds is the run's (the recorder, the overlay's sample, storage,
 * bandwidth); this observer owns when rows close and when measurement begins.
 * The last, possibly partial, interval is closed when the run finishes.
 */
export const intervals = observerKind({
  name: "intervals",
  description: "a row of timeseries.csv every metrics.interval; nothing before metrics.warmup counts in summary.json",
  schema: strict({
    /** Length of one time-series interval (one row of timeseries.csv). */
    interval: duration({ example: "10s" })
      .prefault("10s")
      .meta({ description: `Length of one time-series interval (one row of timeseries.csv). ${durationHint("10s")}` }),
    /** Nothing that happens before this time counts in summary.json. */
    warmup: duration({ positive: false, example: "1m" })
      .prefault("1m")
      .meta({
        description: `Nothing that happens before this time counts in summary.json; shorter than duration. ${durationHint("1m", false)}`,
      }),
  }),
  check: ({ warmup }, { durationMs }, issue) => {
    if (warmup >= durationMs) issue(["warmup"], `expected a warm-up shorter than the run's duration (${formatDuration(durationMs)}), got ${formatDuration(warmup)}`);
  },
  create: ({ interval, warmup }, { sim, endMs }) => ({
    start(run) {
      const close = () => {
        run.closeInterval();
        const next = sim.now + interval;
        if (next < endMs) sim.at(next, close);
      };
      if (interval < endMs) sim.at(interval, close);
      if (warmup > 0) sim.at(warmup, () => run.beginMeasurement());
      else run.beginMeasurement();
    },
  }),
});
