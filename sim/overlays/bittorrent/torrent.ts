/**
 * The shared file cut into pieces (hashed, announced) and pieces into
 * blocks (requested). The last piece, and the last block of a piece, may be
 * shorter. In "piece" transfer mode a request asks for a whole piece, so the
 * torrent is built with one block per piece.
 */
export class Torrent {
  readonly pieces: number;
  /** Blocks in a full piece. */
  readonly blocksPerPiece: number;

  constructor(
    readonly fileBytes: number,
    readonly pieceBytes: number,
    /** The request unit: a block, or a whole piece in piece mode. */
    readonly blockBytes: number,
  ) {
    this.pieces = Math.ceil(fileBytes / pieceBytes);
    this.blocksPerPiece = Math.ceil(pieceBytes / blockBytes);
  }

  pieceLength(piece: number): number {
    return piece === this.pieces - 1 ? this.fileBytes - piece * this.pieceBytes : this.pieceBytes;
  }

  blocksIn(piece: number): number {
    return Math.ceil(this.pieceLength(piece) / this.blockBytes);
  }

  blockLength(piece: number, block: number): number {
    const length = this.pieceLength(piece);
    return Math.min(this.blockBytes, length - block * this.blockBytes);
  }

  /** One number for (piece, block), for request bookkeeping. */
  key(piece: number, block: number): number {
    return piece * this.blocksPerPiece + block;
  }

  pieceOf(key: number): number {
    return Math.floor(key / this.blocksPerPiece);
  }

  blockOf(key: number): number {
    return key % this.blocksPerPiece;
  }
}
