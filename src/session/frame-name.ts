// The name of a frame's function when V8 has none (an anonymous callback): the name the save's
// reports give that function (patch/functions.ts: `app.get('/users/:id') callback`,
// `main.setInterval() callback`), so that a stop, `bt` and a report speak of it the same way.
import { describeScript, type FunctionRecord, type ModuleKind } from '../patch/functions';
import { LineIndex, innermostAt, type BoundaryMap } from './boundaries';
import type { ScriptRecord } from './registry';

interface Named {
  /** The functions of the text as the user wrote it, sorted by start. */
  functions: FunctionRecord[];
  lines: LineIndex;
}

/** One reading per text (keyed by its BoundaryMap, or a swapped-in code's record), made at the first anonymous frame in it; null: it does not parse. */
const readings = new WeakMap<object, Named | null>();

function readingOf(key: object, text: () => string, kind: ModuleKind): Named | null {
  let named = readings.get(key);
  if (named !== undefined) return named;
  const source = text();
  try {
    const functions = [...describeScript(source, kind).functions].sort((a, b) => a.start - b.start);
    named = { functions, lines: new LineIndex(source) };
  } catch {
    named = null;
  }
  readings.set(key, named);
  return named;
}

/** The reports' name of the innermost function at a 0-based place of a reading (see reportedNameAt). */
function nameIn(named: Named | null, at: { line: number; column: number }): string | null {
  if (!named) return null;
  const best = innermostAt(named.functions, named.lines.offset(at.line, at.column));
  return !best || best.wrapper || /\(anonymous:\d+\)$/.test(best.name) ? null : best.name;
}

/**
 * The reports' name of the innermost function at a 0-based line and column of the running text, or
 * null when they have none better than V8's `(anonymous)` (their `(anonymous:12)` says no more than
 * the frame's own line) or the text does not parse.
 */
export function reportedNameAt(map: BoundaryMap, kind: ModuleKind, line: number, column: number): string | null {
  return nameIn(readingOf(map, () => map.originalText(), kind), map.original(line, column));
}

/**
 * The same for code the swap engine compiled (`record`; null without the text it was compiled from): that
 * code stands at the lines and columns of the saved text, whose reading names its functions as the
 * save's report did; `map` is the compiled code's own. On the saved text's first line the wrapper
 * stands in front of the function, which starts at `compiledLines.from` there, not always at its own
 * column (`compiledStart` in the saved text).
 */
export function reportedNameInSwapped(record: ScriptRecord, map: BoundaryMap, kind: ModuleKind, line: number, column: number): string | null {
  const saved = record.shownText;
  if (saved === undefined) return null;
  const named = readingOf(record, () => saved, kind);
  let at = map.original(line, column);
  const from = record.compiledLines?.from;
  if (named && from !== undefined && record.compiledStart !== undefined && at.line === record.compiledLines!.first) {
    const own = named.lines.position(record.compiledStart);
    at = { line: own.line, column: at.column - from + own.column };
  }
  return nameIn(named, at);
}
