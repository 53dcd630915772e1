/**
 * The minimum time to distribute a file of F bytes from a server (or initial
 * seeds) of upload u_s to N peers with uploads u_i and downloads d_i
 * (Kumar & Ross, "Peer-assisted file distribution: the minimum distribution
 * time", HotWeb 2006; Kurose & Ross, Computer Networking, §2.5):
 *
 *   client-server:  max(N·F/u_s, F/d_min)
 *   peer-to-peer:   max(F/u_s, F/d_min, N·F/(u_s + Σ u_i))
 *
 * Rates in bytes per ms, times in ms; an unlimited link is Infinity.
 */
export interface DistributionBounds {
  readonly clientServerMs: number;
  readonly peerToPeerMs: number;
}

export function distributionBounds(fileBytes: number, serverUpload: number, uploads: readonly number[], downloads: readonly number[]): DistributionBounds {
  const n = uploads.length;
  const dMin = downloads.reduce((a, b) => Math.min(a, b), Infinity);
  const sumU = uploads.reduce((a, b) => a + b, 0);
  const perDownlink = n > 0 ? fileBytes / dMin : 0;
  return {
    clientServerMs: Math.max((n * fileBytes) / serverUpload, perDownlink),
    peerToPeerMs: Math.max(fileBytes / serverUpload, perDownlink, (n * fileBytes) / (serverUpload + sumU)),
  };
}
