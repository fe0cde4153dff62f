// Pure: where the lines of one version of a file stand in a later one (a line diff). Code compiled from
// an earlier save of a .ts file keeps running with that save's source map after later saves added or
// removed lines above it (the swap engine leaves unchanged functions where they run, and tsx writes a
// whole module on one line, so no JavaScript line moves at all): its .ts lines are shifted through this.

/** A line diff kept as the runs of lines both versions share, in order. */
export interface LineShift {
  /** [first line in the earlier text, first line in the later text, how many], 0-based. */
  readonly runs: readonly (readonly [number, number, number])[];
}

/** The line shift from `from` to `to` (null: the texts are the same, or too different to compare). */
export function lineShift(from: string, to: string): LineShift | null {
  if (from === to) return null;
  // (loaded when first used: most runs never need a diff)
  const { diffArrays } = require('diff') as typeof import('diff');
  const a = from.split('\n');
  const b = to.split('\n');
  // a rewrite of most of the file is not worth a long diff: its lines are taken as they are
  const parts = diffArrays(a, b, { maxEditLength: 2000 } as never) as { added?: boolean; removed?: boolean; value: string[]; count?: number }[] | undefined;
  if (!parts) return null;
  const runs: [number, number, number][] = [];
  let i = 0;
  let j = 0;
  for (const p of parts) {
    const n = p.value.length;
    if (p.added) j += n;
    else if (p.removed) i += n;
    else { runs.push([i, j, n]); i += n; j += n; }
  }
  return { runs };
}

/**
 * A line of the earlier text (0-based) in the later one. A line that did not survive (changed or
 * removed) stands at the same distance into what replaced it, or at the next shared line.
 */
export function forwardLine(shift: LineShift, line: number): number {
  const runs = shift.runs;
  let lo = 0;
  let hi = runs.length - 1;
  let at = -1; // the last run starting at or before the line
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (runs[mid][0] <= line) { at = mid; lo = mid + 1; } else hi = mid - 1;
  }
  if (at >= 0 && line < runs[at][0] + runs[at][2]) return runs[at][1] + (line - runs[at][0]);
  // in a changed stretch: after run `at` (or at the start), before the next run
  const oldStart = at >= 0 ? runs[at][0] + runs[at][2] : 0;
  const newStart = at >= 0 ? runs[at][1] + runs[at][2] : 0;
  const next = runs[at + 1];
  const newEnd = next ? next[1] : Number.MAX_SAFE_INTEGER;
  return Math.min(newStart + (line - oldStart), Math.max(newStart, newEnd - 1));
}

/** A line of the later text (0-based) in the earlier one, or null when the earlier text has no such line. */
export function backwardLine(shift: LineShift, line: number): number | null {
  for (const [i, j, n] of shift.runs) {
    if (line < j) return null;
    if (line < j + n) return i + (line - j);
  }
  return null;
}
