// The name of a frame's function when V8 has none (an anonymous callback): the name the save's
// reports give that function (patch/functions.ts: `app.get('/users/:id') callback`,
// `main.setInterval() callback`), so that a stop, `bt` and a report speak of it the same way.
import { describeScript, type FunctionRecord, type ModuleKind } from '../patch/functions';
import { LineIndex, innermostAt, type BoundaryMap } from './boundaries';

interface Named {
  /** The functions of the text as the user wrote it, sorted by start. */
  functions: FunctionRecord[];
  lines: LineIndex;
}

/** One reading per running text (its BoundaryMap), made at the first anonymous frame in it; null: it does not parse. */
const readings = new WeakMap<BoundaryMap, Named | null>();

function readingOf(map: BoundaryMap, kind: ModuleKind): Named | null {
  let named = readings.get(map);
  if (named !== undefined) return named;
  const text = map.originalText();
  try {
    const functions = [...describeScript(text, kind).functions].sort((a, b) => a.start - b.start);
    named = { functions, lines: new LineIndex(text) };
  } catch {
    named = null;
  }
  readings.set(map, named);
  return named;
}

/**
 * The reports' name of the innermost function at a 0-based line and column of the running text, or
 * null when they have none better than V8's `(anonymous)` (their `(anonymous:12)` says no more than
 * the frame's own line) or the text does not parse.
 */
export function reportedNameAt(map: BoundaryMap, kind: ModuleKind, line: number, column: number): string | null {
  const named = readingOf(map, kind);
  if (!named) return null;
  const at = map.original(line, column);
  const offset = named.lines.offset(at.line, at.column);
  const best = innermostAt(named.functions, offset);
  return !best || best.wrapper || /\(anonymous:\d+\)$/.test(best.name) ? null : best.name;
}
