// After a save of a file a loader compiled (tsx, ts-node, @swc-node/register, …): the source maps that
// say which .ts line running code came from. Two readers:
// - our frames, code frames, `bt`, `list` and breakpoints read the script records' maps
//   (src/loaders/mapped.ts: a map of an older .ts text is read through a line shift to the latest);
// - the program's own `error.stack`, node's print of an uncaught error and `module.findSourceMap()`
//   read node's source map cache, which node filled once, when the module loaded (tsx turns node's
//   source maps on).
// A save moves .ts lines without moving the JavaScript: a comment, a blank line or a type added in the
// .ts (tsx drops them: its output is the same code, only its map differs), or a line added in a function
// above others (tsx writes a module on one line: no JavaScript line moves at all). Left alone, both
// readers named the old lines for the code below the edit until a restart.
// Code the swap engine swaps in for such a file carries a URL of its own (the file's, with a
// `#ec-swap-N` fragment) and a map of its own (unitMap): one URL keeps one map in node, and the module's
// map cannot be right for both the loaded code and code compiled at another output's positions.
import { decode, encode, type SourceMapMappings } from '@jridgewell/sourcemap-codec';
import type { Connection } from '../cdp/connection';
import { V8_BEFORE_13, evaluateOutsideRegExp } from '../cdp/regexp-guard';
import { swapCuts, uncut } from '../inject/boundary';
import { LineIndex } from '../util/line-index';
import { SWAP_MARK } from '../inject/mark';
import { forwardLine, type LineShift } from './line-shift';
import { inlineMapOf, shiftMappings, type RawSourceMap } from './sourcemap';
import { pathToFileURL } from 'node:url';

/** The URL of the n-th piece of code the swap engine compiles for a file node keeps a map of. */
export function unitUrl(file: string, n: number): string {
  return `${pathToFileURL(file).href}#ec-swap-${n}`;
}

/** Is this script URL one of unitUrl's? */
export function isUnitUrl(url: string): boolean {
  return /#ec-swap-\d+$/.test(url);
}

/**
 * The map of swapped-in code (`code`: the function at [start, end) of a save's loader output `output`,
 * padded to its line and column there, with the swap engine's insertions: src/patch/swap-compile.ts):
 * the output's map, kept to the function (tsx writes a module on one line: its map is the whole
 * module's) and moved onto the insertions. Without names or the .ts text, which node reads from the
 * file. Null: the output has no map.
 */
export function unitMap(output: string, code: string, start: number, end: number): RawSourceMap | null {
  const found = inlineMapOf(output);
  if (!found) return null;
  // (the code read back as the registry reads it: with the mark its insertions are cuts)
  const { text: plain, cuts } = uncut(code, swapCuts(code + SWAP_MARK));
  const insertions = cuts.map((c) => ({ at: c.at, length: c.end - c.start }));
  // the function's own place in the output, which is its place in the code without the insertions
  const lines = new LineIndex(output);
  const from = lines.position(start);
  const to = lines.position(end);
  const kept: SourceMapMappings = decode(found.map.mappings).slice(0, to.line + 1).map((segments, l) => {
    if (l < from.line) return [];
    return segments
      .filter((seg) => seg.length >= 4 && (l > from.line || seg[0] >= from.column) && (l < to.line || seg[0] < to.column))
      .map((seg) => [seg[0], seg[1]!, seg[2]!, seg[3]!] as [number, number, number, number]);
  });
  return { version: 3, sources: found.map.sources, names: [], mappings: encode(shiftMappings(kept, plain, insertions)), ...(found.map.sourceRoot ? { sourceRoot: found.map.sourceRoot } : {}) };
}

/**
 * Are two maps of the same .ts text? A loader makes the same output and map of the same text, so when
 * both carry the text (sourcesContent: tsx, ts-node) that decides: their mappings may differ in columns
 * when one was moved onto our insertions by the load hook and the other not. Else, their mappings.
 */
export function sameMap(a: RawSourceMap, b: RawSourceMap): boolean {
  if (JSON.stringify(a.sources) !== JSON.stringify(b.sources)) return false;
  if (a.sourcesContent && b.sourcesContent) return JSON.stringify(a.sourcesContent) === JSON.stringify(b.sourcesContent);
  return a.mappings === b.mappings;
}

/** Does `text` carry a map of another .ts text than `current` does? (No map on either side: no.) */
export function mapChanged(text: string, current: string): boolean {
  const a = inlineMapOf(text)?.map;
  const b = inlineMapOf(current)?.map;
  return !!a && !!b && !sameMap(a, b);
}

/** What node's cached map of a module is to say from now on. */
export interface NodeMapUpdate {
  /** A new map to answer with (LiveEdit replaced the module's code); null: the one node holds. */
  map: RawSourceMap | null;
  /** The .ts lines of the map node answers with, shifted to the file's latest text (null: none). */
  shift: LineShift | null;
  /** The file's latest .ts text, for node's print of the line an uncaught error came from (null: the map's). */
  source: string | null;
}

/** One module's map in node: the names node may keep it under, and what it is to say. */
export interface NodeMapTarget { names: readonly string[]; update: NodeMapUpdate }

/**
 * An expression, evaluated in the program, that makes node's cached source map of each target answer
 * as its update says from now on, and gives for each whether node keeps such a map (false: source maps
 * are off, or node never saw the module's). node asks the same SourceMap object for each frame
 * (`findEntry`; `findOrigin` and `payload` for the print of an uncaught error), on node 20 to 26: the
 * object gets own methods, which ask the prototype's methods of the new map or of itself. Nothing of
 * node's is replaced; a later save replaces those methods again. The source-map-support that ts-node
 * bundles (its caches shared through a global of that library's) is made to read the module's map
 * again: ts-node's answer is the save's output, which our compile of it went through, and ts-node's
 * output keeps its lines, so that map is right for the code that runs: LiveEdit's whole new text, or
 * under the swap engine the functions that stand where they stood and those swapped in or placed
 * again at the new output's lines.
 */
export function nodeMapExpression(targets: readonly NodeMapTarget[]): string {
  const list = targets.map((t) => [t.names, t.update.map, t.update.shift, t.update.source]);
  return `((list) => {
  const M = process.getBuiltinModule('module');
  const P = typeof M.SourceMap === 'function' ? M.SourceMap.prototype : null;
  const forwardLine = ${forwardLine.toString()};
  const payloadOf = P && Object.getOwnPropertyDescriptor(P, 'payload')?.get;
  const sms = globalThis[Symbol.for('source-map-support/sharedData')];
  return list.map(([names, payload, shift, latest]) => {
    if (sms && typeof sms.sourceMapCache === 'object') {
      for (const n of names) for (const cache of [sms.sourceMapCache, sms.fileContentsCache]) if (cache) delete cache[n];
    }
    let held;
    if (P && typeof M.findSourceMap === 'function') for (const n of names) { try { held = M.findSourceMap(n); } catch {} if (held) break; }
    if (!held) return false;
    const from = payload ? new M.SourceMap(payload) : held;
    const line = (l) => (shift && typeof l === 'number' ? forwardLine(shift, l) : l);
    const own = (name, value) => Object.defineProperty(held, name, { value, configurable: true, writable: true, enumerable: false });
    own('findEntry', (l, c) => {
      const e = P.findEntry.call(from, l, c);
      return e && typeof e.originalLine === 'number' ? { ...e, originalLine: line(e.originalLine) } : e;
    });
    if (typeof P.findOrigin === 'function') own('findOrigin', (l, c) => {
      const o = P.findOrigin.call(from, l, c);
      return o && typeof o.lineNumber === 'number' ? { ...o, lineNumber: line(o.lineNumber - 1) + 1 } : o;
    });
    if (payloadOf) Object.defineProperty(held, 'payload', { configurable: true, enumerable: false, get: () => {
      const p = payloadOf.call(from);
      return latest !== null && p && Array.isArray(p.sourcesContent) && p.sourcesContent.length === 1 ? { ...p, sourcesContent: [latest] } : p;
    } });
    return true;
  });
})(${JSON.stringify(list)})`;
}

/** The names node may keep a module's map under: its URL as V8 knows it, its path, its file:// URL. */
export function nodeMapNames(file: string, url: string): string[] {
  return [...new Set([url, file, pathToFileURL(file).href].filter((n) => n))];
}

/** Tell node's source map cache what now runs (best effort: a failure changes nothing). */
export async function updateNodeMaps(cdp: Connection, targets: readonly NodeMapTarget[]): Promise<void> {
  if (!targets.length) return;
  // (node's findSourceMap runs a regular expression: cdp/regexp-guard.ts)
  await evaluateOutsideRegExp(cdp, { expression: nodeMapExpression(targets), returnByValue: true, silent: true }).catch(() => {});
}

/** Who in the program keeps a source map of a module, to be told after a save. */
export interface MapKeepers {
  /** node (tsx turns node's source maps on). */
  node: boolean;
  /** node, for code made by eval too: swapped-in code can carry its own (not where the program forbids code from strings). */
  evalMaps: boolean;
  /** The source-map-support ts-node bundles, which keeps maps of its own. */
  sms: boolean;
}

/** An expression, evaluated in the program, that says who keeps a map of the module named `names` (MapKeepers). */
export function keepersExpression(names: readonly string[]): string {
  return `((names) => {
  const M = process.getBuiltinModule('module');
  let node = false;
  if (typeof M.findSourceMap === 'function') for (const n of names) { try { if (M.findSourceMap(n)) { node = true; break; } } catch {} }
  // node keeps the maps of code made from strings in its hook for it, which runs regular expressions on
  // that code: on V8 before 13 (node 20, 22) not inside a match of the program's, which an install
  // cannot know (the hook runs before any code of its own: cdp/regexp-guard.ts); and not where the
  // program forbids code from strings
  const noCodegen = [...process.execArgv, ...String(process.env.NODE_OPTIONS || '').split(' ')].includes('--disallow-code-generation-from-strings');
  const evalMaps = node && !(${V8_BEFORE_13}) && !noCodegen;
  const sms = globalThis[Symbol.for('source-map-support/sharedData')];
  return { node, evalMaps, sms: !!(sms && typeof sms.sourceMapCache === 'object') };
})(${JSON.stringify(names)})`;
}

const NO_KEEPERS: MapKeepers = { node: false, evalMaps: false, sms: false };

/** Who keeps a source map of each script of a program (keepersExpression), asked once a script. */
export class NodeMapsKept {
  private readonly known = new Map<string, Promise<MapKeepers>>();

  constructor(private readonly cdp: Connection) {}

  of(script: { scriptId: string; file: string; url: string }): Promise<MapKeepers> {
    let known = this.known.get(script.scriptId);
    if (!known) {
      known = evaluateOutsideRegExp(this.cdp, { expression: keepersExpression(nodeMapNames(script.file, script.url)), returnByValue: true, silent: true })
        .then((r) => (r.exceptionDetails || !r.result.value ? NO_KEEPERS : { ...NO_KEEPERS, ...(r.result.value as MapKeepers) }), () => NO_KEEPERS);
      this.known.set(script.scriptId, known);
    }
    return known;
  }

  /** Does something in the program keep a map of the script that a save is to tell (node, or ts-node's source-map-support)? */
  async toTell(script: { scriptId: string; file: string; url: string }): Promise<boolean> {
    const k = await this.of(script);
    return k.node || k.sms;
  }
}
