// Breakpoints by file and line. V8 forgets a script's breakpoints when LiveEdit changes it (docs/v8.md),
// so after every patch they are set again at the same file and line.
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
    private readonly locate: (file: string, line: number) => Promise<{ line: number; column: number; file?: string } | null> = async () => null,
  ) {}

  all(): readonly Breakpoint[] { return this.list; }

  numberOf(cdpId: string): number | null {
    return this.list.find((b) => b.cdpId === cdpId)?.n ?? null;
  }

  async add(file: string, line: number, condition?: string): Promise<Result<Breakpoint>> {
    const existing = this.list.find((b) => b.file === file && b.line === line);
    if (existing) return { ok: false, message: `breakpoint ${existing.n} is already there` };
    const bp: Breakpoint = { n: this.next, file, line, condition, cdpId: null, resolved: false };
    const set = await this.place(bp);
    if (!set.ok) return set;
    this.next++;
    this.list.push(bp);
    return { ok: true, value: bp };
  }

  private async place(bp: Breakpoint): Promise<Result<Breakpoint>> {
    try {
      const at = await this.locate(bp.file, bp.line).catch(() => null);
      if (at?.file && at.file !== bp.file) bp.placedIn = at.file;
      const r = await this.cdp.Debugger.setBreakpointByUrl({ urlRegex: urlRegexOf(bp.placedIn ?? bp.file), lineNumber: at ? at.line : bp.line - 1, columnNumber: at?.column, condition: bp.condition });
      bp.cdpId = r.breakpointId;
      bp.resolved = r.locations.length > 0;
      return { ok: true, value: bp };
    } catch (err) {
      return { ok: false, message: `V8 refused the breakpoint: ${protocolMessage(err)}` };
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
    if (bp.cdpId && (hitNow.includes(bp.cdpId) || (await this.holdRemovals()))) this.deferred.push(bp.cdpId);
    else await this.drop(bp.cdpId);
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
    for (const bp of this.list.splice(0)) await this.drop(bp.cdpId);
  }

  /** Take a breakpoint out of V8 (one it no longer has is fine). */
  private async drop(cdpId: string | null): Promise<void> {
    if (cdpId) await this.cdp.Debugger.removeBreakpoint({ breakpointId: cdpId }).catch(() => {});
  }

  /** A script of this file was patched: V8 dropped its breakpoints; put them back. */
  async restore(file: string): Promise<void> {
    for (const bp of this.list) {
      if (bp.file !== file && bp.placedIn !== file) continue;
      await this.drop(bp.cdpId);
      await this.place(bp);
    }
  }
}
