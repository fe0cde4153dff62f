// Pure: V8 LiveEdit compares the old and new text line by line, then compares the tokens of each run
// of changed lines, but only when that run is shorter than 800 characters on both sides (liveedit.cc,
// CHUNK_LEN_LIMIT). A longer run is taken as changed as a whole: the functions in it lose their link to
// the running ones, and V8 answers Ok while the program keeps the old code (docs/v8.md). A loader that
// writes a whole module on one line (tsx: esbuild's minified whitespace) makes every edit such a run.

export const LIVE_EDIT_CHUNK_LIMIT = 800;

/** The longest run of changed lines between two texts, in characters of the longer side (0: same). */
export function longestChangedRun(before: string, after: string): number {
  // (loaded when first used: not at every start, which needs no diff)
  const { diffArrays } = require('diff') as typeof import('diff');
  const parts = diffArrays(before.split('\n'), after.split('\n'));
  let longest = 0;
  let removed = 0;
  let added = 0;
  const close = () => { longest = Math.max(longest, removed, added); removed = 0; added = 0; };
  for (const p of parts) {
    // each line counts with its line break, as V8 counts characters of the chunk
    const chars = p.value.reduce((s, l) => s + l.length + 1, 0);
    if (p.removed) removed += chars;
    else if (p.added) added += chars;
    else close();
  }
  close();
  return longest;
}
