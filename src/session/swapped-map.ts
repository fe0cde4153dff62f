// Positions in a function the swap engine swapped in from a loader's output (tsx, ts-node, …), and the
// .ts file: the swapped-in code stands at the lines and columns of the save's loader output (padded,
// docs/swap.md) with retry boundaries and dispatch inserted, and that output carries its own source map
// (the record's shownText). So: running position ⇄ output position (the boundary map's cuts) ⇄ .ts
// position (the output's map).
import { LoaderMap, type Position } from '../loaders/mapped';
import type { BoundaryMap } from './boundaries';
import { inCompiledWrapper, type ScriptRecord } from './registry';

function mapOf(record: ScriptRecord): LoaderMap | null {
  return record.compiled && record.shownText !== undefined ? LoaderMap.of(record.file, record.shownText) : null;
}

/** The .ts position (0-based) of a running position of swapped-in code; null: not such code, or no map. */
export function tsPositionInSwapped(record: ScriptRecord, map: BoundaryMap, pos: Position): Position | null {
  const loader = mapOf(record);
  return loader ? loader.original(map.original(pos.line, pos.column)) : null;
}

/**
 * Where the first code of a .ts line (1-based) stands in swapped-in code (0-based running position), or
 * null when that code is not the swapped-in function's (it holds one function: the rest is padding and
 * the wrapper that names it, where a breakpoint must not go).
 */
export function swappedPositionOf(record: ScriptRecord, map: BoundaryMap, line1: number): Position | null {
  const loader = mapOf(record);
  const at = loader?.generated(line1);
  if (!at || !record.compiledLines) return null;
  const running = map.running(at.line, at.column);
  const offset = map.lines.offset(running.line, running.column);
  if (running.line >= map.lines.lineCount || map.lines.position(offset).line !== running.line) return null;
  const fn = map.functionAt(offset);
  if (!fn) return null;
  const start = map.lines.position(fn.start);
  if (inCompiledWrapper(record.compiledLines, start.line, start.column)) return null;
  return running;
}
