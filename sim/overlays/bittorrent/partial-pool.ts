import { PartialPiece } from "./state.js";

/**
 * Records of started pieces, recycled (execution: rounds). A large swarm
 * starts millions of pieces, each record living for many rounds: left to
 * the garbage collector they are promoted to the old generation and make
 * every major collection longer. Every record here has one block: rounds
 * move whole pieces.
 */
export class PartialPool {
  private readonly free: PartialPiece[] = [];

  take = (piece: number, blocks: number): PartialPiece => {
    const recycled = this.free.pop();
    return recycled !== undefined && recycled.blocks === blocks ? recycled.reuse(piece) : new PartialPiece(piece, blocks);
  };

  /** `partial` is no longer in any peer's list of started pieces. */
  give(partial: PartialPiece): void {
    this.free.push(partial);
  }
}
