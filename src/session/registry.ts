// Every script the program loaded, keyed by the file it came from.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Protocol } from 'devtools-protocol';
import type { CompiledSource } from '../loaders/compiled';
import { DATA_URL, SWAP_MARK } from '../inject/mark';
import { forgetSource } from '../loaders/latest-source';

export interface ScriptRecord {
  scriptId: string;
  url: string;
  file: string;
  isModule: boolean;
  typescript: boolean;
  /** What V8 runs now, once fetched or sent by us: ask ScriptRegistry.runningText, which owns it. */
  runningText?: string;
  /**
   * Code the swap engine compiled for this file (a swapped-in function): not a version of the file to
   * patch. Its runningText is the compiled code (with SWAP_MARK after it, so that its insertions are
   * read back like a loaded file's), which stands at the file's lines; `shownText` is the file's text
   * it was compiled from, which the prompt shows.
   */
  compiled?: true;
  /**
   * A text whose inline source map describes what V8 runs, when the running text's own comment is an
   * older map (a loader's output patched with the comment it was loaded with: src/patch/engine.ts).
   */
  mapText?: string;
  /** The source map the script names (`//# sourceMappingURL=`), as V8 reported it. */
  sourceMapURL?: string;
  /** Compiled output (tsc): the .ts file it was compiled from and its map (src/loaders/compiled.ts). */
  compiledFrom?: CompiledSource;
  shownText?: string;
  /**
   * For compiled code: the 0-based lines of the file that its function stands on (from `first`, or,
   * with `from`, from that column of line `first`: inCompiledWrapper).
   */
  compiledLines?: { first: number; last: number; from?: number };
  /** For compiled code: the offset in `shownText` where its function's text starts (it stands at `from` on line `first`). */
  compiledStart?: number;
}

/** Code the swap engine compiles, and where its function starts in the text it was compiled from (ScriptRecord.compiledStart). */
export interface CompiledCode {
  code: string;
  start?: number;
}

const TS_EXTENSIONS = new Set(['.ts', '.cts', '.mts']);

/**
 * The sourceURL of the no-op that stops an idle program (pause-session.ts): a stop there is shown as
 * the program being idle, not as code of node's. V8 gives a paused frame no URL of its own (its
 * `url` is empty), so the scripts are known by id from their scriptParsed.
 */
export const IDLE_URL = 'edit-continue:idle';

/** How many URLs of other scripts the registry keeps (node's own are ~110–150). */
const MAX_OTHER_URLS = 5000;

/** The file a script URL names, or null for node internals, eval code and the like. */
export function fileOfUrl(url: string): string | null {
  // a save's module compiled by the program's loader (src/inject/compile-hooks.ts): not the file's
  if (!url || url.includes('?ec-compile=')) return null;
  let file: string;
  if (url.startsWith('file://')) {
    try { file = fileURLToPath(url); } catch { return null; }
  } else if (path.isAbsolute(url)) {
    file = url; // Node 22 reports .ts/.cts scripts by plain path
  } else {
    return null;
  }
  return realOfScript(file);
}

/** A file's modification time and size, or null when it cannot be read. */
function statOf(file: string): { mtimeMs: number; size: number } | null {
  try { const st = fs.statSync(file); return { mtimeMs: st.mtimeMs, size: st.size }; } catch { return null; }
}

/** Real paths of the folders scripts were loaded from (realOfScript). */
const realFolders = new Map<string, string>();

/**
 * The real path of a script's file, for every script V8 announces (2,000 of them for a program of
 * 2,000 modules). Node's loaders give a script the real path of its file unless --preserve-symlinks
 * is on, so the folder's real path is asked once per folder and the file itself is only checked for
 * being a link: one lstat instead of a realpath (an lstat per part of the path), about half the
 * controller's CPU for it (bench/ANALYSIS.md).
 */
function realOfScript(file: string): string {
  const dir = path.dirname(file);
  let realDir = realFolders.get(dir);
  if (realDir === undefined) {
    try { realDir = fs.realpathSync.native(dir); } catch { return file; }
    if (realFolders.size >= 10000) realFolders.clear();
    realFolders.set(dir, realDir);
  }
  const joined = realDir === dir ? file : path.join(realDir, path.basename(file));
  const st = fs.lstatSync(joined, { throwIfNoEntry: false });
  if (!st) return file; // (gone: as named, as realpath's failure gave it before)
  if (!st.isSymbolicLink()) return joined;
  try { return fs.realpathSync.native(joined); } catch { return joined; }
}

export function realFile(file: string): string {
  try { return fs.realpathSync.native(path.resolve(file)); } catch { return path.resolve(file); }
}

/** Asks V8 for a script's text (Debugger.getScriptSource). */
export type FetchSource = (scriptId: string) => Promise<string>;

export class ScriptRegistry {
  private readonly byFile = new Map<string, ScriptRecord[]>();
  private readonly byId = new Map<string, ScriptRecord>();
  /** Texts of scripts that are not a file's (node's own code, eval): for frames shown at a stop. */
  private readonly otherTexts = new Map<string, string>();

  constructor(private readonly fetchSource: FetchSource = () => Promise.reject(new Error('no inspector to ask for the script source'))) {}

  /**
   * What V8 runs now for a script: the one answer for every part (the engines, the pause session).
   * Asked of V8 once, then kept; a patch we send replaces it (`nowRuns`). Rejects when V8 cannot say
   * (the script is gone, the connection closed).
   */
  async runningText(scriptId: string): Promise<string> {
    const record = this.byId.get(scriptId);
    const known = record ? record.runningText : this.otherTexts.get(scriptId);
    if (known !== undefined) return known;
    const text = await this.fetchSource(scriptId);
    if (record) record.runningText ??= text; else this.otherTexts.set(scriptId, text);
    return record ? record.runningText! : text;
  }

  /** V8 took this text for the script (a LiveEdit patch went in). */
  nowRuns(record: ScriptRecord, text: string): void {
    record.runningText = text;
  }
  private readonly listeners: ((record: ScriptRecord) => void)[] = [];
  /**
   * JSON modules of the program's own that it loaded (src/inject/hooks.ts dataLoaded), with their
   * modification time and size when the program loaded them (null: could not tell).
   */
  private readonly data = new Map<string, { mtimeMs: number; size: number } | null>();
  private readonly dataSaid = new Set<string>();
  private readonly dataListeners: ((file: string) => void)[] = [];
  /** Scripts the swap engine is about to compile, by URL (they carry the file's URL as sourceURL). */
  private readonly compiledByFile = new Map<string, ScriptRecord[]>();
  private readonly compiling = new Map<string, { codes: CompiledCode[]; text?: string }>();
  /** The no-ops that stopped an idle program (one a Ctrl+C at most). */
  private readonly idleIds = new Set<string>();
  /**
   * URLs of scripts that are no file of the program's (node's own `node:internal/timers`, a vm
   * script's name), by id: a frame in one is shown where node's own stack traces put it. Bounded:
   * a program that compiles code without end does not grow the controller.
   */
  private readonly otherUrls = new Map<string, string>();

  /**
   * The next scripts with this sourceURL are the swap engine's, compiled from `codes` in that order
   * (none: no more). `text`: the file's text they were compiled from (same lines), which the prompt
   * shows for them.
   */
  expectCompiled(url: string, codes: CompiledCode[], text?: string): void {
    if (codes.length > 0) this.compiling.set(url, { codes: [...codes], text }); else this.compiling.delete(url);
  }

  /** Record a parsed script; returns the record when it belongs to a file. */
  add(event: Protocol.Debugger.ScriptParsedEvent): ScriptRecord | null {
    if (event.url.startsWith(DATA_URL)) {
      const m = /^(-?[\d.]+):(-?\d+):(.*)$/s.exec(event.url.slice(DATA_URL.length));
      if (m && path.isAbsolute(m[3])) {
        const file = realOfScript(m[3]);
        if (!this.data.has(file)) {
          this.data.set(file, Number(m[2]) < 0 ? null : { mtimeMs: Number(m[1]), size: Number(m[2]) });
          for (const l of this.dataListeners) l(file);
        }
      }
      return null;
    }
    const file = fileOfUrl(event.url);
    if (!file) {
      if (event.url === IDLE_URL) this.idleIds.add(event.scriptId);
      else this.keepOtherUrl(event);
      return null;
    }
    const compiling = event.hasSourceURL ? this.compiling.get(event.url) : undefined;
    if (compiling && compiling.codes.length > 0) {
      // known by id (frames show the file and line), but never a script of the file to patch or watch
      const { code, start } = compiling.codes.shift()!;
      const record: ScriptRecord = { scriptId: event.scriptId, url: event.url, file, isModule: false, typescript: false, compiled: true, runningText: code + SWAP_MARK, shownText: compiling.text, compiledLines: compiledLines(code) };
      if (start !== undefined) record.compiledStart = start;
      // compiled by tsc: frames in it speak of the .ts, as the file's own script's do
      const from = this.byFile.get(file)?.find((r) => r.compiledFrom)?.compiledFrom;
      if (from) record.compiledFrom = from;
      this.byId.set(event.scriptId, record);
      const list = this.compiledByFile.get(file) ?? [];
      list.push(record);
      this.compiledByFile.set(file, list);
      return null;
    }
    const record: ScriptRecord = {
      scriptId: event.scriptId,
      url: event.url,
      file,
      isModule: event.isModule === true,
      typescript: TS_EXTENSIONS.has(path.extname(file).toLowerCase()),
      ...(event.sourceMapURL ? { sourceMapURL: event.sourceMapURL } : {}),
    };
    const list = this.byFile.get(file);
    if (list) {
      if (list.some((r) => r.scriptId === record.scriptId)) return null;
      list.push(record);
    } else {
      this.byFile.set(file, [record]);
    }
    if (record.typescript) forgetSource(file);
    this.byId.set(record.scriptId, record);
    for (const l of this.listeners) l(record);
    return record;
  }

  /**
   * The scripts V8 announced before the session listened, when the session does not take them as
   * its own (launch: node's internals and edit-continue's preload, reported to the engine choice):
   * their URLs only, for frames shown in them.
   */
  knowUrls(events: readonly Protocol.Debugger.ScriptParsedEvent[]): void {
    for (const e of events) if (e.url !== IDLE_URL && !this.byId.has(e.scriptId)) this.keepOtherUrl(e);
  }

  private keepOtherUrl(e: { scriptId: string; url: string }): void {
    if (e.url && this.otherUrls.size < MAX_OTHER_URLS) this.otherUrls.set(e.scriptId, e.url);
  }

  /** The URL of a script that is no file of the program's (node's own code, a vm script), or null (none, or not kept). */
  otherUrl(scriptId: string): string | null {
    return this.otherUrls.get(scriptId) ?? null;
  }

  /**
   * The newest code the swap engine compiled for this file that stands on this 0-based line (a
   * swapped-in function's text), or null. Stack traces name the file for both; this tells them apart.
   */
  compiledAt(file: string, line: number): ScriptRecord | null {
    const list = this.compiledByFile.get(file) ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      const l = list[i].compiledLines;
      if (l && line >= l.first && line <= l.last) return list[i];
    }
    return null;
  }

  /** The code the swap engine compiled for this file (swapped-in functions), oldest first. */
  compiledOf(file: string): readonly ScriptRecord[] {
    return this.compiledByFile.get(file) ?? [];
  }

  onScript(listener: (record: ScriptRecord) => void): void {
    this.listeners.push(listener);
  }

  /** A JSON module of the program's own was loaded (once per file). */
  onData(listener: (file: string) => void): void {
    this.dataListeners.push(listener);
  }

  /**
   * A save of a file: is it a JSON module the program loaded, and is this the first save of it said
   * (`first`; later ones, and the file as the program read it, `again`)? null: not one. A program
   * that rewrites a JSON file it required (a small store) would otherwise have the same line at each
   * of its writes.
   */
  dataSaved(file: string): 'first' | 'again' | null {
    if (!this.data.has(file)) return null;
    // as it was when the program read it (a file written just before the start is checked then)
    const loaded = this.data.get(file);
    const now = statOf(file);
    if (now === null || (loaded && loaded.mtimeMs === now.mtimeMs && loaded.size === now.size)) return 'again';
    if (this.dataSaid.has(file)) return 'again';
    this.dataSaid.add(file);
    return 'first';
  }

  scriptsOf(file: string): ScriptRecord[] {
    return this.byFile.get(file) ?? [];
  }

  byScriptId(scriptId: string): ScriptRecord | undefined {
    return this.byId.get(scriptId);
  }

  /** Is this script the no-op that stopped an idle program (IDLE_URL)? */
  isIdle(scriptId: string): boolean {
    return this.idleIds.has(scriptId);
  }

  /** Scripts compiled from this .ts file (compiled output: dist/x.js of src/x.ts). */
  compiledFrom(tsFile: string): ScriptRecord[] {
    const out: ScriptRecord[] = [];
    for (const list of this.byFile.values()) for (const r of list) if (r.compiledFrom?.ts === tsFile) out.push(r);
    return out;
  }

  files(): string[] {
    return [...this.byFile.keys()];
  }
}

/**
 * The lines a swapped-in function's code stands on: it is padded with empty lines down to the line
 * before the function (which holds the wrapper that names it), and ends with its sourceURL comment
 * (and, for a loader's output node keeps maps of, its own source map's: src/loaders/save-maps.ts).
 */
function compiledLines(code: string): { first: number; last: number; from?: number } {
  let lead = 0;
  while (code.charCodeAt(lead) === 10) lead++;
  const lines = code.split('\n');
  // (after the code: its sourceURL comment, and the map of its own a loader's output gives it)
  let last = lines.length - 1;
  while (last > lead && lines[last].startsWith('//# ')) last--;
  // a function on the file's first line: the wrapper stands in front of it, padded out by a comment
  // (src/patch/swap-compile.ts)
  const pad = lead === 0 ? /\/\* *\*\//.exec(code) : null;
  return { first: lead, last: Math.max(lead, last), ...(pad ? { from: pad.index + pad[0].length } : {}) };
}

/**
 * Is this 0-based place of swapped-in code (a compiled record's) the wrapper's, not the function's? The
 * wrapper stands on the line before the function, or in front of it on its line (`from`).
 */
export function inCompiledWrapper(lines: { first: number; from?: number }, line: number, column: number): boolean {
  return line < lines.first || (line === lines.first && (lines.from === undefined || column < lines.from));
}
