/**
 * A peer's number. Peers are dense integers (0, 1, 2, ...) so that per-peer
 * facts live in typed arrays indexed by id; every layer above the engine
 * speaks of peers this way.
 */
export type PeerId = number;
