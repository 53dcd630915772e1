/**
 * Content addressing: a file is chunked into blocks of `blockSize` bytes
 * (the leaves) linked by a balanced Merkle DAG (UnixFS's balanced layout:
 * each internal node links up to `linksPerNode` children), whose root's
 * hash is the file's CID. Every block is named by its own hash, so a peer
 * checks each block it receives against the CID it asked for.
 *
 * Blocks of a file are numbered from the root in breadth-first order: the
 * root is 0, the leaves come last. Hashes are modelled by numbers: block b
 * of file f has CID number `cid(f, b)`, unique across the run; the root's
 * CID number is the file's workload key, so a file's provider records sit
 * where the workload key sits in the DHT's id space.
 */

/** Bytes of an internal node: its UnixFS header, and per link a CID (36 bytes), a size and a name (about 48 bytes in all). */
const NODE_HEADER = 14;
const LINK = 48;

export class FileDag {
  /** Number of blocks (internal nodes and leaves). */
  readonly blocks: number;
  /** Number of leaves (data blocks). */
  readonly leaves: number;
  /** First block number of each level, from the root (level 0) down; the last level is the leaves. */
  private readonly levelStart: number[];
  private readonly levelCount: number[];

  constructor(
    readonly file: number,
    readonly bytes: number,
    readonly blockSize: number,
    readonly linksPerNode: number,
    /** Block number of this file's first non-root block in the run's CID numbering. */
    private readonly cidBase: number,
  ) {
    this.leaves = Math.max(1, Math.ceil(bytes / blockSize));
    const counts = [this.leaves];
    while (counts[0]! > 1) counts.unshift(Math.ceil(counts[0]! / linksPerNode));
    this.levelCount = counts;
    this.levelStart = [];
    let at = 0;
    for (const c of counts) {
      this.levelStart.push(at);
      at += c;
    }
    this.blocks = at;
  }

  /** The CID number of block `b`: the file's key for the root, a number past every key otherwise. */
  cid(b: number): number {
    return b === 0 ? this.file : this.cidBase + b - 1;
  }

  private levelOf(b: number): number {
    let level = this.levelCount.length - 1;
    while (this.levelStart[level]! > b) level--;
    return level;
  }

  /** True for data blocks. */
  isLeaf(b: number): boolean {
    return this.levelOf(b) === this.levelCount.length - 1;
  }

  /** The children of block `b` as a range [from, to) of block numbers; empty for a leaf. */
  children(b: number): [number, number] {
    const level = this.levelOf(b);
    if (level === this.levelCount.length - 1) return [0, 0];
    const i = b - this.levelStart[level]!;
    const below = this.levelStart[level + 1]!;
    const from = below + i * this.linksPerNode;
    return [from, Math.min(from + this.linksPerNode, below + this.levelCount[level + 1]!)];
  }

  /** Size of block `b` in bytes: a full block, the file's remainder for the last leaf, links for an internal node. */
  size(b: number): number {
    const level = this.levelOf(b);
    if (level === this.levelCount.length - 1) {
      const i = b - this.levelStart[level]!;
      return i < this.leaves - 1 ? this.blockSize : this.bytes - (this.leaves - 1) * this.blockSize;
    }
    const [from, to] = this.children(b);
    return NODE_HEADER + LINK * (to - from);
  }
}

/** Every file of the run as a DAG, with CID numbers that never collide. */
export class Dags {
  private readonly dags: FileDag[] = [];

  constructor(files: number, fileBytes: (file: number) => number, blockSize: number, linksPerNode: number) {
    let base = files;
    for (let f = 0; f < files; f++) {
      const dag = new FileDag(f, Math.max(1, Math.round(fileBytes(f))), blockSize, linksPerNode, base);
      base += dag.blocks - 1;
      this.dags.push(dag);
    }
  }

  of(file: number): FileDag {
    return this.dags[file]!;
  }

  get count(): number {
    return this.dags.length;
  }
}
