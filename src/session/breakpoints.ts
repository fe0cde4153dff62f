// Breakpoints by file and line. V8 forgets a script's breakpoints when LiveEdit changes it (docs/v8.md),
// so after every patch they are set again at the same file and line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { protocolMessage, type Connection } from '../cdp/connection';
import type { Result } from '../util/result';

export interface Breakpoint {
  /** The number the user sees (`clear 2`). */
  n: number;
  file: string;
  /** 1-based. */
  line: number;
  condition?: string;
  cdpId: string | null;
  /** Has V8 placed it in a loaded script? */
  resolved: boolean;
  /** The file whose script holds it, when not `file` (dist/x.js for a line of src/x.ts, compiled by tsc). */
  placedIn?: string;
  /**
   * Placed in each loaded script by id instead of by URL (a line of a .ts file a loader compiled: the
   * module and each function the swap engine swapped in stand at different places for the same line);
   * `cdpId` is the first of them.
   */
  inScripts?: { scriptId: string; cdpId: string }[];
}

/** Where a line stands in one loaded script (0-based). */
export interface ScriptPlace { scriptId: string; line: number; column: number }

/** Where a file's line stands in the text V8 runs; `scripts`: place it in these scripts by id. */
export interface Located { line: number; column: number; file?: string; scripts?: ScriptPlace[] }

/** The V8 breakpoints that make up a breakpoint. */
function idsOf(bp: Breakpoint): string[] {
  return bp.inScripts ? bp.inScripts.map((s) => s.cdpId) : bp.cdpId ? [bp.cdpId] : [];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Matches the script URLs node gives a file: a file:// URL, or the plain path (.ts on Node 22). */
export function urlRegexOf(file: string): string {
  return `^(?:${escape(pathToFileURL(file).href)}|${escape(file)})$`;
}

export class Breakpoints {
  private readonly list: Breakpoint[] = [];
  private readonly deferred: string[] = [];
  private next = 1;

  /**
   * `holdRemovals`: is the program stopped where removing a breakpoint and then stepping aborts node
   * 24 and 26 (PauseSession.standsAtCodelessEnd: the retry boundary's `void 0xEC` at a function's end,
   * docs/v8.md)? Every removal then waits until the program has moved on.
   */
  /**
   * `locate`: where a file's line stands in the text V8 runs, when that is not the same line (a .ts
   * file a loader compiled: src/loaders/mapped.ts); null: the same line.
   */
  constructor(
    private readonly cdp: Connection,
    private readonly holdRemovals: () => Promise<boolean> = async () => false,
    private readonly locate: (file: string, line: number) => Promise<Located | null> = async () => null,
  ) {}

  all(): readonly Breakpoint[] { return this.list; }

  numberOf(cdpId: string): number | null {
    return this.list.find((b) => idsOf(b).includes(cdpId))?.n ?? null;
  }

  /**
   * `loaded`: the program has loaded the file, so a breakpoint V8 finds no code for (a line past the
   * end, a typo; or after the last statement) would never stop: refused, with the file's length.
   */
  async add(file: string, line: number, condition?: string, loaded = false): Promise<Result<Breakpoint>> {
    const existing = this.list.find((b) => b.file === file && b.line === line);
    if (existing) return { ok: false, message: `breakpoint ${existing.n} is already there` };
    const bp: Breakpoint = { n: this.next, file, line, condition, cdpId: null, resolved: false };
    const set = await this.place(bp);
    if (!set.ok) return set;
    if (loaded && !bp.resolved) {
      for (const id of idsOf(bp)) await this.drop(id);
      const lines = lineCount(file);
      return { ok: false, message: `no breakpoint: ${path.basename(file)} has no code at line ${line} or after it${lines !== null && lines < line ? ` (it has ${lines} lines)` : ''}` };
    }
    this.next++;
    this.list.push(bp);
    return { ok: true, value: bp };
  }

  private async place(bp: Breakpoint): Promise<Result<Breakpoint>> {
    try {
      const at = await this.locate(bp.file, bp.line).catch(() => null);
      if (at?.scripts?.length) return await this.placeInScripts(bp, at.scripts);
      delete bp.inScripts;
      if (at?.file && at.file !== bp.file) bp.placedIn = at.file;
      const r = await this.cdp.Debugger.setBreakpointByUrl({ urlRegex: urlRegexOf(bp.placedIn ?? bp.file), lineNumber: at ? at.line : bp.line - 1, columnNumber: at?.column, condition: bp.condition });
      bp.cdpId = r.breakpointId;
      bp.resolved = r.locations.length > 0;
      return { ok: true, value: bp };
    } catch (err) {
      return { ok: false, message: `V8 refused the breakpoint: ${protocolMessage(err)}` };
    }
  }

  /** Place it in each of these scripts by id (one V8 breakpoint each); fine when one of them takes it. */
  private async placeInScripts(bp: Breakpoint, places: ScriptPlace[]): Promise<Result<Breakpoint>> {
    const placed: { scriptId: string; cdpId: string }[] = [];
    let refused: unknown = null;
    for (const p of places) {
      try {
        const r = await this.cdp.Debugger.setBreakpoint({ location: { scriptId: p.scriptId, lineNumber: p.line, columnNumber: p.column }, condition: bp.condition });
        placed.push({ scriptId: p.scriptId, cdpId: r.breakpointId });
      } catch (err) {
        refused = err; // a script that is gone (collected), or a place V8 has a breakpoint at already
      }
    }
    if (!placed.length) return { ok: false, message: `V8 refused the breakpoint: ${protocolMessage(refused)}` };
    bp.inScripts = placed;
    bp.cdpId = placed[0].cdpId;
    bp.resolved = true;
    return { ok: true, value: bp };
  }

  /**
   * The swap engine compiled new code for this file: breakpoints placed by script go into the new
   * scripts too (the others stay where they are: nothing is dropped, so a stop at one is not disturbed).
   */
  async extend(file: string): Promise<void> {
    for (const bp of this.list) {
      if (bp.file !== file || !bp.inScripts) continue;
      const at = await this.locate(bp.file, bp.line).catch(() => null);
      const known = new Set(bp.inScripts.map((s) => s.scriptId));
      for (const p of at?.scripts ?? []) {
        if (known.has(p.scriptId)) continue;
        try {
          const r = await this.cdp.Debugger.setBreakpoint({ location: { scriptId: p.scriptId, lineNumber: p.line, columnNumber: p.column }, condition: bp.condition });
          bp.inScripts.push({ scriptId: p.scriptId, cdpId: r.breakpointId });
        } catch { /* gone, or V8 has one there already */ }
      }
    }
  }

  /** A script of this file loaded: its breakpoints placed by URL for want of one go in by script now. */
  async placeLoaded(file: string): Promise<void> {
    for (const bp of this.list) {
      if (bp.file !== file || bp.inScripts || bp.placedIn) continue;
      const at = await this.locate(bp.file, bp.line).catch(() => null);
      if (!at?.scripts?.length) continue;
      await this.drop(bp.cdpId);
      if (!(await this.placeInScripts(bp, at.scripts)).ok) await this.place(bp);
    }
  }

  /**
   * Remove breakpoint n. `hitNow`: the V8 breakpoints the program is stopped at at the end of a
   * function (PauseSession.breakpointsAtFunctionEnd). One of those leaves V8 only once the program
   * has moved on (flushDeferred: at its next stop, or before it is let go): on node 24 and 26,
   * removing it there and then stepping aborts the process with "Invalid bytecode" (docs/v8.md).
   */
  async remove(n: number, hitNow: readonly string[] = []): Promise<Result<Breakpoint>> {
    const i = this.list.findIndex((b) => b.n === n);
    if (i < 0) return { ok: false, message: `there is no breakpoint ${n}${this.list.length ? ` (breakpoints: ${this.list.map((b) => b.n).join(', ')})` : ''}` };
    const [bp] = this.list.splice(i, 1);
    const ids = idsOf(bp);
    if (ids.length && (ids.some((id) => hitNow.includes(id)) || (await this.holdRemovals()))) this.deferred.push(...ids);
    else for (const id of ids) await this.drop(id);
    return { ok: true, value: bp };
  }

  /**
   * Cleared breakpoints V8 still has (see remove): the program has moved on, take them out now.
   * `atStop`: called at a new stop, which may be such a place again: then they wait on (before a
   * resume they go whatever the place: resuming from there is safe).
   */
  async flushDeferred(atStop = false): Promise<void> {
    if (atStop && this.deferred.length && (await this.holdRemovals())) return;
    for (const id of this.deferred.splice(0)) await this.drop(id);
  }

  async removeAll(): Promise<void> {
    await this.flushDeferred();
    for (const bp of this.list.splice(0)) for (const id of idsOf(bp)) await this.drop(id);
  }

  /** Take a breakpoint out of V8 (one it no longer has is fine). */
  private async drop(cdpId: string | null): Promise<void> {
    if (cdpId) await this.cdp.Debugger.removeBreakpoint({ breakpointId: cdpId }).catch(() => {});
  }

  /** A script of this file was patched: V8 dropped its breakpoints; put them back. */
  async restore(file: string): Promise<void> {
    for (const bp of this.list) {
      if (bp.file !== file && bp.placedIn !== file) continue;
      for (const id of idsOf(bp)) await this.drop(id);
      await this.place(bp);
    }
  }
}

/** Lines of a file as it is on disk, or null when it cannot be read. */
function lineCount(file: string): number | null {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  } catch {
    return null;
  }
}
