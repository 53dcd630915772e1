/**
 * Sorts peer (or node) numbers by their ids, ties by number: the order of
 * the oracle's sorted population in Chord and Kademlia. An id is W 32-bit
 * words at ids[p·W ..], most significant first, the first word holding
 * `topBits` bits.
 *
 * A comparison sort of millions of numbers through a comparator is the
 * slow part of building a large ring, so this is a counting sort on the
 * top bits of the id (one pass, with about N / 8 buckets), then a sort of
 * each bucket by the full comparison. Ids are hashes, so buckets are small
 * and an insertion sort suffices; a large bucket (many equal ids in a small
 * id space) goes to the comparator sort. The result is the same total order
 * whatever the method, so the order is the same as any other sort's.
 */
export function sortById(peers: Int32Array, ids: Uint32Array, W: number, topBits: number): void {
  const n = peers.length;
  const cmp = (a: number, b: number): number => {
    for (let k = 0; k < W; k++) {
      const x = ids[a * W + k]!;
      const y = ids[b * W + k]!;
      if (x !== y) return x < y ? -1 : 1;
    }
    return a - b;
  };
  if (n < 4096) {
    peers.sort(cmp);
    return;
  }
  // About 8 numbers per bucket.
  const keyBits = Math.min(topBits, 24, Math.max(8, Math.ceil(Math.log2(n)) - 3));
  const shift = topBits - keyBits;
  const starts = new Int32Array((1 << keyBits) + 1);
  for (let i = 0; i < n; i++) starts[(ids[peers[i]! * W]! >>> shift) + 1]!++;
  for (let b = 1; b < starts.length; b++) starts[b]! += starts[b - 1]!;
  const next = starts.slice(0, starts.length - 1);
  // The numbers by bucket, each beside its id's top word: the sort within a bucket compares these
  // (side by side in memory) and reads the ids only when top words tie.
  const out = new Int32Array(n);
  const tops = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const p = peers[i]!;
    const top = ids[p * W]!;
    const at = next[top >>> shift]!++;
    out[at] = p;
    tops[at] = top;
  }
  for (let b = 0; b + 1 < starts.length; b++) {
    const lo = starts[b]!;
    const hi = starts[b + 1]!;
    if (hi - lo > 64) out.subarray(lo, hi).sort(cmp);
    else insertionSort(out, tops, lo, hi, cmp);
  }
  peers.set(out);
}

/** Sorts a[lo..hi) by (top word, then `cmp`), moving the top words in `tops` along. */
function insertionSort(a: Int32Array, tops: Uint32Array, lo: number, hi: number, cmp: (x: number, y: number) => number): void {
  for (let i = lo + 1; i < hi; i++) {
    const v = a[i]!;
    const vt = tops[i]!;
    let j = i - 1;
    while (j >= lo && (tops[j]! > vt || (tops[j] === vt && cmp(a[j]!, v) > 0))) {
      a[j + 1] = a[j]!;
      tops[j + 1] = tops[j]!;
      j--;
    }
    a[j + 1] = v;
    tops[j + 1] = vt;
  }
}
