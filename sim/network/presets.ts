/**
 * Named access technologies for `network.bandwidth.links` (docs/scenarios.md
 * gives the sources). Measured averages, not advertised "up to" speeds: what a
 * peer actually gets is what limits a transfer.
 */
export interface LinkPreset {
  /** Upload capacity, e.g. "1Mbit/s". */
  readonly upload: string;
  /** Download capacity. */
  readonly download: string;
  readonly source: string;
}

export const LINK_PRESETS: Readonly<Record<string, LinkPreset>> = {
  // Cable.co.uk speed tests, March 2012: ADSL averaged 6.3 Mbit/s down, 1 Mbit/s up (5,755 tests).
  dsl: { upload: "1Mbit/s", download: "6.3Mbit/s", source: "Cable.co.uk speed tests, March 2012 (ADSL averages)" },
  // Ofcom/SamKnows, May 2010: Virgin Media's "up to 50 Mbit/s" cable averaged about 36 Mbit/s down
  // (single-thread tests); its upload was not reported, 5 Mbit/s is an assumption (docs/scenarios.md).
  cable: { upload: "5Mbit/s", download: "36Mbit/s", source: "Ofcom/SamKnows UK broadband speeds, May 2010 (download); upload assumed" },
  // Cable.co.uk speed tests, March 2012: fibre (mostly fibre-to-the-cabinet) averaged 17.6 down, 2.9 up.
  fibre: { upload: "2.9Mbit/s", download: "17.6Mbit/s", source: "Cable.co.uk speed tests, March 2012 (fibre averages)" },
};
