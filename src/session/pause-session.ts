// The pause session: where the program is stopped, and every CDP call made while it is. It follows
// V8's rules for a stopped program (./v8-rules.ts, docs/v8.md): frames are restarted, and the top frame
// edited, only at a safe pause (it alone mints SafePause); an exception or interrupt pause is first
// made safe by one step.
import * as path from 'node:path';
import type { Protocol } from 'devtools-protocol';
import { protocolMessage, type Connection } from '../cdp/connection';
import { mintSafePause, type SafePause } from './safe-pause';
import { classifyPause, depthOf, type BreakOn, type Pause } from './pause';
import { contextOf, currentPause, initialPauseState, interruptPending, next, type PauseInput, type PauseState } from './pause-state';
import { atCodelessEnd, atDebuggerStatement, breakpointRemovalWaits, isSafe, maybeLeftoverStep, derivedConstructorRefusal, v8RestartRefusal } from './v8-rules';
import { IDLE_URL, inCompiledWrapper, type ScriptRecord, type ScriptRegistry } from './registry';
import { BoundaryMap, type FunctionSpan } from './boundaries';
import { declarationOf, type Declaration, type DeclarationKind } from './declarations';
import { readLoaded } from '../patch/swap-plan';
import { SWAP_PICKER_NAME } from '../inject/mark';
import { CJS_WRAPPER, MODULE_FACTORY_NAME_SOURCE, MODULE_SCOPE_MAKER, mentions, moduleFactoryName, moduleScopeExpression, moduleScopeName, swapCuts, swapModuleId } from '../inject/boundary';
import { describedName, type FunctionValue } from '../util/function-name';
import { PRIVATE_IN_HOLDER, isUnresolvedPrivate, privateInsOf, withAnswers, type PrivateIn } from './private-in';
import { INSIDE_A_MATCH, atMatchingCall, insideAMatchRefusal, mayRunRegExp } from './regexp-stop';
import { debug } from '../util/log';
import { fail, type Result } from '../util/result';

const log = debug('pause');

/** What an exception stop threw (PauseSession.exceptionOf): the value, and notes of the errors it holds (`caused by: …`, `error 1 of 2: …`). */
export interface Thrown { exception: Protocol.Runtime.RemoteObject | undefined; notes: string[] }

/**
 * Run on a thrown object (Runtime.callFunctionOn): its text as an error's when it is one V8 does not
 * know as one (else null), and notes of what it holds: the first line of each error of its `cause`
 * chain (fetch's 'fetch failed' is caused by 'connect ECONNREFUSED …'), at most 3, and of the errors
 * an AggregateError gathers (Promise.any's), at most 3.
 */
const ERROR_TEXT = `function (native) {
  const line = (e) => { try { if (e instanceof Error) { const s = e.stack; return typeof s === 'string' && s ? s.split('\\n')[0] : String(e.name || 'Error') + ': ' + String(e.message); } return typeof e === 'string' ? JSON.stringify(e) : String(e); } catch { return '(unreadable)'; } };
  let text = null;
  try { if (!native && this instanceof Error) { const s = this.stack; text = typeof s === 'string' && s ? s : String(this.name || 'Error') + ': ' + String(this.message); } } catch {}
  const notes = [];
  try {
    const seen = new Set([this]);
    for (let e = this, i = 0; i < 3 && e !== null && typeof e === 'object' && 'cause' in e && e.cause !== undefined; i++) {
      e = e.cause;
      if (seen.has(e)) { notes.push('caused by: (an error already named here)'); break; }
      seen.add(e);
      notes.push('caused by: ' + line(e));
    }
    const all = this.errors;
    if (Array.isArray(all)) all.slice(0, 3).forEach((e, i) => notes.push('error ' + (i + 1) + ' of ' + all.length + ': ' + line(e)));
  } catch {}
  return { text, notes };
}`;

/** How long a step waits for the engines' sends already out to be answered (stepsAfterSends). */
const SENDS_ANSWERED_MS = 10000;

export type StepKind = 'into' | 'over' | 'out';


export interface ScopeVariable {
  name: string;
  value: Protocol.Runtime.RemoteObject;
  scopeNumber: number;
  scopeType: string;
  /**
   * Swap engine: a local of an enclosing function that a swapped-in closure reaches through its
   * environment object (ENV below); read and written through it.
   */
  viaEnv?: true;
  /**
   * Swap engine: a top-level variable of the module that swapped-in code reaches through the module's
   * scope object (boundary.ts moduleScopeExpression), the global named here; read and written through it.
   */
  viaScope?: string;
  /**
   * Compiled code: a name that is not in the file as the user wrote it (its compiler added it:
   * esbuild's `__create` or `import_express`, tsc's `express_1`). `locals` lists those apart.
   */
  compilerAdded?: true;
}

/**
 * Mark the variables whose names the written source (the .ts a frame's code was compiled from) never
 * has as a word: its compiler's. A name that is there in a comment, a string or after a dot is kept as
 * the user's (boundary.ts `mentions`, which asks whether code refers to a binding, would hide more).
 * The global script scope's names come from other files: never marked.
 */
export function markCompilerNames(vars: ScopeVariable[], written: string): void {
  const words = wordsOf(written);
  for (const v of vars) if (v.scopeType !== 'script' && !words.has(v.name)) v.compilerAdded = true;
}

/**
 * The words of the last text asked about: every stop's locals line and each `locals` ask again about
 * the same file, and a 50,000-line one takes 150-250 ms to split (node 20).
 */
let lastWords: { text: string; words: ReadonlySet<string> } | null = null;
function wordsOf(text: string): ReadonlySet<string> {
  if (lastWords?.text !== text) lastWords = { text, words: new Set(text.match(/[\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$\u200c\u200d]*/gu)) };
  return lastWords.words;
}

/** How many of the program's files a message about a freed top-level variable looks into (PauseSession.freedIn). */
const FREED_FILES = 300;

/** Names our boundaries and the swap engine add (`__ec$r`, `__ec$e`, …): never shown, never set. */
export const isHiddenName = (name: string): boolean => name.startsWith('__ec$');

/** The environment object a swapped-in closure reaches its enclosing function's locals through (patch/swap-compile.ts). */
const ENV = '__ec$e';

/**
 * Run on an environment object (Runtime.callFunctionOn): the names of its accessors, each an
 * enclosing function's local. They are on the prototype of the class the compiled code brings
 * (`new slot.E(reader, writer)`, whose own fields are `__ec$g0`, `__ec$s0`, …), or own accessors of an
 * object literal; its `constructor` and other data properties are not locals, nor is anything on
 * the root of the chain (Object.prototype's `__proto__`, of whichever realm). Reads no value.
 */
export const ENV_NAMES = `function () {
  const names = [];
  for (let o = this; Object.getPrototypeOf(o) !== null; o = Object.getPrototypeOf(o)) {
    for (const k of Object.getOwnPropertyNames(o)) {
      const d = Object.getOwnPropertyDescriptor(o, k);
      if (d && typeof d.get === 'function' && !names.includes(k)) names.push(k);
    }
  }
  return names;
}`;

/** The locals an environment object gives (ENV_NAMES's answer): identifiers, none of ours. */
export function envNames(answer: unknown): string[] {
  if (!Array.isArray(answer)) return [];
  return answer.filter((n): n is string => typeof n === 'string' && /^[A-Za-z_$][\w$]*$/.test(n) && !isHiddenName(n));
}

export class PauseSession {
  /** What the session is doing (./pause-state.ts holds every transition). */
  private state: PauseState = initialPauseState();
  private readonly pauseListeners: ((p: Pause) => void)[] = [];
  private readonly resumeListeners: (() => void)[] = [];
  private waiters: ((p: Pause) => void)[] = [];
  private readonly maps = new Map<string, { text: string; map: BoundaryMap }>();
  /** Names frames.ts gave frames V8 has none for (anonymous callbacks), for as long as the stop's frames live. */
  private readonly frameNames = new WeakMap<Protocol.Debugger.CallFrame, string>();
  /**
   * Counts V8's pauses. An answer to a command that let the program go (resume, restartFrame) can
   * arrive after the next pause it led to (V8 sends them together, and the answer's continuation runs
   * last): what the answer's caller does afterwards must not touch a newer pause.
   */
  private pauseCount = 0;
  /** Set while a step or frame restart of ours is on its way to its pause (stoppedAtCodelessEnd waits for it). */
  private moving: Promise<unknown> | null = null;
  /**
   * V8's own word on the program: true from its `paused` event to its `resumed` event. It leaves a stop
   * only after it has answered the resume and read every message that came in the meantime; a
   * Debugger.pause read before it has left is dropped (docs/v8.md, "A Debugger.pause read before V8
   * has left a stop"). Our phase says "running" from the moment a resume goes out.
   */
  private v8Stopped = false;
  /** V8's `paused` events so far. */
  private v8Stops = 0;
  /** Calls waiting for V8's next word (its next `paused` or `resumed` event). */
  private v8Words: (() => void)[] = [];
  /** The Debugger.pause on its way (requestPause): one at a time. */
  private asking: Promise<boolean> | null = null;

  /**
   * `beforeResume`: run before every resume (the one place breakpoints cleared where the program
   * stood leave V8: after a step it would abort, before a resume it is safe; v8-rules.ts).
   */
  constructor(private readonly cdp: Connection, private readonly registry: ScriptRegistry, private readonly hooks: { beforeResume?(): Promise<void>; addedFunction?(file: string, name: string): Promise<string | null> } = {}) {
    cdp.Debugger.on('paused', (e) => {
      this.v8Said(true);
      this.onPaused(e);
    });
    cdp.Debugger.on('resumed', () => {
      this.v8Said(false);
      log('resumed', this.state.quiet ? '(quiet)' : '');
      this.feed({ on: 'resumed' });
    });
  }

  /** Is a Debugger.pause queued in V8 or on its way there (pause-state.ts)? */
  get interruptPending(): boolean { return interruptPending(this.state); }

  /** The stop the program is at; null while it runs. */
  get current(): Pause | null { return currentPause(this.state); }

  /** Move the state on and carry out what the transition says. */
  private feed(input: PauseInput): void {
    const r = next(this.state, input);
    this.state = r.state;
    for (const e of r.effects) {
      if (e.do === 'hand-to-waiters') {
        const waiters = this.waiters;
        this.waiters = [];
        for (const w of waiters) w(e.pause);
      } else if (e.do === 'tell-paused') {
        for (const l of this.pauseListeners) l(e.pause);
      } else {
        for (const l of this.resumeListeners) l();
      }
    }
  }

  onPause(listener: (p: Pause) => void): void { this.pauseListeners.push(listener); }
  onResume(listener: () => void): void { this.resumeListeners.push(listener); }

  private onPaused(e: Protocol.Debugger.PausedEvent): void {
    if (maybeLeftoverStep(e, contextOf(this.state))) { void this.leftoverStep(e); return; }
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
    this.feed({ on: 'leftover-let-go' });
    await this.hooks.beforeResume?.();
    await this.cdp.Debugger.resume({}).catch(() => {});
  }

  /** Does this frame stand at a `debugger` statement (a stop of the program's own, whatever we asked)? */
  async isDebuggerStatement(frame: Protocol.Debugger.CallFrame): Promise<boolean> {
    const src = await this.source(frame.location.scriptId);
    if (!src) return true; // cannot tell: stop, as for a debugger statement
    return atDebuggerStatement(src.text, src.map.lines.offset(frame.location.lineNumber, frame.location.columnNumber ?? 0));
  }

  private take(e: Protocol.Debugger.PausedEvent): void {
    const pause = classifyPause(e, contextOf(this.state));
    log('paused', pause.kind, e.reason, pause.callFrames[0]?.functionName);
    this.pauseCount++;
    this.setAtThisPause.clear();
    this.feed({ on: 'paused', pause, awaited: this.waiters.length > 0 });
  }

  get paused(): boolean { return this.current !== null; }

  async setBreakOn(mode: BreakOn): Promise<void> {
    // `unhandled` has V8 stop at every exception; LiveSession lets go of those the program catches
    await this.cdp.Debugger.setPauseOnExceptions({ state: mode === 'unhandled' ? 'all' : mode });
  }

  /**
   * Stop the program where it is (Ctrl+C). An idle program runs no JavaScript to stop in: once the
   * request has settled with no stop (cdp/pause-settle.ts: 100 ms after its answer), a no-op runs in
   * it so that it stops there (the prompt then has no frames of the program).
   *
   * Answers whether V8 queued the request; false when the program was stopped (here, or when V8 read
   * it: then V8 dropped it, pause-state.ts).
   */
  requestPause(): Promise<boolean> {
    if (this.current) return Promise.resolve(false);
    this.asking ??= this.askV8ToPause().finally(() => { this.asking = null; });
    return this.asking;
  }

  private async askV8ToPause(): Promise<boolean> {
    // a resume of ours is answered, and V8 has not left the stop yet: a request it read now would be
    // dropped, and its answer would come before any word of a stop, as for one queued
    if (this.v8Stopped) {
      log('pause: waiting for V8 to leave its stop');
      await this.nextWordOfV8(5000);
      if (this.current || this.v8Stopped) return false;
    }
    this.feed({ on: 'interrupt' });
    const stops = this.v8Stops;
    let queued = false;
    const asked = this.cdp.Debugger.pause();
    // The no-op that stops an idle program, right behind the request: the connection sends it once
    // the request has settled, at the stop (where it does nothing) or, with none soon after the
    // answer, into the idle program, which then stops there (cdp/pause-settle.ts). Queued now, it goes
    // before any command of ours that runs code and comes later (a save's patch), which would
    // otherwise take V8's stop at its first call: "paused in node internal", the patch held until
    // cont. Not `silent`: V8 turns pause-on-exceptions off for a silent evaluation and puts the old
    // state back when it returns, undoing a `catch` typed at this pause (issue 13). `void 0` throws
    // nothing.
    this.cdp.Runtime.evaluate({ expression: `void 0\n//# sourceURL=${IDLE_URL}` }).catch(() => {});
    try {
      await asked;
    } finally {
      // V8 reads the request while the program runs (it went out after V8 said it left its last stop)
      // or at a stop that began first, and answers as it reads it. No stop before the answer: queued.
      // A stop before it: V8 was stopped and dropped it, or it stopped for it at once (seen on node 26);
      // either way nothing of it is left in V8
      queued = this.v8Stops === stops;
      log('pause answered', queued ? '(queued)' : '(a stop came first: nothing queued)');
      this.feed({ on: 'interrupt-answered', queued });
    }
    return queued;
  }

  private v8Said(stopped: boolean): void {
    this.v8Stopped = stopped;
    if (stopped) this.v8Stops++;
    const words = this.v8Words;
    this.v8Words = [];
    for (const w of words) w();
  }

  /** Resolves at V8's next `paused` or `resumed` event, or after `ms`. */
  private nextWordOfV8(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void { clearTimeout(timer); resolve(); }
      this.v8Words.push(done);
    });
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
    await this.hooks.beforeResume?.();
    if (!this.current) return;
    const count = this.pauseCount;
    this.feed({ on: 'resume' });
    await this.cdp.Debugger.resume({}).catch(() => {});
    log('resume answered', this.pauseCount === count ? '' : '(the program has stopped again)');
    this.feed({ on: 'resume-answered', stoppedAgain: this.pauseCount !== count });
  }

  /** Step and wait for the pause it ends in; null when the program ran on (it went idle). */
  async step(kind: StepKind, timeoutMs = 3000, depth = 0): Promise<Pause | null> {
    if (!this.current) return null;
    const p = this.current;
    const wait = this.waitForPause(timeoutMs);
    this.feed({ on: 'move' });
    // on its way from the moment it is sent, not from its answer: see outsideSteps
    const arrived = this.arriving(wait.next);
    if (this.outsideSends.size > 0) await this.stepsAfterSends();
    try {
      if (kind === 'into') await this.cdp.Debugger.stepInto({});
      else if (kind === 'over') await this.cdp.Debugger.stepOver({});
      else await this.cdp.Debugger.stepOut();
    } catch (err) {
      wait.cancel();
      this.stillAt(p);
      throw err;
    }
    const next = await arrived;
    // the swap engine's dispatch (docs/swap.md) is our code, not a line of the user's: step on through it
    if (next?.kind === 'step' && next.hitBreakpoints.length === 0 && (await this.inSwapDispatch(next)) && depth < 8) return this.step(kind, timeoutMs, depth + 1);
    return next;
  }

  /** Is the top frame of this pause standing in a swap dispatch (our code, not a line of the user's)? */
  async inSwapDispatch(p: Pause, index = 0): Promise<boolean> {
    const loc = p.callFrames[index]?.location;
    return loc ? this.inSwapDispatchAt(loc.scriptId, loc.lineNumber, loc.columnNumber ?? 0) : false;
  }

  /** Is this place (0-based, in the running text) inside a function's swap dispatch? */
  async inSwapDispatchAt(scriptId: string, line: number, column: number): Promise<boolean> {
    const src = await this.source(scriptId);
    if (!src) return false;
    const at = src.map.lines.offset(line, column);
    const compiled = this.record(scriptId)?.compiledLines;
    if (compiled) {
      // swapped-in code: what wraps the user's function (the factory that takes its environment
      // object, the object that names it) stands on the line before it, and is ours too
      const fn = src.map.functionAt(at);
      const start = fn ? src.map.lines.position(fn.start) : null;
      if (!start || inCompiledWrapper(compiled, start.line, start.column)) return true;
    }
    // a function's dispatch carries its slot in its note; the retry boundary's own text (also cut) does not
    return swapCuts(src.text).some((c) => at >= c.start && at < c.end && /^\d/.test(c.meta));
  }

  /**
   * When frame `index` runs a swapped-in body (code the swap engine compiled): the frame of the
   * original function whose dispatch called it, the next one down, or the one after it when the
   * runtime picked the method made for the call's class (a method with `super` of a class made with
   * several parents: src/inject/swap-runtime.ts). Restarting that frame runs the function's newest
   * code (its first statement dispatches again); restarting the swapped-in frame itself would run the
   * version it is. Null when frame `index` is no swapped-in body.
   */
  async dispatcherOf(p: Pause, index: number): Promise<number | null> {
    const frame = p.callFrames[index];
    if (!frame || !this.record(frame.location.scriptId)?.compiled) return null;
    let at = index + 1;
    const picker = p.callFrames[at];
    if (picker?.functionName === SWAP_PICKER_NAME) at++;
    return (await this.inSwapDispatch(p, at)) ? at : null;
  }

  /** The text to show for a script: the file as the user wrote it (a swapped-in body: the file's text it came from). */
  async shownText(scriptId: string): Promise<string | null> {
    const shown = this.record(scriptId)?.shownText;
    if (shown !== undefined) return shown;
    const src = await this.source(scriptId);
    return src ? src.map.originalText() : null;
  }

  /** A command that would have let the program go failed: it is still stopped where it was. */
  private stillAt(p: Pause): void {
    this.feed({ on: 'move-refused', pause: p });
  }

  /** Run fn with pause/resume listeners muted (the session is moving the program itself). */
  async quietly<T>(fn: () => Promise<T>): Promise<T> {
    const before = this.state.quiet;
    this.feed({ on: 'quiet' });
    try { return await fn(); } finally { this.feed({ on: 'quiet-end', before }); }
  }

  /**
   * Send a command that runs JavaScript in the program, or edits its code, once no step or frame
   * restart of ours is on its way (from the moment it is sent until its pause). JavaScript that runs
   * in between can lose the step: no stop comes, and from an exception the throw goes on and ends the
   * program (docs/v8.md, "JavaScript evaluated right after a `stepInto`").
   * `send` is called synchronously once the way is clear, so no step can slip in before it goes out.
   */
  async outsideSteps<T>(send: () => Promise<T>): Promise<T> {
    while (this.moving) await this.moving;
    const sent = send();
    const answered = sent.then(() => {}, () => {});
    this.outsideSends.add(answered);
    void answered.then(() => this.outsideSends.delete(answered));
    return sent;
  }

  /** What outsideSteps sent and is not answered yet: a step goes out only after it (see stepsAfterSends). */
  private readonly outsideSends = new Set<Promise<void>>();

  /**
   * Before a step or frame restart goes out: wait until what the engines sent has been answered, so
   * that none of their JavaScript is still queued in the target with the step (docs/v8.md, "JavaScript
   * evaluated right after a `stepInto`"). Called once `moving` is set, so nothing new goes out meanwhile.
   * At most SENDS_ANSWERED_MS: an answer that does not come (the evaluation stopped at a breakpoint)
   * must not hold the step forever.
   */
  private async stepsAfterSends(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, SENDS_ANSWERED_MS); });
    const all = (async () => { while (this.outsideSends.size > 0) await Promise.all([...this.outsideSends]); })();
    await Promise.race([all, late]);
    clearTimeout(timer);
  }

  /** The pause a step or restart of ours is heading for, known to stoppedAtCodelessEnd and outsideSteps meanwhile. */
  private arriving<T>(next: Promise<T>): Promise<T> {
    const moving = next.finally(() => { if (this.moving === moving) this.moving = null; });
    this.moving = moving;
    return moving;
  }

  /**
   * Is the program stopped with its top frame in this script on a statement V8 emits no code for at
   * the end of a function (the retry boundary's `void 0xEC`)? There, on node 24 and 26, an `Ok` edit
   * of the script followed by a step aborts the process; an edit that makes V8 restart that frame
   * does not (docs/v8.md). The engine asks before it sends an edit (`newText`: what it would send);
   * while a step of ours is on its way, the answer waits for the pause it ends in.
   */
  async stoppedAtCodelessEnd(scriptId: string, newText: string): Promise<{ name: string; restartsTopFrame: boolean } | null> {
    const end = await this.codelessEnd();
    if (!end || end.frame.location.scriptId !== scriptId) return null;
    const kind = this.record(scriptId)?.isModule ? 'module' : 'script';
    const restartsTopFrame = end.fn !== null && !new BoundaryMap(newText, kind).ownTexts().has(end.map.ownText(end.fn));
    return { name: this.frameNames.get(end.frame) || end.frame.functionName || '(anonymous)', restartsTopFrame };
  }

  /**
   * Is the program stopped on such a function end, in any script? There, removing the function's last
   * breakpoint and then stepping aborts node 24 and 26 too: Breakpoints keeps removals until it has
   * moved on.
   */
  async standsAtCodelessEnd(): Promise<boolean> {
    return (await this.codelessEnd()) !== null;
  }

  private async codelessEnd(): Promise<{ frame: Protocol.Debugger.CallFrame; map: BoundaryMap; fn: FunctionSpan | null } | null> {
    if (this.moving) await this.moving;
    const frame = this.current?.callFrames[0];
    if (!frame) return null;
    const src = await this.source(frame.location.scriptId);
    if (!src) return null;
    const at = src.map.lines.offset(frame.location.lineNumber, frame.location.columnNumber ?? 0);
    const fn = src.map.functionAt(at);
    return atCodelessEnd(src.text, at, fn?.end ?? src.text.length) ? { frame, map: src.map, fn } : null;
  }

  /** A safe pause token for the engine, when the program is stopped at one. */
  safePause(): SafePause | null {
    const p = this.current;
    if (!p || !isSafe(p.kind) || p.callFrames.length === 0) return null;
    return mintSafePause(p.callFrames[0].callFrameId);
  }

  /**
   * Make the pause safe for restarts: from an exception, one step into continues the throw to the
   * nearest handler (a retry boundary); from an interrupt, one step moves to a bytecode boundary.
   */
  async makeSafe(): Promise<Result<Pause>> {
    const p = this.current;
    if (!p) return fail('the program is running');
    if (isSafe(p.kind)) return { ok: true, value: p };
    // V8 always ends this step with a stop; on a loaded machine it can take seconds (see retry.ts).
    // A Debugger.pause still queued in V8 may stop the program before the step ends: that stop is an
    // interrupt again (pause-state.ts, interruptsOut), and one more step moves on from it.
    let next = await this.step('into', 20000);
    for (let tries = 0; next && next.kind === 'interrupt' && tries < 3; tries++) next = await this.step('into', 20000);
    if (!next) return fail('the program ran on while stopping at a safe point (it has nothing left to run right now); press Ctrl+C to stop it again');
    if (next.kind === 'exception') return fail('stepping met another exception');
    if (!isSafe(next.kind)) return fail('the program did not reach a point where frames can be restarted; try again');
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
    const fn = await this.frameFunction(frame);
    const name = frame.functionName || '(anonymous)';
    const refused = v8RestartRefusal({ index, name, async: fn?.async ?? false, canBeRestarted: frame.canBeRestarted }) ?? derivedConstructorRefusal({ index, name, derivedConstructor: fn?.derivedConstructor });
    if (refused) return fail(refused);
    // a restart always ends with a stop; on a loaded machine it can take seconds (see retry.ts)
    const wait = this.waitForPause(20000);
    // V8 runs on by itself to the restarted frame's first statement. Its pause may come before the
    // answer: the pause is let go of now, not once the answer is in.
    this.feed({ on: 'move' });
    const arrived = this.arriving(wait.next);
    if (this.outsideSends.size > 0) await this.stepsAfterSends();
    try {
      await this.cdp.Debugger.restartFrame({ callFrameId: frame.callFrameId, mode: 'StepInto' });
    } catch (err) {
      wait.cancel();
      this.stillAt(p);
      return fail(`V8 could not restart frame ${index}: ${protocolMessage(err)}`);
    }
    const after = await arrived;
    if (!after) return fail('the restarted frame did not stop at its start');
    return { ok: true, value: after };
  }

  /** The function a frame runs, as its script's text says (null: no text, or the top level). */
  private async frameFunction(frame: Protocol.Debugger.CallFrame): Promise<FunctionSpan | null> {
    const src = await this.source(frame.location.scriptId);
    return src?.map.functionAt(src.map.lines.offset(frame.location.lineNumber, frame.location.columnNumber ?? 0)) ?? null;
  }

  depthOf(index: number): number {
    return depthOf(this.current?.callFrames ?? [], index);
  }

  // ---- looking at things ----

  record(scriptId: string): ScriptRecord | undefined {
    return this.registry.byScriptId(scriptId);
  }

  /** Is this script the no-op that stopped an idle program? */
  isIdleScript(scriptId: string): boolean {
    return this.registry.isIdle(scriptId);
  }

  /** Was this file loaded as an ES module (its own scripts, not code the swap engine compiled for it)? */
  fileIsModule(file: string): boolean {
    return this.registry.scriptsOf(file).some((r) => !r.compiled && r.isModule);
  }

  /** The URL of a script that is no file of the program's (`node:internal/timers`), or null. */
  otherUrl(scriptId: string): string | null {
    return this.registry.otherUrl(scriptId);
  }

  /** The running text of a script and its boundary map. */
  async source(scriptId: string): Promise<{ text: string; map: BoundaryMap } | null> {
    const record = this.record(scriptId);
    let text: string;
    try {
      text = await this.registry.runningText(scriptId);
    } catch {
      return null;
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
    return breakpointRemovalWaits({ inBoundaryFinally: src.map.inFinally(at) !== null, char: src.text[at] }) ? p.hitBreakpoints : [];
  }

  private readonly insideMatch = new WeakMap<Pause, Promise<boolean>>();

  /**
   * Why the prompt does not evaluate this expression at this stop, or null: one that may run a
   * regular expression, at a Ctrl+C stop inside a match on V8 before 13 (./regexp-stop.ts). Whether
   * the stop is inside a match is asked once per stop, and only for such an expression.
   */
  private async regexpRefusal(expression: string): Promise<string | null> {
    const p = this.current;
    const top = p?.callFrames[0];
    if (!p || !top || p.kind !== 'interrupt' || !mayRunRegExp(expression)) return null;
    let inside = this.insideMatch.get(p);
    if (!inside) {
      inside = this.cdp.Debugger.evaluateOnCallFrame({ callFrameId: top.callFrameId, expression: INSIDE_A_MATCH, returnByValue: true, silent: true })
        .then(async (r) => {
          if (r.result.value !== 'no') return r.result.value === 'builtin';
          const src = await this.source(top.location.scriptId);
          return !!src && atMatchingCall(src.text, src.map.lines.offset(top.location.lineNumber, top.location.columnNumber ?? 0));
        })
        .catch(() => false);
      this.insideMatch.set(p, inside);
    }
    if (!(await inside)) return null;
    const file = this.record(top.location.scriptId)?.file;
    return insideAMatchRefusal(`${this.frameName(0)}${file ? `, ${path.basename(file)}:${top.location.lineNumber + 1}` : ''}`);
  }

  private readonly thrown = new WeakMap<Pause, Promise<Thrown>>();

  /**
   * The value an exception stop threw, an error V8 does not know as one described as one: made by a
   * library's own inheritance from Error (make-error's, which ts-node's TSError uses), V8 calls it by
   * its class alone ('TSError'), without the message, which is the whole point (the compiler's
   * diagnostics). Its stack, or `name: message`, then stands as its description, as a V8 error's does.
   */
  exceptionOf(p: Pause): Promise<Thrown> {
    const known = this.thrown.get(p);
    if (known) return known;
    const ex = p.exception;
    const out = !ex?.objectId || ex.type !== 'object' || (ex.subtype !== undefined && ex.subtype !== 'error') ? Promise.resolve({ exception: ex, notes: [] })
      : this.cdp.Runtime.callFunctionOn({ objectId: ex.objectId, functionDeclaration: ERROR_TEXT, arguments: [{ value: ex.subtype === 'error' }], returnByValue: true })
        .then((r) => {
          const v = r.result.value as { text?: unknown; notes?: unknown } | undefined;
          const notes = Array.isArray(v?.notes) ? v.notes.filter((c): c is string => typeof c === 'string') : [];
          return { exception: typeof v?.text === 'string' ? { ...ex, subtype: 'error' as const, description: v.text } : ex, notes };
        }, () => ({ exception: ex, notes: [] }));
    this.thrown.set(p, out);
    return out;
  }

  /** Evaluate in a frame (null: globally); `byValue`: the result as JSON (a probe's answer, not a value to show). */
  async evaluate(expression: string, frameIndex: number | null, byValue = false): Promise<Result<Protocol.Runtime.RemoteObject>> {
    const frame = frameIndex === null ? undefined : this.current?.callFrames[frameIndex];
    const how = byValue ? { returnByValue: true } : { generatePreview: true, objectGroup: 'prompt' };
    try {
      const r = frame
        ? await this.cdp.Debugger.evaluateOnCallFrame({ callFrameId: frame.callFrameId, expression, ...how })
        : await this.cdp.Runtime.evaluate({ expression, ...how, replMode: true });
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
      // (the wrapper's own frame, the module's top level, has them as its parameters: shown)
      const unused = scope.type === 'local' ? (props.some((p) => p.name === 'arguments') && await this.argumentsOfOurs(frame) ? ARGUMENTS : NO_NAMES) : await this.unusedWrapperNames(frame, props);
      for (const prop of props) {
        if (isPlantedEvalCode(prop) || unused.has(prop.name)) continue;
        if (prop.name === ENV && prop.value?.objectId) { await this.envVariables(frameIndex, prop.value.objectId, i, seen, out); continue; }
        if (seen.has(prop.name) || isHiddenName(prop.name) || !prop.value) continue;
        seen.add(prop.name);
        out.push({ name: prop.name, value: prop.value, scopeNumber: i, scopeType: scope.type });
      }
    }
    // swapped-in code compiled outside a class eval has none of its module's names in its scopes: it
    // reaches them through the module's scope object, which has every name the module kept
    if (scopeTypes.includes('module') || scopeTypes.includes('closure')) await this.scopeObjectVariables(frameIndex, seen, out);
    // A pause's scope objects are snapshots (docs/v8.md): a variable `set` at this pause is read again.
    for (const v of out) {
      if (!this.setAtThisPause.has(v.name)) continue;
      const now = await this.evaluate(v.name, frameIndex);
      if (now.ok) v.value = now.value;
    }
    return out;
  }

  /**
   * A function value with its own `name` where its source text does not say it (an arrow, a method),
   * as util.inspect shows it: `add = [Function: add]`, not `(anonymous)`. One request each.
   */
  async withFunctionName(o: Protocol.Runtime.RemoteObject): Promise<FunctionValue> {
    if (o.type !== 'function' || !o.objectId || describedName(o.description)) return o;
    try {
      const r = await this.cdp.Runtime.getProperties({ objectId: o.objectId, ownProperties: true });
      const name = r.result.find((p) => p.name === 'name')?.value?.value;
      return typeof name === 'string' && name ? { ...o, functionName: name } : o;
    } catch {
      return o;
    }
  }

  /**
   * In the scope of a CommonJS module's wrapper (exports, require, module, __filename, __dirname):
   * those the file's code does not name, and the wrapper's `arguments`. V8 keeps in a scope only what
   * some closure uses, except where the scope holds a direct eval: the swap engine's planted one keeps
   * them all, and `locals` would list node's wrapper in every module (not a variable of the user's).
   */
  private async unusedWrapperNames(frame: Protocol.Debugger.CallFrame, props: Protocol.Runtime.PropertyDescriptor[]): Promise<ReadonlySet<string>> {
    const names = new Set(props.map((p) => p.name));
    if (!CJS_WRAPPER.every((n) => names.has(n))) return NO_NAMES;
    const record = this.record(frame.location.scriptId);
    const text = record?.compiled && record.shownText !== undefined ? record.shownText : (await this.source(frame.location.scriptId))?.map.originalText();
    if (text === undefined) return NO_NAMES;
    return new Set(['arguments', ...CJS_WRAPPER.filter((n) => !mentions(text, n))]);
  }

  /**
   * Does the frame's function have `arguments` for our dispatch alone (swapped-in code: the first
   * version of a function a save added passes its calls on with `arguments`), not its own code?
   */
  private async argumentsOfOurs(frame: Protocol.Debugger.CallFrame): Promise<boolean> {
    if (!this.record(frame.location.scriptId)?.compiled) return false;
    const src = await this.source(frame.location.scriptId);
    const fn = src?.map.functionAt(src.map.lines.offset(frame.location.lineNumber, frame.location.columnNumber ?? 0));
    return !!src && !!fn && !mentions(src.map.originalText(fn.start, fn.end), 'arguments');
  }

  /** The enclosing function's locals a swapped-in closure reaches through its environment object, as plain variables. */
  private async envVariables(frameIndex: number, objectId: string, scopeNumber: number, seen: Set<string>, out: ScopeVariable[]): Promise<void> {
    let names: unknown;
    try {
      const r = await this.cdp.Runtime.callFunctionOn({ objectId, functionDeclaration: ENV_NAMES, returnByValue: true, objectGroup: 'prompt' });
      names = r.exceptionDetails ? [] : r.result.value;
    } catch {
      return;
    }
    for (const name of envNames(names)) {
      if (seen.has(name)) continue;
      const value = await this.evaluate(`${ENV}.${name}`, frameIndex);
      if (!value.ok) continue;
      seen.add(name);
      out.push({ name, value: value.value, scopeNumber, scopeType: 'closure', viaEnv: true });
    }
  }

  /** The module's names a swapped-in frame reaches through its module's scope object (ScopeVariable.viaScope). */
  private async scopeObjectVariables(frameIndex: number, seen: Set<string>, out: ScopeVariable[]): Promise<void> {
    const frame = this.current?.callFrames[frameIndex];
    const record = frame ? this.record(frame.location.scriptId) : undefined;
    if (!frame || !record?.compiled) return;
    const scope = moduleScopeName(swapModuleId(record.file));
    const names = await this.evaluate(`${moduleScopeExpression(moduleFactoryName(swapModuleId(record.file)), scope)}===void 0?[]:Object.getOwnPropertyNames(Object.getPrototypeOf(globalThis[${JSON.stringify(scope)}]))`, frameIndex, true);
    if (!names.ok || !Array.isArray(names.value.value)) return;
    const list = envNames(names.value.value);
    // shown as V8 shows the same variable in the file's own frames: an ES module's, or the closure of
    // node's CommonJS wrapper
    const kind = this.fileIsModule(record.file) ? 'module' : 'closure';
    // node's CommonJS wrapper's names, which every script module keeps: shown when the file names them
    const unused = await this.unusedWrapperNames(frame, list.map((name) => ({ name }) as Protocol.Runtime.PropertyDescriptor));
    for (const name of list) {
      if (seen.has(name) || unused.has(name)) continue;
      const value = await this.evaluate(`globalThis[${JSON.stringify(scope)}].${name}`, frameIndex);
      if (!value.ok) continue;
      seen.add(name);
      out.push({ name, value: value.value, scopeNumber: frame.scopeChain.length, scopeType: kind, viaScope: scope });
    }
  }

  /** Names `set` at the current pause (their scope snapshots are stale). */
  private setAtThisPause = new Set<string>();

  /**
   * Where the binding of `name` that code in frame `frameIndex` sees lives. V8 keeps in a frame only
   * the outer variables its function uses (docs/v8.md): a top-level `let` that the paused function does
   * not use is in none of its scopes, but the source says it is in scope, and a frame further down
   * the stack (the one running the declaring scope) holds it. Only a name no scope declares is a global.
   */
  async binding(frameIndex: number, name: string): Promise<Binding> {
    const frame = this.current?.callFrames[frameIndex];
    if (!frame) return { kind: 'global' };
    const here = (await this.variables(frameIndex)).find((v) => v.name === name);
    if (here) return { kind: 'here', frame: frameIndex, variable: here };
    const declared = await this.declarationSeen(frame, name);
    if (!declared) return { kind: 'global' };
    const frames = this.current?.callFrames ?? [];
    for (let j = frameIndex + 1; j < frames.length; j++) {
      if (frames[j].location.scriptId !== frame.location.scriptId) continue;
      const there = await this.declarationSeen(frames[j], name);
      if (!there || there.scopeStart !== declared.scopeStart || there.scopeEnd !== declared.scopeEnd) continue;
      const v = (await this.variables(j)).find((x) => x.name === name);
      if (v) return { kind: 'below', frame: j, variable: v, declaration: declared.kind };
    }
    return { kind: 'not-kept', declaration: declared.kind, line: declared.line, own: declared.own };
  }

  /** Has the global object no property of this name? (false too when V8 cannot say) */
  private async noGlobal(frameIndex: number, name: string): Promise<boolean> {
    const isGlobal = await this.evaluate(`Object.prototype.hasOwnProperty.call(globalThis, ${JSON.stringify(name)})`, frameIndex);
    return isGlobal.ok && isGlobal.value.value === false;
  }

  /**
   * The nearest frame below this one whose own locals (not its closures) have this name: for a name
   * the selected frame does not see at all, and that is no global (noGlobal).
   */
  private async callerHolding(frameIndex: number, name: string): Promise<number | null> {
    const frames = this.current?.callFrames ?? [];
    for (let j = frameIndex + 1; j < frames.length; j++) {
      if ((await this.variables(j, ['local', 'block', 'catch'])).some((v) => v.name === name)) return j;
    }
    return null;
  }

  /**
   * When frame `frameIndex` runs node's own code (or a library's: no file of the program's): where the
   * program's variables can be reached instead, for a message about a name that is no global
   * (`processTimers (frame 0) is node's code, not your program's: …`). An idle program stopped by
   * Ctrl+C stands in node's timers, and `set` there would make a global.
   */
  private outsideProgram(frameIndex: number): { where: string; reach: (what: string) => string } | null {
    const frames = this.current?.callFrames ?? [];
    const frame = frames[frameIndex];
    if (!frame || this.record(frame.location.scriptId)) return null;
    const where = this.isIdleScript(frame.location.scriptId)
      ? `the program was idle, and frame ${frameIndex} is edit-continue's no-op that stopped it`
      : `${this.frameName(frameIndex)} (frame ${frameIndex}) is node's code, not your program's`;
    const own = frames.findIndex((f, i) => i > frameIndex && this.record(f.location.scriptId));
    if (own >= 0) return { where, reach: (what) => `\`frame ${own}\` (${this.frameName(own)}) is your code: select it, then ${what === 'read' ? '`p`' : 'set'} it` };
    return { where, reach: (what) => `stop in your code to ${what} it: \`break FILE:LINE\` and \`cont\`, or Ctrl+C while your code runs` };
  }

  /**
   * The program's modules whose scope object (the swap engine's, docs/swap.md) has `name`: code run
   * with it (inModule) reads and writes the module's own binding. For a name asked at a stop outside
   * the program (an idle program's Ctrl+C), where no frame sees them. Empty under LiveEdit (no module
   * has a scope object of ours) or when no module kept such a name.
   */
  private async modulesDeclaring(frameIndex: number, name: string): Promise<{ scopeName: string; file: string | null }[]> {
    const probe = `Object.getOwnPropertyNames(globalThis).filter((e) => /${MODULE_FACTORY_NAME_SOURCE}/.test(e) && typeof globalThis[e] === 'function').map((e) => {
      const v = e.slice(0, -1) + 'v', o = (${MODULE_SCOPE_MAKER})(globalThis, e, v);
      return o !== undefined && ${JSON.stringify(name)} in o ? v : null;
    }).filter((v) => v !== null)`;
    const r = await this.evaluate(probe, frameIndex, true);
    const names = r.ok && Array.isArray(r.value.value) ? (r.value.value as unknown[]).filter((n): n is string => typeof n === 'string') : [];
    if (!names.length) return [];
    const fileOf = new Map(this.registry.files().map((f) => [moduleScopeName(swapModuleId(f)), f]));
    return names.map((scopeName) => ({ scopeName, file: fileOf.get(scopeName) ?? null }));
  }

  /** Run `code` with a module's scope object (modulesDeclaring): its names are the module's own bindings. */
  private inModule(scopeName: string, code: string, frameIndex: number): Promise<Result<Protocol.Runtime.RemoteObject>> {
    // `with` is sloppy code: compiled on its own (indirect eval), where the frame's code may be strict
    return this.evaluate(`(0,eval)(${JSON.stringify(`with(globalThis[${JSON.stringify(scopeName)}]){${code}
}`)})`, frameIndex);
  }

  /** The one module (modulesDeclaring) to read or write `name` in, or a message saying why there is none. */
  private async moduleHolding(frameIndex: number, name: string): Promise<{ scopeName: string; file: string | null } | { none: string | null }> {
    const found = await this.modulesDeclaring(frameIndex, name);
    if (found.length === 1) return found[0];
    if (!found.length) {
      const freed = await this.freedIn(name);
      return { none: freed.length ? `${name} is a top-level variable of ${freed.map((f) => path.basename(f)).join(', ')} that no function there uses: its value was freed once the top level ran, as under plain node` : null };
    }
    const files = found.map((m) => (m.file ? path.basename(m.file) : 'a module of yours'));
    return { none: `${name} is declared at the top level of ${files.length} modules (${files.join(', ')})` };
  }

  /**
   * The files whose loaded swap text declares `name` at the top level and did not keep it
   * (boundary.ts keptNames). Only on the way to an error; the first FREED_FILES files are asked
   * (a text not fetched yet costs one request).
   */
  private async freedIn(name: string): Promise<string[]> {
    const out: string[] = [];
    for (const file of this.registry.files().slice(0, FREED_FILES)) {
      const r = this.registry.scriptsOf(file).find((x) => !x.compiled);
      if (!r) continue;
      const text = await this.registry.runningText(r.scriptId).catch(() => '');
      const state = mentions(text, name) ? readLoaded(text, r.isModule ? 'module' : 'script') : null;
      if (state && state.scope.top.has(name) && !state.scope.kept.has(name)) out.push(file);
    }
    return out;
  }

  /**
   * The loop variables of the loops around a frame's place, with each loop's line, that V8 shows no
   * binding for there (a stop at a loop's head, between two iterations): `locals` says why they are
   * missing.
   */
  async loopNamesNotLive(frameIndex: number): Promise<{ name: string; line: number }[]> {
    const frame = this.current?.callFrames[frameIndex];
    if (!frame) return [];
    const src = await this.source(frame.location.scriptId);
    if (!src) return [];
    const names = src.map.loopNamesAt(src.map.lines.offset(frame.location.lineNumber, frame.location.columnNumber ?? 0));
    if (names.length === 0) return [];
    const shown = new Set((await this.variables(frameIndex)).map((v) => v.name));
    return names.filter((n) => !shown.has(n.name)).map((n) => ({ name: n.name, line: src.map.lines.position(n.start).line + 1 }));
  }

  private async declarationSeen(frame: Protocol.Debugger.CallFrame, name: string): Promise<(Declaration & { line: number }) | null> {
    const src = await this.source(frame.location.scriptId);
    const record = this.record(frame.location.scriptId);
    if (!src || !record) return null;
    const offset = src.map.lines.offset(frame.location.lineNumber, frame.location.columnNumber ?? 0);
    const d = declarationOf(src.text, record.isModule ? 'module' : 'script', offset, name);
    return d && { ...d, line: src.map.lines.position(d.scopeStart).line + 1 };
  }

  /**
   * Evaluate in a frame; a name the frame's function does not use, declared in an enclosing scope, is
   * read from the frame further down the stack that holds it (`from` says which).
   */
  async evaluateSeeing(expression: string, frameIndex: number | null): Promise<Result<{ value: Protocol.Runtime.RemoteObject; from: number | null; module?: string }>> {
    const risky = await this.regexpRefusal(expression);
    return risky ? fail(risky) : this.seeing(expression, frameIndex);
  }

  private async seeing(expression: string, frameIndex: number | null): Promise<Result<{ value: Protocol.Runtime.RemoteObject; from: number | null; module?: string }>> {
    const r = await this.evaluate(expression, frameIndex);
    if (r.ok) return { ok: true, value: { value: r.value, from: null } };
    if (isUnresolvedPrivate(r.message)) {
      const parts = privateInsOf(expression);
      if (parts) return this.answerPrivateIns(expression, parts, frameIndex);
    }
    const missing = /^ReferenceError: ([\w$]+) is not defined/.exec(r.message)?.[1];
    if (frameIndex === null || !missing) return r;
    // a function a save added to the frame's file (swap engine): no binding of the module, kept in a
    // global of ours; the expression sees it by its name (and any other it names, in turn)
    const file = this.record(this.current?.callFrames[frameIndex]?.location.scriptId ?? '')?.file;
    const added = file ? await this.hooks.addedFunction?.(file, missing) : null;
    if (added) return this.seeing(`((${missing}) => (${expression}))(globalThis[${JSON.stringify(added)}])`, frameIndex);
    const b = await this.binding(frameIndex, missing);
    if (b.kind === 'here' && (b.variable.viaEnv || b.variable.viaScope)) {
      // a swapped-in closure reaches its enclosing function's locals through its environment object,
      // and swapped-in code its module's names through the module's scope object: the expression
      // sees them as names (an arrow keeps the frame's `this` and its own locals); only those it
      // names are read
      const vars = (await this.variables(frameIndex)).filter((v) => mentions(expression, v.name));
      const env = vars.filter((v) => v.viaEnv).map((v) => v.name);
      const scoped = vars.filter((v) => v.viaScope);
      const objects = scoped.length ? `,globalThis[${JSON.stringify(scoped[0].viaScope)}]` : '';
      const params = `{${env.join(',')}}${scoped.length ? `,{${scoped.map((v) => v.name).join(',')}}` : ''}`;
      const read = await this.evaluate(`((${params}) => (${expression}))(${env.length ? ENV : '{}'}${objects})`, frameIndex);
      return read.ok ? { ok: true, value: { value: read.value, from: null } } : read;
    }
    if (b.kind === 'not-kept') return fail(`${r.message}: ${notKept(missing, b, this.frameName(frameIndex))}`);
    if (b.kind === 'global') {
      const noGlobal = await this.noGlobal(frameIndex, missing);
      const caller = noGlobal ? await this.callerHolding(frameIndex, missing) : null;
      if (caller !== null) return fail(`${r.message} in ${this.frameName(frameIndex)} (frame ${frameIndex}); ${this.frameName(caller)} (frame ${caller}) has a local ${missing}: \`frame ${caller}\`, then \`p\` it`);
      const outside = noGlobal ? this.outsideProgram(frameIndex) : null;
      if (outside) {
        // the swap engine's eval of the module that declares it reads it where it lives
        const held = await this.moduleHolding(frameIndex, missing);
        if ('scopeName' in held) {
          const read = await this.inModule(held.scopeName, expression, frameIndex);
          return read.ok ? { ok: true, value: { value: read.value, from: null, module: held.file ?? undefined } } : read;
        }
        return fail(`${r.message}: ${outside.where}, and ${held.none ?? 'your variables are not in its scope'}; ${outside.reach('read')}`);
      }
    }
    if (b.kind !== 'below') return r;
    const there = await this.evaluate(expression, b.frame);
    return there.ok ? { ok: true, value: { value: there.value, from: b.frame } } : there;
  }

  /**
   * `#x in E` where V8 cannot compile it (./private-in.ts): each E evaluated in the frame (as the
   * prompt evaluates, names of frames below included), answered from the object's private members,
   * and the expression evaluated with the answers in their place.
   */
  private async answerPrivateIns(expression: string, parts: PrivateIn[], frameIndex: number | null): Promise<Result<{ value: Protocol.Runtime.RemoteObject; from: number | null; module?: string }>> {
    const answers: boolean[] = [];
    for (const part of parts) {
      const right = await this.seeing(`(${expression.slice(part.right.start, part.right.end)})`, frameIndex);
      if (!right.ok) return right;
      const o = right.value.value;
      // what `#x in 1` throws
      if (!o.objectId || (o.type !== 'object' && o.type !== 'function') || o.subtype === 'null') return fail(`TypeError: Cannot use 'in' operator to search for '#${part.name}' in ${o.description ?? String(o.value)}`);
      try {
        // fields and accessors are listed; a private method is not (it is a brand of the class)
        const props = await this.cdp.Runtime.getProperties({ objectId: o.objectId, ownProperties: true });
        answers.push((props.privateProperties ?? []).some((p) => p.name === `#${part.name}`) || await this.hasPrivateMethod(o.objectId, part.name, frameIndex));
      } catch (err) {
        return fail(protocolMessage(err));
      }
    }
    const r = await this.evaluate(withAnswers(expression, parts, answers), frameIndex);
    return r.ok ? { ok: true, value: { value: r.value, from: null } } : r;
  }

  /**
   * Does the object have the private method #name: V8's debug-evaluate reads `o.#name` at an
   * expression's top level (not in a function), so the object is reached there through a global of
   * ours for the time of the read (E is not evaluated twice).
   */
  private async hasPrivateMethod(objectId: string, name: string, frameIndex: number | null): Promise<boolean> {
    const frame = frameIndex === null ? undefined : this.current?.callFrames[frameIndex];
    await this.cdp.Runtime.callFunctionOn({ objectId, functionDeclaration: `function () { Object.defineProperty(globalThis, ${JSON.stringify(PRIVATE_IN_HOLDER)}, { value: this, configurable: true, writable: true }); }` });
    try {
      const read = { expression: `${PRIVATE_IN_HOLDER}.#${name}`, silent: true };
      const r = frame ? await this.cdp.Debugger.evaluateOnCallFrame({ callFrameId: frame.callFrameId, ...read }) : await this.cdp.Runtime.evaluate(read);
      return !r.exceptionDetails && r.result.type === 'function';
    } finally {
      await this.cdp.Runtime.evaluate({ expression: `delete globalThis[${JSON.stringify(PRIVATE_IN_HOLDER)}]`, silent: true }).catch(() => undefined);
    }
  }

  /** A frame's name as the stop shows it (frames.ts: V8's, else the reports' name of an anonymous function). */
  frameName(index: number): string {
    const frame = this.current?.callFrames[index];
    return (frame && this.frameNames.get(frame)) || frame?.functionName || '(anonymous)';
  }

  /** The name frames.ts gave a frame V8 has no name for: the messages that name the frame use it too. */
  nameFrame(frame: Protocol.Debugger.CallFrame, name: string): void {
    this.frameNames.set(frame, name);
  }

  /**
   * Set a variable seen from a frame: through Debugger.setVariableValue in the scope that holds it
   * (in this frame, or a frame further down that holds the binding this frame sees). A name no scope
   * declares (a global) is assigned in the frame. Never a new global for a declared name.
   */
  async setVariable(frameIndex: number, name: string, expression: string): Promise<Result<SetVariable>> {
    const frame = this.current?.callFrames[frameIndex];
    if (!frame) return fail('no frame selected');
    if (isHiddenName(name)) return fail(`${name} belongs to edit-continue`);
    const risky = await this.regexpRefusal(expression);
    if (risky) return fail(`nothing changed: ${risky}`);
    const value = await this.evaluate(`(${expression})`, frameIndex);
    if (!value.ok) return value;
    const b = await this.binding(frameIndex, name);
    if (b.kind === 'not-kept') return fail(`nothing changed: ${notKept(name, b, this.frameName(frameIndex))}`);
    if (b.kind === 'global') {
      // not a global the program has, and a caller's local by that name: that is the one meant (a
      // Ctrl+C that lands in a helper of the loop); a new global would change nothing the program reads
      const noGlobal = await this.noGlobal(frameIndex, name);
      const caller = noGlobal ? await this.callerHolding(frameIndex, name) : null;
      if (caller !== null) return fail(`nothing changed: ${name} is not in scope in ${this.frameName(frameIndex)} (frame ${frameIndex}); ${this.frameName(caller)} (frame ${caller}) has a local ${name}: \`frame ${caller}\`, then set it`);
      // node's own code (an idle program stopped in its timers): a new global would change nothing the program reads
      const outside = noGlobal ? this.outsideProgram(frameIndex) : null;
      if (outside) {
        const held = await this.moduleHolding(frameIndex, name);
        if ('scopeName' in held) {
          const assigned = await this.inModule(held.scopeName, `${name} = (${expression})`, frameIndex);
          if (!assigned.ok) return fail(`V8 could not set ${name}${held.file ? ` in ${path.basename(held.file)}` : ''}: ${assigned.message}`);
          return { ok: true, value: { value: assigned.value, scopeType: 'module', frame: frameIndex, declaredConst: false, module: held.file ?? undefined } };
        }
        return fail(`nothing changed: ${outside.where}, and ${held.none ?? `${name} is not in its scope`} (a new global would change nothing the program reads); ${outside.reach('set')}`);
      }
      const assigned = await this.evaluate(`${name} = (${expression})`, frameIndex);
      if (!assigned.ok) return fail(`${name} is not a variable here, and assigning it failed: ${assigned.message}`);
      return { ok: true, value: { value: assigned.value, scopeType: 'global', frame: frameIndex, declaredConst: false } };
    }
    if (b.kind === 'here' && (b.variable.viaEnv || b.variable.viaScope)) {
      // written through the environment object's setter (the enclosing function's own variable), or
      // the module scope object's (the module's own)
      const object = b.variable.viaScope ? `globalThis[${JSON.stringify(b.variable.viaScope)}]` : ENV;
      const assigned = await this.evaluate(`${object}.${name} = (${expression})`, frameIndex);
      if (!assigned.ok) return fail(`V8 could not set ${name}: ${assigned.message}`);
      this.setAtThisPause.add(name);
      const declared = (await this.declarationSeen(frame, name))?.kind;
      return { ok: true, value: { value: assigned.value, scopeType: b.variable.scopeType, frame: frameIndex, declaredConst: declared === 'const' } };
    }
    const at = this.current!.callFrames[b.frame];
    try {
      await this.cdp.Debugger.setVariableValue({ callFrameId: at.callFrameId, scopeNumber: b.variable.scopeNumber, variableName: name, newValue: callArgument(value.value) });
    } catch (err) {
      return fail(`V8 could not set ${name}${b.frame === frameIndex ? '' : ` in frame ${b.frame}`}: ${protocolMessage(err)}${/internal error/i.test(protocolMessage(err)) ? ' (an optimized frame cannot be written: `next` once, then set it again)' : ''}`);
    }
    this.setAtThisPause.add(name);
    // V8 may answer yes and leave an optimized frame reading the old value (docs/v8.md): read it back.
    const check = await this.evaluate(name, b.frame);
    if (check.ok && !sameValue(check.value, value.value)) {
      return fail(`V8 took the new value of ${name}, but frame ${b.frame} still reads ${check.value.description ?? String(check.value.value)} (an optimized frame): \`next\` once, then set it again`);
    }
    const declared = b.kind === 'below' ? b.declaration : (await this.declarationSeen(frame, name))?.kind;
    return { ok: true, value: { value: value.value, scopeType: b.variable.scopeType, frame: b.frame, declaredConst: declared === 'const' } };
  }

  async releaseObjects(): Promise<void> {
    await this.cdp.Runtime.releaseObjectGroup({ objectGroup: 'prompt' }).catch(() => {});
  }
}

/** Where the binding a frame sees lives (PauseSession.binding). */
export type Binding =
  | { kind: 'here'; frame: number; variable: ScopeVariable }
  | { kind: 'below'; frame: number; variable: ScopeVariable; declaration: DeclarationKind }
  /** Declared in an enclosing scope that no frame on the stack holds for us (V8 did not keep it). */
  | { kind: 'not-kept'; declaration: DeclarationKind; line: number; own: boolean }
  | { kind: 'global' };

export interface SetVariable {
  value: Protocol.Runtime.RemoteObject;
  scopeType: string;
  /** The frame whose scope holds the variable (further down than the selected one when it does not use it). */
  frame: number;
  /** Declared const: the program assumed it would not change. */
  declaredConst: boolean;
  /** Set in this file's top level (the swap engine's module eval: no frame of the program on the stack sees it). */
  module?: string;
}

function notKept(name: string, b: { declaration: DeclarationKind; line: number; own: boolean }, fn: string): string {
  if (b.own) return `${name} is declared in ${fn} itself (${b.declaration}, the scope starting at line ${b.line}), but ${fn} is stopped where that scope is not live (a loop's head, between two iterations): \`next\` steps into it, where ${name} can be read`;
  return `${name} is declared (${b.declaration}, the scope starting at line ${b.line}), but ${fn} does not use it, so V8 did not keep it for this frame, and no frame on the stack holds it; select a frame whose function uses it, or use it in this function`;
}

/** A frame's `arguments` that is our dispatch's, not the user's (argumentsOfOurs). */
const ARGUMENTS: ReadonlySet<string> = new Set(['arguments']);
const NO_NAMES: ReadonlySet<string> = new Set();

/**
 * The parameter of the eval the swap engine plants in each module and class (`(c) => eval(c)`), seen
 * from swapped-in code that it compiled: its value is that code.
 */
function isPlantedEvalCode(prop: Protocol.Runtime.PropertyDescriptor): boolean {
  return prop.name === 'c' && prop.value?.type === 'string' && /\n\/\/# sourceURL=[^\n]*$/.test(String(prop.value.value));
}

/** Do two remote values read the same? (objects: the same object id is not stable; trust V8) */
function sameValue(a: Protocol.Runtime.RemoteObject, b: Protocol.Runtime.RemoteObject): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'object' || a.type === 'function') return true;
  return a.value === b.value && a.unserializableValue === b.unserializableValue;
}

export function callArgument(o: Protocol.Runtime.RemoteObject): Protocol.Runtime.CallArgument {
  if (o.objectId) return { objectId: o.objectId };
  if (o.unserializableValue) return { unserializableValue: o.unserializableValue };
  if (o.type === 'undefined') return {};
  return { value: o.value };
}
