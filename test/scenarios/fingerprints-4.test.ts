import { describeShard } from "./fingerprints.js";

// One of four shards of the fingerprint tests (fingerprints.ts), so they run in parallel.
describeShard(3, 4);
