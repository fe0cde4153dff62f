// Pure: a script's inline source map (the `//# sourceMappingURL=data:…` comment a TypeScript loader
// such as tsx, ts-node or @swc-node/register puts at the end of its output), and moving that map onto
// the text our load-time transform makes of the script (retry boundaries, the swap engine's
// indirection: text inserted on the same lines, src/inject/boundary.ts), so that the map still says
// where each position of the running text came from. Loaded in the user's program by the load hooks
// (./inject), so it imports only the tiny codec.
import { decode, encode, type SourceMapMappings } from '@jridgewell/sourcemap-codec';

export interface RawSourceMap {
  version: number;
  sources: (string | null)[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
  file?: string;
  sourceRoot?: string;
  [key: string]: unknown;
}

const INLINE = /(?:\/\/|\/\*)[#@] sourceMappingURL=data:application\/json[^,]*?(;base64)?,([A-Za-z0-9+/=%\-_.!~*'()]+)\s*(?:\*\/)?[ \t]*$/gm;

/** The last inline source map comment of a text: where it stands and the map it carries. */
export function inlineMapOf(text: string): { start: number; end: number; map: RawSourceMap } | null {
  let last: RegExpExecArray | null = null;
  INLINE.lastIndex = 0;
  for (let m = INLINE.exec(text); m; m = INLINE.exec(text)) last = m;
  if (!last) return null;
  try {
    const json = last[1] ? Buffer.from(last[2], 'base64').toString('utf8') : decodeURIComponent(last[2]);
    const map = JSON.parse(json) as RawSourceMap;
    if (!map || typeof map.mappings !== 'string' || !Array.isArray(map.sources)) return null;
    return { start: last.index, end: last.index + last[0].length, map };
  } catch {
    return null;
  }
}

/** The comment that carries a map inline. */
export function inlineMapComment(map: RawSourceMap): string {
  return `//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(JSON.stringify(map), 'utf8').toString('base64')}`;
}

/** Line starts of a text (offset of each line's first character). */
export function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

/**
 * The map of `original`, moved onto the text made by inserting text (without line breaks) at these
 * offsets of `original`: a position at or after an insertion on its line moves right by its length.
 */
export function shiftMappings(mappings: SourceMapMappings, original: string, insertions: readonly { at: number; length: number }[]): SourceMapMappings {
  if (insertions.length === 0) return mappings;
  const starts = lineStarts(original);
  // per line: insertion columns and their running total
  const perLine = new Map<number, { col: number; total: number }[]>();
  let line = 0;
  for (const ins of [...insertions].sort((a, b) => a.at - b.at)) {
    while (line + 1 < starts.length && starts[line + 1] <= ins.at) line++;
    const list = perLine.get(line) ?? [];
    const total = (list.length ? list[list.length - 1].total : 0) + ins.length;
    list.push({ col: ins.at - starts[line], total });
    perLine.set(line, list);
  }
  return mappings.map((segments, l) => {
    const list = perLine.get(l);
    if (!list) return segments;
    return segments.map((seg) => {
      let shift = 0;
      for (const ins of list) { if (ins.col <= seg[0]) shift = ins.total; else break; }
      const moved = [...seg] as typeof seg;
      moved[0] = seg[0] + shift;
      return moved;
    });
  });
}

/**
 * `transformed` is `original` with text inserted (no line breaks) at `insertions`. When `original`
 * carries an inline source map, return `transformed` with that map moved onto it; else `transformed`.
 */
export function moveInlineMap(original: string, transformed: string, insertions: readonly { at: number; length: number }[]): string {
  const found = inlineMapOf(original);
  if (!found || insertions.length === 0) return transformed;
  // the comment itself is never inside a function, so no insertion comes after its start
  const before = insertions.filter((i) => i.at <= found.start).reduce((s, i) => s + i.length, 0);
  const start = found.start + before;
  const end = found.end + before;
  if (transformed.slice(start, end) !== original.slice(found.start, found.end)) return transformed;
  return transformed.slice(0, start) + inlineMapComment(movedMap(found.map, original, insertions)) + transformed.slice(end);
}

/** `map` (of `original`) moved onto the text made by inserting text at these offsets of `original` (shiftMappings). */
export function movedMap(map: RawSourceMap, original: string, insertions: readonly { at: number; length: number }[]): RawSourceMap {
  return insertions.length ? { ...map, mappings: encode(shiftMappings(decode(map.mappings), original, insertions)) } : map;
}
