// The pause session: where the program is stopped, and every CDP call made while it is. The V8 rules
// for a stopped program live here (docs/v8.md): frames are restarted, and the top frame edited, only
// at a safe pause; an exception or interrupt pause is first made safe by one step.
import type { Protocol } from 'devtools-protocol';
import { protocolMessage, type Connection } from '../cdp/connection';
import type { SafePause } from '../patch/engine';
import { atDebuggerStatement, classifyPause, endsStep, isSafe, depthOf, maybeLeftoverStep, type BreakOn, type Pause, type PauseContext } from './pause';
import type { ScriptRecord, ScriptRegistry } from './registry';
import { BoundaryMap } from './boundaries';
import { swapCuts } from '../inject/boundary';
import { debug } from '../util/log';

const log = debug('pause');

export type StepKind = 'into' | 'over' | 'out';

/** Results as data: a failure says what happened, in words for the user. */
export type Result<T> = { ok: true; value: T } | { ok: false; message: string };
const fail = (message: string): { ok: false; message: string } => ({ ok: false, message });

export interface ScopeVariable {
  name: string;
  value: Protocol.Runtime.RemoteObject;
  scopeNumber: number;
  scopeType: string;
}

/** Names our boundaries add: never shown, never set. */
export const HIDDEN_NAMES = new Set(['__ec$r']);

export class PauseSession {
  current: Pause | null = null;
  private readonly ctx: PauseContext = { interruptRequested: false, stepping: false, stepArmed: false };
  private readonly pauseListeners: ((p: Pause) => void)[] = [];
  private readonly resumeListeners: (() => void)[] = [];
  private waiters: ((p: Pause) => void)[] = [];
  private readonly maps = new Map<string, { text: string; map: BoundaryMap }>();
  private readonly internalTexts = new Map<string, string>();
  private forceTimer: NodeJS.Timeout | null = null;
  /**
   * Set while the session drives the program itself (a step, a retry): listeners are not told of the
   * pauses it makes. A resume ends it: what stops the program after that is news.
   */
  private quiet = false;
  private announcedPause = false;
  /**
   * Counts V8's pauses. An answer to a command that let the program go (resume, restartFrame) can
   * arrive after the next pause it led to (V8 sends them together, and the answer's continuation runs
   * last): what the answer's caller does afterwards must not touch a newer pause.
   */
  private pauseCount = 0;

  constructor(private readonly cdp: Connection, private readonly registry: ScriptRegistry) {
    cdp.Debugger.on('paused', (e) => this.onPaused(e));
    cdp.Debugger.on('resumed', () => {
      log('resumed', this.quiet ? '(quiet)' : '');
      this.current = null;
      if (!this.quiet) this.announceResume();
    });
  }

  onPause(listener: (p: Pause) => void): void { this.pauseListeners.push(listener); }
  onResume(listener: () => void): void { this.resumeListeners.push(listener); }

  private onPaused(e: Protocol.Debugger.PausedEvent): void {
    if (maybeLeftoverStep(e, this.ctx)) { void this.leftoverStep(e); return; }
    this.take(e);
  }

  /**
   * V8 finished a step the user had moved on from: after `out` or `next` across an `await`, a
   * breakpoint elsewhere stopped the program first, and the user went on from there. Nobody asked
   * for this stop any more: let the program go on (a `debugger` statement there is a real stop).
   */
  private async leftoverStep(e: Protocol.Debugger.PausedEvent): Promise<void> {
    const frame = e.callFrames[0];
    if (e.reason !== 'step' && frame && (await this.isDebuggerStatement(frame))) { this.take(e); return; }
    log('a step the user moved on from ended in', frame?.functionName, ': going on');
    this.ctx.stepArmed = false;
    await this.cdp.Debugger.resume({}).catch(() => {});
  }

  private async isDebuggerStatement(frame: Protocol.Debugger.CallFrame): Promise<boolean> {
    const src = await this.source(frame.location.scriptId);
    if (!src) return true; // cannot tell: stop, as for a debugger statement
    return atDebuggerStatement(src.text, src.map.lines.offset(frame.location.lineNumber, frame.location.columnNumber ?? 0));
  }

  private take(e: Protocol.Debugger.PausedEvent): void {
    const pause = classifyPause(e, this.ctx);
    log('paused', pause.kind, e.reason, pause.callFrames[0]?.functionName);
    this.pauseCount++;
    if (this.ctx.stepping && !this.ctx.interruptRequested && endsStep(pause)) this.ctx.stepArmed = false;
    this.ctx.interruptRequested = false;
    this.ctx.stepping = false;
    if (this.forceTimer) { clearTimeout(this.forceTimer); this.forceTimer = null; }
    this.current = pause;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w(pause);
    if (waiters.length === 0 && !this.quiet) {
      this.announcedPause = true;
      for (const l of this.pauseListeners) l(pause);
    }
  }

  /** Tell resume listeners once per pause they were told of (V8's event and our own resume both come). */
  private announceResume(): void {
    if (!this.announcedPause) return;
    this.announcedPause = false;
    for (const l of this.resumeListeners) l();
  }

  get paused(): boolean { return this.current !== null; }

  async setBreakOn(mode: BreakOn): Promise<void> {
    await this.cdp.Debugger.setPauseOnExceptions({ state: mode });
  }

  /**
   * Stop the program where it is (Ctrl+C). An idle program runs no JavaScript to stop in: after a
   * moment, run a no-op in it so that it stops there (the prompt then has no frames of the program).
   */
  async requestPause(): Promise<void> {
    if (this.current) return;
    this.ctx.interruptRequested = true;
    await this.cdp.Debugger.pause();
    if (this.forceTimer) clearTimeout(this.forceTimer);
    this.forceTimer = setTimeout(() => {
      this.forceTimer = null;
      if (!this.current && this.ctx.interruptRequested) {
        this.cdp.Runtime.evaluate({ expression: 'void 0', silent: true }).catch(() => {});
      }
    }, 400);
  }

  /** The next pause, or null if none comes in time (the program runs on). */
  nextPause(timeoutMs = 5000): Promise<Pause | null> {
    return this.waitForPause(timeoutMs).next;
  }

  /**
   * Wait for the next pause; `cancel` when the command that would have led to it failed, so that a
   * later pause is not taken from the user.
   */
  private waitForPause(timeoutMs: number): { next: Promise<Pause | null>; cancel(): void } {
    let finish: (p: Pause | null) => void = () => {};
    const next = new Promise<Pause | null>((resolve) => {
      let done = false;
      const t = setTimeout(() => finish(null), timeoutMs);
      const waiter = (p: Pause) => finish(p);
      finish = (p) => {
        if (done) return;
        done = true;
        clearTimeout(t);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(p);
      };
      this.waiters.push(waiter);
    });
    return { next, cancel: () => finish(null) };
  }

  /**
   * Let the program go on; resume listeners hear of it even when the session moved it quietly. V8's
   * own `resumed` event usually tells them first. When the program stopped again before the answer
   * came (a breakpoint just after), that stop is news of its own: announcing a resume then would
   * close the prompt of the new stop.
   */
  async resume(): Promise<void> {
    if (!this.current) return;
    const count = this.pauseCount;
    this.current = null;
    this.quiet = false;
    await this.cdp.Debugger.resume({}).catch(() => {});
    log('resume answered', this.pauseCount === count ? '' : '(the program has stopped again)');
    if (this.pauseCount === count) this.announceResume();
  }

  /** Step and wait for the pause it ends in; null when the program ran on (it went idle). */
  async step(kind: StepKind, timeoutMs = 3000, depth = 0): Promise<Pause | null> {
    if (!this.current) return null;
    const p = this.current;
    this.ctx.stepping = true;
    this.ctx.stepArmed = true;
    const wait = this.waitForPause(timeoutMs);
    this.current = null;
    try {
      if (kind === 'into') await this.cdp.Debugger.stepInto({});
      else if (kind === 'over') await this.cdp.Debugger.stepOver({});
      else await this.cdp.Debugger.stepOut();
    } catch (err) {
      wait.cancel();
      this.stillAt(p);
      throw err;
    }
    const next = await wait.next;
    // the swap engine's dispatch (docs/swap.md) is our code, not a line of the user's: step on through it
    if (next?.kind === 'step' && next.hitBreakpoints.length === 0 && (await this.inSwapDispatch(next)) && depth < 4) return this.step(kind, timeoutMs, depth + 1);
    return next;
  }

  private async inSwapDispatch(p: Pause): Promise<boolean> {
    const loc = p.callFrames[0]?.location;
    const src = loc ? await this.source(loc.scriptId) : null;
    if (!loc || !src) return false;
    const at = src.map.lines.offset(loc.lineNumber, loc.columnNumber ?? 0);
    // a function's dispatch carries its slot in its note; the retry boundary's own text (also cut) does not
    return swapCuts(src.text).some((c) => at >= c.start && at < c.end && /^\d/.test(c.meta));
  }

  /** A command that would have let the program go failed: it is still stopped where it was. */
  private stillAt(p: Pause): void {
    this.ctx.stepping = false;
    if (!this.current) this.current = p;
  }

  /** Run fn with pause/resume listeners muted (the session is moving the program itself). */
  async quietly<T>(fn: () => Promise<T>): Promise<T> {
    const before = this.quiet;
    this.quiet = true;
    try { return await fn(); } finally { this.quiet = before && this.quiet; }
  }

  /** A safe pause token for the engine, when the program is stopped at one. */
  safePause(): SafePause | null {
    const p = this.current;
    if (!p || !isSafe(p.kind) || p.callFrames.length === 0) return null;
    return { callFrameId: p.callFrames[0].callFrameId, safe: true };
  }

  /**
   * Make the pause safe for restarts: from an exception, one step into continues the throw to the
   * nearest handler (a retry boundary); from an interrupt, one step moves to a bytecode boundary.
   */
  async makeSafe(): Promise<Result<Pause>> {
    const p = this.current;
    if (!p) return fail('the program is running');
    if (isSafe(p.kind)) return { ok: true, value: p };
    const next = await this.step('into');
    if (!next) return fail('the program ran on while stopping at a safe point (it has nothing left to run right now); press Ctrl+C to stop it again');
    if (next.kind === 'exception') return fail('stepping met another exception');
    return { ok: true, value: next };
  }

  /**
   * Restart the frame at this depth (distance from the bottom of the stack) and stop at its first
   * statement. Only at a safe pause.
   */
  async restartFrame(depth: number): Promise<Result<Pause>> {
    const p = this.current;
    if (!p || !isSafe(p.kind)) return fail('not at a safe pause');
    const index = p.callFrames.length - 1 - depth;
    const frame = p.callFrames[index];
    if (!frame) return fail('that frame is gone');
    if (frame.canBeRestarted === false) return fail(`V8 says frame ${index} (${frame.functionName || '(anonymous)'}) cannot be restarted here (an async function that has awaited, or a native call lies between it and the top of the stack: step out of node's code first)`);
    this.ctx.stepping = true;
    this.ctx.stepArmed = true;
    const wait = this.waitForPause(3000);
    // V8 runs on by itself to the restarted frame's first statement. Its pause may come before the
    // answer: the pause is let go of now, not once the answer is in.
    this.current = null;
    try {
      await this.cdp.Debugger.restartFrame({ callFrameId: frame.callFrameId, mode: 'StepInto' });
    } catch (err) {
      wait.cancel();
      this.stillAt(p);
      return fail(`V8 could not restart frame ${index}: ${protocolMessage(err)}`);
    }
    const after = await wait.next;
    if (!after) return fail('the restarted frame did not stop at its start');
    return { ok: true, value: after };
  }

  depthOf(index: number): number {
    return depthOf(this.current?.callFrames ?? [], index);
  }

  // ---- looking at things ----

  record(scriptId: string): ScriptRecord | undefined {
    return this.registry.byScriptId(scriptId);
  }

  /** The running text of a script and its boundary map. */
  async source(scriptId: string): Promise<{ text: string; map: BoundaryMap } | null> {
    const record = this.record(scriptId);
    let text = record?.runningText ?? this.internalTexts.get(scriptId);
    if (text === undefined) {
      try {
        text = (await this.cdp.Debugger.getScriptSource({ scriptId })).scriptSource;
      } catch {
        return null;
      }
      if (record) record.runningText = text; else this.internalTexts.set(scriptId, text);
    }
    const known = this.maps.get(scriptId);
    if (known && known.text === text) return known;
    const entry = { text, map: new BoundaryMap(text, record?.isModule ? 'module' : 'script') };
    this.maps.set(scriptId, entry);
    return entry;
  }

  /**
   * The breakpoints the program is stopped at when it stands at the end of a function (a breakpoint
   * on a closing `}` lands in the retry boundary's finally): removing one of those and then stepping
   * aborts node 24/26, so they leave V8 only once the program has moved on (Breakpoints.remove).
   */
  async breakpointsAtFunctionEnd(): Promise<string[]> {
    const p = this.current;
    const loc = p?.callFrames[0]?.location;
    if (!p || !loc || p.hitBreakpoints.length === 0) return [];
    const src = await this.source(loc.scriptId);
    if (!src) return [];
    const at = src.map.lines.offset(loc.lineNumber, loc.columnNumber ?? 0);
    return src.map.inFinally(at) || src.text[at] === '}' ? p.hitBreakpoints : [];
  }

  async evaluate(expression: string, frameIndex: number | null): Promise<Result<Protocol.Runtime.RemoteObject>> {
    const frame = frameIndex === null ? undefined : this.current?.callFrames[frameIndex];
    try {
      const r = frame
        ? await this.cdp.Debugger.evaluateOnCallFrame({ callFrameId: frame.callFrameId, expression, generatePreview: true, objectGroup: 'prompt' })
        : await this.cdp.Runtime.evaluate({ expression, generatePreview: true, objectGroup: 'prompt', replMode: true });
      if (r.exceptionDetails) {
        const ex = r.exceptionDetails.exception;
        const text = ex?.description?.split('\n')[0] ?? ex?.value ?? r.exceptionDetails.text;
        return fail(String(text));
      }
      return { ok: true, value: r.result };
    } catch (err) {
      return fail(protocolMessage(err));
    }
  }

  /** Variables visible from a frame, innermost scope first; the global scope is left out. */
  async variables(frameIndex: number, scopeTypes = ['local', 'block', 'catch', 'closure', 'module', 'script', 'with', 'eval']): Promise<ScopeVariable[]> {
    const frame = this.current?.callFrames[frameIndex];
    if (!frame) return [];
    const out: ScopeVariable[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < frame.scopeChain.length; i++) {
      const scope = frame.scopeChain[i];
      if (!scopeTypes.includes(scope.type) || !scope.object.objectId) continue;
      let props: Protocol.Runtime.PropertyDescriptor[];
      try {
        props = (await this.cdp.Runtime.getProperties({ objectId: scope.object.objectId, ownProperties: true, generatePreview: true })).result;
      } catch {
        continue;
      }
      for (const prop of props) {
        if (seen.has(prop.name) || HIDDEN_NAMES.has(prop.name) || !prop.value) continue;
        seen.add(prop.name);
        out.push({ name: prop.name, value: prop.value, scopeNumber: i, scopeType: scope.type });
      }
    }
    return out;
  }

  /**
   * Set a variable seen from a frame. Through Debugger.setVariableValue in the scope that has the
   * name; a name no scope has (a global) by assignment in the frame.
   */
  async setVariable(frameIndex: number, name: string, expression: string): Promise<Result<{ value: Protocol.Runtime.RemoteObject; scopeType: string }>> {
    const frame = this.current?.callFrames[frameIndex];
    if (!frame) return fail('no frame selected');
    if (HIDDEN_NAMES.has(name)) return fail(`${name} belongs to edit-continue`);
    const value = await this.evaluate(`(${expression})`, frameIndex);
    if (!value.ok) return value;
    const found = (await this.variables(frameIndex)).find((v) => v.name === name);
    if (!found) {
      const assigned = await this.evaluate(`${name} = (${expression})`, frameIndex);
      if (!assigned.ok) return fail(`${name} is not a variable here, and assigning it failed: ${assigned.message}`);
      return { ok: true, value: { value: assigned.value, scopeType: 'global' } };
    }
    try {
      await this.cdp.Debugger.setVariableValue({ callFrameId: frame.callFrameId, scopeNumber: found.scopeNumber, variableName: name, newValue: callArgument(value.value) });
    } catch (err) {
      return fail(`V8 could not set ${name}: ${protocolMessage(err)}`);
    }
    // (the scope objects of a pause are snapshots: reading the variable back would show the old value)
    return { ok: true, value: { value: value.value, scopeType: found.scopeType } };
  }

  async releaseObjects(): Promise<void> {
    await this.cdp.Runtime.releaseObjectGroup({ objectGroup: 'prompt' }).catch(() => {});
  }
}

export function callArgument(o: Protocol.Runtime.RemoteObject): Protocol.Runtime.CallArgument {
  if (o.objectId) return { objectId: o.objectId };
  if (o.unserializableValue) return { unserializableValue: o.unserializableValue };
  if (o.type === 'undefined') return {};
  return { value: o.value };
}
