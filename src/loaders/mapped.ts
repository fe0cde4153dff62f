// Where a position of a loader's output (what V8 runs for a .ts file under tsx, ts-node, …) stands in
// the .ts file, and back: read from the inline source map the running text carries (moved onto the
// retry boundaries by the load hook, ./sourcemap.ts). Frames, the code frame at a stop, `list`, `bt`,
// `--json` and `break FILE:LINE` go through here for TypeScript files.
//
// A map says where code came from in the .ts as it was when the loader compiled it. Code that keeps
// running after later saves (a function the swap engine did not change, code swapped in by an earlier
// save) keeps its map, while lines were added or removed above it: a map made from an older .ts text
// than the file's latest (followSource: the last save an engine took) is read through a line shift
// to the latest (./line-shift.ts). LiveEdit replaces the whole script's map at each save: its maps
// are the latest.
import { GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, TraceMap, generatedPositionFor, originalPositionFor, sourceContentFor } from '@jridgewell/trace-mapping';
import { inlineMapOf } from './sourcemap';
import { backwardLine, forwardLine, lineShift, type LineShift } from './line-shift';
import { latestSource, setLatestSource } from './latest-source';
import { isTypeScriptFile } from './detect';
import { describeScript } from '../patch/functions';
import { rangeText } from '../patch/skeleton';

/** 0-based line and column. */
export interface Position { line: number; column: number }

/**
 * A save of a loader's output was taken (patched, or only its map changed): `text` carries the new
 * output's map, whose copy of the .ts is the file's latest. Returns that text (null: no map, or no
 * copy of the .ts in it).
 */
export function followSource(file: string, text: string): string | null {
  const source = LoaderMap.of(file, text)?.ownSourceText() ?? null;
  if (source !== null) setLatestSource(file, source);
  return source;
}

export class LoaderMap {
  private shifted: { to: string; shift: LineShift | null } | null = null;

  private constructor(private readonly map: TraceMap, private readonly source: string, private readonly file: string) {}

  /** The map of a running text of a TypeScript file, when a loader made it (null otherwise). */
  static of(file: string, text: string): LoaderMap | null {
    if (!isTypeScriptFile(file)) return null;
    const hit = cache.get(text);
    if (hit !== undefined) return hit;
    let made: LoaderMap | null = null;
    const found = inlineMapOf(text);
    if (found) {
      try {
        const map = new TraceMap(found.map as never);
        const source = map.resolvedSources[0] ?? map.sources[0];
        if (source) made = new LoaderMap(map, source, file);
      } catch { /* not a map we can read: positions stay the running text's */ }
    }
    if (cache.size >= 64) cache.delete(cache.keys().next().value!);
    cache.set(text, made);
    return made;
  }

  /** Where a running position came from in the .ts, as the file is now (null: the map says nothing of it). */
  original(pos: Position): Position | null {
    const o = this.originalAsMade(pos);
    const shift = o && this.shift();
    return o && shift ? { line: forwardLine(shift, o.line), column: o.column } : o;
  }

  /** Where a running position came from in the .ts the map was made from. */
  originalAsMade(pos: Position): Position | null {
    for (const bias of [GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND] as const) {
      const o = originalPositionFor(this.map, { line: pos.line + 1, column: pos.column, bias });
      if (o.line !== null) return { line: o.line - 1, column: o.column ?? 0 };
    }
    return null;
  }

  /** The first running position of a .ts line as the file is now (1-based line in, 0-based position out), for breakpoints. */
  generated(latestLine1: number): Position | null {
    let line1 = latestLine1;
    const shift = this.shift();
    if (shift) {
      // a line the map's text does not have: none of this code came from it
      const back = backwardLine(shift, latestLine1 - 1);
      if (back === null) return null;
      line1 = back + 1;
    }
    const g = generatedPositionFor(this.map, { source: this.source, line: line1, column: 0, bias: LEAST_UPPER_BOUND });
    if (g.line === null) return null;
    // a later line's code is not this line's: the map has nothing on this line
    const back = originalPositionFor(this.map, { line: g.line, column: g.column ?? 0 });
    if (back.line !== null && back.line !== line1) return null;
    return { line: g.line - 1, column: g.column ?? 0 };
  }

  /** The .ts text as the file is now, when the map carries the text it was made from (positions are the latest's). */
  sourceText(): string | null {
    const own = this.ownSourceText();
    return own === null ? null : latestSource(this.file) ?? own;
  }

  /** The .ts text the map was made from, when the map carries it. */
  ownSourceText(): string | null {
    return sourceContentFor(this.map, this.source) ?? null;
  }

  /** From the map's .ts text to the file's latest (null: the same, or not known). */
  shift(): LineShift | null {
    const to = latestSource(this.file);
    const own = to === undefined ? null : this.ownSourceText();
    if (to === undefined || own === null || own === to) return null;
    if (this.shifted?.to !== to) this.shifted = { to, shift: lineShift(own, to) };
    return this.shifted.shift;
  }
}

const cache = new Map<string, LoaderMap | null>();

/** 1-based line in the generated text → 1-based line in the .ts (null: the map says nothing). */
export type LineMapper = (line: number, column?: number) => number | null;

/** A LineMapper from a loader map (of a save's output: the lines of the .ts as saved). */
export function lineMapperOf(map: LoaderMap): LineMapper {
  return (line, column = 0) => {
    const o = map.originalAsMade({ line: line - 1, column });
    return o ? o.line + 1 : null;
  };
}

interface Reason { line?: number; lines?: number[]; message?: string }

interface HasLines {
  status: string;
  functions?: { name: string; line: number }[];
  notApplied?: Reason[];
  warnings?: Reason[];
  reasons?: Reason[];
  reason?: Reason;
}

/**
 * The lines of a save's outcome (changed functions, reasons) in the .ts instead of the generated text
 * `text` (changed functions are found in it by name and line, so that a one-line output maps each by
 * its own column). Changes the outcome in place.
 */
export function mapOutcomeLines<T extends HasLines>(outcome: T, toTs: LineMapper, text: string | null, kind: 'script' | 'module' = 'script'): T {
  let starts: Map<string, { line: number; column: number }> | null = null;
  if (text !== null && outcome.functions?.length) {
    starts = new Map();
    try {
      const model = describeScript(text, kind);
      const lines = lineStartsOf(text);
      for (const f of model.functions) {
        const key = `${f.name}@${f.line}`;
        if (!starts.has(key)) starts.set(key, { line: f.line, column: f.start - lines[f.line - 1] });
      }
    } catch { /* not parsable: lines alone */ }
  }
  const fix = (x: { line?: number; name?: string }) => {
    if (x.line === undefined) return;
    const at = x.name !== undefined ? starts?.get(`${x.name}@${x.line}`) : undefined;
    const mapped = toTs(x.line, at?.column ?? 0);
    if (mapped !== null) x.line = mapped;
  };
  // A reason that names its lines in its words (EC201's "(line 4-6)", the lines of the loader's output
  // that differ) does not name them: a loader's output is not laid out as the source (tsx writes a
  // module on a line or two), so those lines say nothing of the .ts file's. Both engines say it so.
  const fixLines = (r: Reason) => {
    if (!r.lines?.length) return;
    const named = ` (line ${rangeText(r.lines)})`;
    if (r.message?.includes(named)) r.message = r.message.replace(named, '');
    delete r.lines;
  };
  for (const f of outcome.functions ?? []) fix(f);
  for (const r of [...(outcome.notApplied ?? []), ...(outcome.warnings ?? []), ...(outcome.reasons ?? [])]) { fixLines(r); fix(r); }
  if (outcome.reason) { fixLines(outcome.reason); fix(outcome.reason); }
  return outcome;
}

function lineStartsOf(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}
