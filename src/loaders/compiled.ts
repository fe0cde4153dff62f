// Compiled output (`tsc --sourceMap`, `node dist/index.js`): which .ts file a loaded .js file was
// compiled from, read from its source map (external `x.js.map` or inline), and a save of that .ts made
// into the .js text tsc would write for it (./tsc.ts), so that it patches the running dist/x.js.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TraceMap, originalPositionFor, generatedPositionFor, GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND } from '@jridgewell/trace-mapping';
import { isTypeScriptFile } from './detect';
import { inlineMapOf, type RawSourceMap } from './sourcemap';
import type { Position } from './mapped';

export interface CompiledSource {
  /** The .ts file the script was compiled from. */
  ts: string;
  map: TraceMap;
  /** The map's name for that source. */
  source: string;
}

/** The .ts source of a compiled .js script, when its source map names exactly one that exists. */
export function compiledSourceOf(jsFile: string, sourceMapURL: string | undefined, text?: string): CompiledSource | null {
  if (!sourceMapURL || isTypeScriptFile(jsFile)) return null;
  let raw: RawSourceMap;
  let mapFile: string;
  try {
    if (sourceMapURL.startsWith('data:')) {
      const inline = text !== undefined ? inlineMapOf(text) : null;
      if (!inline) return null;
      raw = inline.map;
      mapFile = jsFile;
    } else {
      mapFile = sourceMapURL.startsWith('file:') ? fileURLToPath(sourceMapURL) : path.resolve(path.dirname(jsFile), sourceMapURL);
      raw = JSON.parse(fs.readFileSync(mapFile, 'utf8')) as RawSourceMap;
    }
  } catch {
    return null;
  }
  if (!Array.isArray(raw.sources) || raw.sources.length !== 1 || typeof raw.sources[0] !== 'string') return null;
  const source = raw.sources[0];
  const ts = source.startsWith('file:') ? fileURLToPath(source) : path.resolve(path.dirname(mapFile), raw.sourceRoot ?? '', source);
  if (!isTypeScriptFile(ts) || !fs.existsSync(ts)) return null;
  try {
    const map = new TraceMap(raw as never, mapFile);
    return { ts: realPath(ts), map, source: map.resolvedSources[0] ?? source };
  } catch {
    return null;
  }
}

/** A position of the compiled .js (as tsc wrote it, without our boundaries) in its .ts. */
export function tsPositionOf(src: CompiledSource, pos: Position): Position | null {
  for (const bias of [GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND] as const) {
    const o = originalPositionFor(src.map, { line: pos.line + 1, column: pos.column, bias });
    if (o.line !== null) return { line: o.line - 1, column: o.column ?? 0 };
  }
  return null;
}

/** The first .js position of a .ts line (1-based in, 0-based out). */
export function jsPositionOf(src: CompiledSource, line1: number): Position | null {
  const g = generatedPositionFor(src.map, { source: src.source, line: line1, column: 0, bias: LEAST_UPPER_BOUND });
  if (g.line === null) return null;
  const back = originalPositionFor(src.map, { line: g.line, column: g.column ?? 0 });
  if (back.line !== null && back.line !== line1) return null;
  return { line: g.line - 1, column: g.column ?? 0 };
}

function realPath(file: string): string {
  try { return fs.realpathSync.native(file); } catch { return file; }
}
