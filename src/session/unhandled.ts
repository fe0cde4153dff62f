// The `unhandled` break-on mode ("just my code" exceptions): V8 stops at every exception (its `all`
// state), and this filter lets go at once of the ones the program's own code catches, and of those
// thrown and caught in node's or a library's code without passing through the program's. What is left
// stops: a throw in (or through) the program's code taken by a framework, node's event machinery, a
// promise handler, or nothing at all. The decision reads the stack's source texts (./catcher.ts).
import type { Pause } from './pause';
import { fileOfUrl, type ScriptRegistry } from './registry';
import { CatchRanges, verdict, type StackFrameInfo, type Verdict } from './catcher';
import { LineIndex } from './boundaries';
import { originOf } from '../util/origin';
import { RETRYING_NOW } from './retry';

/**
 * Evaluated in the stopped frame: the async frames of a stack captured there (the callers awaiting
 * it), as JSON [file name, script name or source URL, line, column, function name]. Node's and any
 * other formatter are set aside for the capture, and the stack limit raised.
 */
const AWAITING = `(() => { const E = Error, was = E.prepareStackTrace, limit = E.stackTraceLimit;
  try {
    E.stackTraceLimit = 100;
    E.prepareStackTrace = (_, sites) => sites.filter((s) => s.isAsync()).map((s) => [s.getFileName() ?? null, s.getScriptNameOrSourceURL() ?? null, s.getLineNumber(), s.getColumnNumber(), s.getFunctionName() ?? null]);
    return JSON.stringify(new E().stack);
  } finally { E.prepareStackTrace = was; E.stackTraceLimit = limit; }
})()`;

export interface SourceReader {
  /** The script's running text (only its text: no map of our insertions is needed to find a catch). */
  source(scriptId: string): Promise<{ text: string } | null>;
  /** Evaluate globally in the stopped program. */
  evaluate(expression: string, frameIndex: number | null): Promise<{ ok: true; value: { value?: unknown } } | { ok: false }>;
}

export class UnhandledFilter {
  private readonly cache = new Map<string, { text: string; ranges: CatchRanges; lines: LineIndex }>();

  constructor(private readonly registry: ScriptRegistry, private readonly reader: SourceReader) {}

  /** Should this caught exception stop the program? (an uncaught one always does) */
  async decide(p: Pause): Promise<Verdict> {
    const frames: StackFrameInfo[] = [];
    let anyProgram = false;
    for (const f of p.callFrames) {
      const record = this.registry.byScriptId(f.location.scriptId);
      const origin = originOf(record ? record.file : null);
      if (origin === 'program') anyProgram = true;
      frames.push({ origin, catches: null, name: f.functionName || '(anonymous)' });
    }
    // nothing of the program's on the stack: node's or a library's business (cheap, no text read)
    if (!anyProgram) return { stop: false, why: 'not the program\'s code' };
    for (let i = 0; i < p.callFrames.length; i++) {
      const loc = p.callFrames[i].location;
      const src = await this.ranges(loc.scriptId);
      frames[i].catches = src ? src.ranges.catchesAt(src.lines.offset(loc.lineNumber, loc.columnNumber ?? 0)) : null;
      if (frames[i].catches) break;
    }
    let v = verdict(frames);
    // an async function resumed from an await: its callers awaiting it are not on the stack, and the
    // try/catch of one of them may be what catches it
    if (v.stop && v.catcher === null) {
      const awaiting = await this.awaitingFrames();
      if (awaiting.length) v = verdict([...frames, ...awaiting]);
    }
    // a retried async call (session/retry.ts) that fails again stops at the retry helper, which
    // awaits it: not at the throw as well
    if (v.stop && v.catcher === null && p.rejection) {
      const r = await this.reader.evaluate(RETRYING_NOW, 0);
      if (r.ok && r.value.value === true) return { stop: false, why: 'a retried call: the retry helper stops if it fails' };
    }
    return v;
  }

  /**
   * The async functions awaiting the stopped one, innermost first, as the program's own error.stack
   * lists them (`at async f (file:line:column)`, V8's await chain, which costs nothing to keep), each
   * with whether its await stands inside a try/catch of its own. Read by capturing a stack in the top
   * frame; empty when there are none, or it could not be read.
   */
  private async awaitingFrames(): Promise<StackFrameInfo[]> {
    const r = await this.reader.evaluate(AWAITING, 0);
    let sites: unknown;
    try { sites = r.ok && typeof r.value.value === 'string' ? JSON.parse(r.value.value) : []; } catch { sites = []; }
    if (!Array.isArray(sites)) return [];
    const out: StackFrameInfo[] = [];
    for (const site of sites as [string | null, string | null, number, number, string | null][]) {
      const [name, url, line, column, fn] = site;
      // (a CallSite names a CommonJS script by its path, an ES module by its URL: as scriptParsed does)
      const file = fileOfUrl(name ?? url ?? '');
      // code a name gives is a script's (by its file); code the swap engine compiled has its file as its URL
      const record = name !== null ? (file ? this.registry.scriptsOf(file).find((s) => !s.compiled) : undefined) : file ? this.registry.compiledAt(file, line - 1) ?? undefined : undefined;
      const src = record ? await this.ranges(record.scriptId) : null;
      out.push({ origin: originOf(record ? record.file : name === null ? null : file), catches: src ? src.ranges.catchesAt(src.lines.offset(line - 1, column - 1)) : null, name: fn || '(anonymous)' });
    }
    return out;
  }

  private async ranges(scriptId: string): Promise<{ ranges: CatchRanges; lines: LineIndex } | null> {
    const src = await this.reader.source(scriptId);
    if (!src) return null;
    const known = this.cache.get(scriptId);
    if (known && known.text === src.text) return known;
    const record = this.registry.byScriptId(scriptId);
    const entry = { text: src.text, ranges: new CatchRanges(src.text, record?.isModule ? 'module' : 'script'), lines: new LineIndex(src.text) };
    this.cache.set(scriptId, entry);
    return entry;
  }
}

/**
 * Each caught exception that goes on at once costs a full stop and resume in the `unhandled` mode (a
 * few ms each; the first ones in a script read its source). A program that throws and catches in a
 * loop would crawl: when such stops keep coming, at least `limit` in each of `windows` consecutive
 * spans of `windowMs`, the mode gives way to `uncaught` (LiveSession says so once). LiveSession keeps
 * two: one for what the program's own code catches (one window: its own loop, caught by itself,
 * never needs a stop), and one for what node or a library throws and catches (three windows: a
 * start, or a first request, often throws a few dozen in a library, optional dependencies or a
 * config file looked for, and giving way then would lose the stops at a handler's throw for the
 * whole run).
 */
export class CaughtRate {
  private readonly times: number[] = [];
  constructor(readonly limit = 10, readonly windowMs = 1000, readonly windows = 1) {}

  /** Count one stop that went on at once; true when they have kept coming (see the class). */
  tooMany(now: number): boolean {
    this.times.push(now);
    while (this.times.length && this.times[0] <= now - this.windowMs * this.windows) this.times.shift();
    const counts = new Array<number>(this.windows).fill(0);
    for (const t of this.times) counts[Math.min(this.windows - 1, Math.floor((now - t) / this.windowMs))]++;
    return counts.every((n) => n >= this.limit);
  }

  /** What the message says of the rate: `10 in 1 s`, `10 or more every 1 s for 3 s`. */
  describe(): string {
    return this.windows === 1 ? `${this.limit} in ${this.windowMs / 1000} s` : `${this.limit} or more every ${this.windowMs / 1000} s for ${(this.windows * this.windowMs) / 1000} s`;
  }

  reset(): void { this.times.length = 0; }
}
