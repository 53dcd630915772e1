/** The last line after a run: how to see its results in the viewer (a teacher's next step). */
export function viewHint(outDir: string): string {
  const dir = /\s/.test(outDir) ? JSON.stringify(outDir) : outDir;
  return `See the charts: npx peerlab view ${dir} --open   (a page on 127.0.0.1; Ctrl-C stops it)`;
}
