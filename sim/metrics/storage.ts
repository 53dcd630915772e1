import type { StorageAvailability } from "../core/protocol.js";
import { round } from "./stats.js";

/** What summary.json says about stored items: availability over the measured window (mean and at the end), and items lost for good. */
export interface StorageSummary {
  itemsStored: number;
  availabilityMean: number | null;
  availabilityMin: number | null;
  availabilityEnd: number | null;
  itemsLost: number | null;
}

/**
 * Data availability as the run goes, for overlays that store items: the
 * columns of each time-series row, and the summary kept from the measured
 * rows as they are made (so the summary never reads the rows back).
 */
export class StorageTally {
  private readonly measured: number[] = [];
  private last: { stored: number; availability: number; lost: number | undefined } | undefined;

  /** The storage columns of the interval ending now; `measuring` says whether it is a measured interval. */
  sample(stored: StorageAvailability, measuring: boolean): Record<string, number> {
    const availability = stored.stored > 0 ? round(stored.available / stored.stored) : 1;
    if (measuring) {
      // The summary is made of the values as timeseries.csv shows them (4 decimals), so the two always agree.
      const shown = round(availability, 4);
      this.measured.push(shown);
      this.last = { stored: stored.stored, availability: shown, lost: stored.lost };
    }
    return {
      items_stored: stored.stored,
      items_available: stored.available,
      availability,
      ...(stored.lost !== undefined ? { items_lost: stored.lost } : {}),
    };
  }

  summary(): StorageSummary | undefined {
    const last = this.last;
    if (last === undefined) return undefined;
    const values = this.measured;
    return {
      itemsStored: last.stored,
      availabilityMean: round(values.reduce((a, b) => a + b, 0) / values.length),
      availabilityMin: Math.min(...values),
      availabilityEnd: last.availability,
      itemsLost: last.lost ?? null,
    };
  }
}
