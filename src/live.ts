// A live session with one program: the watcher, the patcher and the pause session wired around one
// inspector connection, with typed events and the prompt's actions as methods. `launch` and `attach`
// (./api.ts) make one; the CLI is built on it.
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Protocol } from 'devtools-protocol';
import type { Connection } from './cdp/connection';
import { ScriptRegistry } from './session/registry';
import { LiveEditEngine } from './patch/engine';
import { SwapEngine } from './patch/swap-engine';
import type { EngineKind } from './launch/engine-choice';
import { Updater, textOf, type UpdateOutcome, type UpdateReport } from './patch/updater';
import { createWatcher, type FileWatcher } from './patch/watcher';
import type { NotApplied } from './patch/plan';
import { Codes } from './patch/codes';
import { workerOnlyMessage } from './report/format';
import { PauseSession, type ScopeVariable, type SetVariable, type StepKind } from './session/pause-session';
import { engineConnection } from './session/engine-connection';
import type { Result } from './util/result';
import { Breakpoints, type Breakpoint } from './session/breakpoints';
import { realFile } from './session/registry';
import type { PromptSession } from './prompt/session';
import { retry as retryNow, restartFrameAt, retryFailure, type RetryFailure, type Applied, type Boundaries, type RetryDeps } from './session/retry';
import { describeFrames, type FrameView } from './session/frames';
import type { BreakOn, Pause, PauseKind } from './session/pause';
import type { Exit } from './launch/target';
import { debug } from './util/log';
import { originOf, type Origin } from './util/origin';
import { CaughtRate, UnhandledFilter } from './session/unhandled';
import { loadErrorKey, loadErrorOf, markShown, wasShown } from './session/load-error';

const log = debug('app');

export interface Reason {
  /** A stable code (EC101…), docs/codes.md. */
  code: string;
  message: string;
  line?: number;
}

export interface PatchedEvent { file: string; functions: { name: string; line: number }[]; notApplied: Reason[]; warnings: Reason[]; ms: number; afterWaiting: boolean; report: UpdateReport }
export interface NotPatchedEvent { file: string; reasons: Reason[]; ms: number; report: UpdateReport }
/** A save that changes nothing V8 runs (or a file the program has not loaded): `loaded` says which. */
export interface UnchangedEvent { file: string; loaded: boolean; ms: number; report: UpdateReport }
export interface PendingEvent { file: string; reason: Reason; functions: { name: string; line: number }[]; ms: number; report: UpdateReport }
export interface PausedEvent {
  reason: PauseKind;
  /** For an exception: its first line (`TypeError: …`), and whether anything catches it. */
  exception?: { message: string; description: string; uncaught: boolean };
  breakpoints: number[];
  frames: PausedFrame[];
}

/** A frame in a `paused` event: `internal` (not the program's code) is kept for events v1. */
export type PausedFrame = FrameView & { internal: boolean };
export interface ExitedEvent { code: number | null; signal: string | null }

export interface LiveEvents {
  patched: [PatchedEvent];
  'not-patched': [NotPatchedEvent];
  pending: [PendingEvent];
  unchanged: [UnchangedEvent];
  /** A file the program loaded is now watched; `count`: how many are. */
  watching: [{ file: string; count: number }];
  paused: [PausedEvent];
  resumed: [];
  exited: [ExitedEvent];
}

export interface LiveOptions {
  cwd: string;
  watch?: boolean;
  watchPatterns?: string[];
  poll?: boolean;
  breakOn?: BreakOn;
  /** Files changed after this time (ms since epoch) are checked when their watch starts. */
  startedAt?: number;
  /** Watcher failures and other things the user should know. */
  onWarning?(message: string): void;
  /** How the program's files get retry boundaries (the reason retry gives when they lack one). */
  retryBoundaries?: Boundaries;
  /** The patch engine (chosen by ./api.ts before the program runs; default LiveEdit). */
  engine?: EngineKind;
}

type Listener<A extends unknown[]> = (...args: A) => void;

export class LiveSession implements PromptSession {
  private readonly registry = new ScriptRegistry();
  private readonly breaks: Breakpoints;
  readonly engine: LiveEditEngine | SwapEngine;
  private readonly pause: PauseSession;
  private readonly updater: Updater;
  private readonly retryDeps: RetryDeps;
  private watcher: FileWatcher | null = null;
  private readonly watchedSet = new Set<string>();
  /** Entry files of worker threads that the main thread did not load (never patched: said on save). */
  private readonly workerOnly = new Set<string>();
  /** When this session was made: after the program was spawned or attached to. */
  private readonly createdAt = Date.now();
  private readonly emitter = new EventEmitter();
  private closed = false;
  private disconnected = false;
  /** We close the connection ourselves (the program is exiting, or we detach). */
  private leaving = false;
  /** The program has ended (exited() was called). */
  private programExited = false;
  private breakOnSetting: BreakOn;
  private readonly unhandled: UnhandledFilter;
  private readonly caughtRate = new CaughtRate();

  constructor(readonly cdp: Connection, readonly opts: LiveOptions) {
    this.breakOnSetting = opts.breakOn ?? 'unhandled';
    void cdp.closed.then(() => { this.disconnected = true; });
    this.pause = new PauseSession(cdp, this.registry, { beforeResume: () => this.breaks.flushDeferred() });
    this.breaks = new Breakpoints(cdp, () => this.pause.standsAtCodelessEnd());
    // the engine ./api.ts chose before the program ran (README, "Choosing the engine"); what it sends
    // waits while a step of ours is on its way (engine-connection.ts)
    const engineCdp = engineConnection(cdp, this.pause);
    this.engine = opts.engine === 'swap' ? new SwapEngine(engineCdp, this.registry) : new LiveEditEngine(engineCdp, this.registry, {
      onPatched: (record) => this.breaks.restore(record.file),
      stoppedAtCodelessEnd: (record, text) => this.pause.stoppedAtCodelessEnd(record.scriptId, text),
    });
    this.updater = new Updater({
      engine: this.engine,
      readFile: (f) => fs.promises.readFile(f),
      statFile: (f) => fs.promises.stat(f),
      report: (r) => this.reported(r),
    });
    this.retryDeps = {
      cdp,
      session: this.pause,
      // saves made just before the retry count, their events come or not (Updater.lookNow)
      settle: async () => { await this.updater.lookNow([...this.watchedSet]); await this.updater.settle(); },
      waitingFiles: () => this.updater.waitingFiles(),
      preview: async (file) => this.engine.preview(file, await readText(file)),
      apply: async (file, atSafePause) => appliedOf(await this.updater.applyNow(file, { topFrame: atSafePause ? this.pause.safePause() ?? undefined : undefined })),
      cwd: opts.cwd,
      boundaries: opts.retryBoundaries ?? 'added',
    };
    if (opts.watch !== false) {
      this.watcher = createWatcher({
        onChange: (f) => this.updater.changed(f),
        onRemove: (f) => { if (this.registry.scriptsOf(f).length) this.updater.changed(f); },
        onRewatch: (f) => this.updater.recheck(f),
        onError: (err) => opts.onWarning?.(`watcher: ${err.message}`),
        usePolling: opts.poll === true,
      });
      for (const p of opts.watchPatterns ?? []) this.watcher.addPattern(p, opts.cwd);
    }
    const startedAt = opts.startedAt ?? Date.now() - 1000;
    this.registry.onScript((record) => {
      if (this.watcher && this.shouldWatch(record.file)) {
        log('watch', record.file);
        this.watcher.addFiles([record.file]);
        this.updater.watchStarted(record.file, startedAt);
        if (!this.watchedSet.has(record.file)) { this.watchedSet.add(record.file); this.emit('watching', { file: record.file, count: this.watchedSet.size }); }
      }
    });
    cdp.Debugger.on('scriptParsed', (e) => { this.registry.add(e); });
    this.unhandled = new UnhandledFilter(this.registry, this.pause);
    this.pause.onPause((p) => this.paused(p));
    this.pause.onResume(() => this.resumed());
  }

  // ---- events ----

  on<K extends keyof LiveEvents>(event: K, listener: Listener<LiveEvents[K]>): this {
    this.emitter.on(event, listener as (...a: unknown[]) => void);
    return this;
  }

  off<K extends keyof LiveEvents>(event: K, listener: Listener<LiveEvents[K]>): this {
    this.emitter.off(event, listener as (...a: unknown[]) => void);
    return this;
  }

  /** As EventEmitter's once: the listener is called the next time, then removed. */
  once<K extends keyof LiveEvents>(event: K, listener: Listener<LiveEvents[K]>): this {
    this.emitter.once(event, listener as (...a: unknown[]) => void);
    return this;
  }

  /** The next event of this kind, as a promise of its arguments. */
  next<K extends keyof LiveEvents>(event: K): Promise<LiveEvents[K]> {
    return new Promise((resolve) => this.emitter.once(event, (...args: unknown[]) => resolve(args as LiveEvents[K])));
  }

  emit<K extends keyof LiveEvents>(event: K, ...args: LiveEvents[K]): void {
    this.emitter.emit(event, ...args);
  }

  private reported(r: UpdateReport): void {
    const o = r.outcome;
    switch (o.status) {
      case 'patched':
        this.emit('patched', { file: r.file, functions: o.functions.map((f) => ({ name: f.name, line: f.line })), notApplied: o.notApplied.map(reasonOf), warnings: o.warnings.map(reasonOf), ms: r.ms, afterWaiting: r.afterWaiting, report: r });
        break;
      case 'waiting':
        this.emit('pending', { file: r.file, reason: reasonOf(o.reason), functions: o.functions.map((f) => ({ name: f.name, line: f.line })), ms: r.ms, report: r });
        break;
      case 'not-patched':
        this.emit('not-patched', { file: r.file, reasons: o.reasons.map(reasonOf), ms: r.ms, report: r });
        break;
      case 'unreadable':
        this.emit('not-patched', { file: r.file, reasons: [reasonOf(o.reason)], ms: r.ms, report: r });
        break;
      case 'not-loaded':
        if (this.workerOnly.has(r.file) && !this.registry.scriptsOf(r.file).length) {
          const report: UpdateReport = { ...r, outcome: { status: 'not-loaded', loadedBy: 'a worker thread' } };
          this.emit('not-patched', { file: r.file, reasons: [{ code: Codes.OtherThread, message: workerOnlyMessage('a worker thread') }], ms: r.ms, report });
          break;
        }
        this.emit('unchanged', { file: r.file, loaded: false, ms: r.ms, report: r });
        break;
      case 'unchanged':
        this.emit('unchanged', { file: r.file, loaded: true, ms: r.ms, report: r });
        break;
    }
  }

  // ---- stops: one policy for the terminal and --json ----

  /** A stop was shown (to the prompt and as a `paused` event) and the program has not gone on since. */
  private stopShown = false;
  private readonly stopListeners: ((p: Pause) => void)[] = [];
  private readonly goListeners: (() => void)[] = [];

  private paused(p: Pause): void {
    // breakpoints cleared where the program stood are taken out of V8 once it has moved on
    void this.breaks.flushDeferred(true);
    // With `catch all`, exceptions that code not the program's throws and catches (node's, a
    // library's, ours) are not the user's business: go on without a word.
    if (p.kind === 'exception' && !p.uncaught && this.breakOnSetting !== 'unhandled' && this.originOfFrame(p, 0) !== 'program') {
      void this.pause.resume();
      return;
    }
    if (p.kind === 'exception') { void this.exceptionStop(p).catch(() => { if (this.pause.current === p) this.show(p); }); return; }
    this.show(p);
  }

  private async exceptionStop(p: Pause): Promise<void> {
    // `unhandled`: a caught exception stops only when the program's code does not catch it itself
    if (!p.uncaught && this.breakOnSetting === 'unhandled') {
      const v = await this.unhandled.decide(p);
      if (this.pause.current !== p) return;
      if (!v.stop) { this.caughtByProgram(); void this.pause.resume(); return; }
      p.catcher = v.catcher && { origin: v.catcher.origin, name: v.catcher.name, frame: v.catcher.frame };
    }
    // shown already, at the throw: node or a library caught it and threw it again (only a caught one
    // goes on by itself: resuming an uncaught one would end the program, which must never happen unasked)
    if (!p.uncaught && (await wasShown(this.cdp, p.exception))) { if (this.pause.current === p) void this.pause.resume(); return; }
    p.loadError = (await loadErrorOf(this.cdp, p)) ?? undefined;
    if (this.pause.current !== p) return;
    if (p.loadError) {
      // node compiles a failing file a second time (is it an ES module?): one stop for one error
      const key = loadErrorKey(p.loadError);
      if (this.lastLoadError?.key === key && Date.now() - this.lastLoadError.goneOn < 1000) { void this.pause.resume(); return; }
      this.lastLoadError = { key, goneOn: Infinity };
    }
    await markShown(this.cdp, p.exception);
    this.show(p);
  }

  /** A caught exception that did not stop (the program's code caught it, or it never passed through it): too many, and `unhandled` gives way (CaughtRate). */
  private caughtByProgram(): void {
    if (!this.caughtRate.tooMany(Date.now()) || this.breakOnSetting !== 'unhandled') return;
    this.caughtRate.reset();
    this.breakOnSetting = 'uncaught';
    void this.pause.setBreakOn('uncaught').catch(() => {});
    this.opts.onWarning?.(`the program throws and catches many exceptions (${this.caughtRate.limit} in ${this.caughtRate.windowMs / 1000} s that its own code, node or a library caught), and each costs a stop in --break-on unhandled: now stopping at uncaught exceptions only (type \`catch unhandled\` at the prompt to go back, or start with --break-on uncaught)`);
  }

  /** The last load error shown, and when the program went on from it. */
  private lastLoadError: { key: string; goneOn: number } | null = null;

  private show(p: Pause): void {
    this.stopShown = true;
    for (const l of this.stopListeners) l(p);
    void this.pausedEvent(p).then((e) => this.emit('paused', e));
  }

  private resumed(): void {
    if (this.lastLoadError && this.lastLoadError.goneOn === Infinity) this.lastLoadError.goneOn = Date.now();
    if (!this.stopShown) return;
    this.stopShown = false;
    for (const l of this.goListeners) l();
    this.emit('resumed');
  }

  private originOfFrame(p: Pause, index: number): Origin {
    const frame = p.callFrames[index];
    const record = frame && this.registry.byScriptId(frame.location.scriptId);
    return originOf(record ? record.file : null);
  }

  private async pausedEvent(p: Pause): Promise<PausedEvent> {
    const frames = (await describeFrames(this.pause, p, this.opts.cwd)).map((f) => ({ ...f, internal: f.origin !== 'program' }));
    const event: PausedEvent = {
      reason: p.kind,
      breakpoints: this.breakpointNumbers(p),
      frames,
    };
    if (p.kind === 'exception') {
      const description = p.exception?.description ?? String(p.exception?.value ?? '');
      event.exception = { message: description.split('\n')[0], description, uncaught: p.uncaught === true };
    }
    return event;
  }

  // ---- lifecycle ----

  shouldWatch(file: string): boolean {
    // our own files (the preload and its hooks) never; a library only when --watch names it
    const origin = originOf(file);
    return origin === 'program' || (origin === 'library' && (this.watcher?.coveredByPattern(file) ?? false));
  }

  /** Turn the inspector domains on and set what stops the program. */
  async start(): Promise<void> {
    this.cdp.send('NodeRuntime.notifyWhenWaitingForDisconnect', { enabled: true }).catch(() => {});
    // The program is about to exit: let go so node does not wait for us.
    this.cdp.onRaw('NodeRuntime.waitingForDisconnect', () => { this.leaving = true; void this.cdp.close(); });
    await this.cdp.Runtime.enable();
    await this.cdp.Debugger.enable({});
    await this.pause.setBreakOn(this.breakOnSetting);
  }

  /**
   * A file only a worker thread loaded is not patched (each thread has its own V8): watch the entry
   * file of every worker so that a save of it says so instead of nothing. NodeWorker only reports
   * the worker (no domain is enabled in it: nothing can pause it); files the worker requires are not seen.
   * Call it once the program runs: sent while the program still waited for us (node 26), the
   * program started before the session was ready (a Ctrl+C right after start reached the program).
   * Workers that started before are reported all the same.
   */
  watchWorkers(): void {
    if (!this.watcher) return;
    this.cdp.onRaw('NodeWorker.attachedToWorker', (p: { workerInfo?: { url?: string } }) => {
      const url = p.workerInfo?.url ?? '';
      if (!url.startsWith('file:')) return;
      let file: string;
      try { file = fileURLToPath(url); } catch { return; }
      if (this.registry.scriptsOf(file).length || !this.shouldWatch(file) || this.workerOnly.has(file)) return;
      log('worker entry', file);
      this.workerOnly.add(file);
      this.watcher?.addFiles([file]);
      // a save that lands before the watch is in place (or before this event): look again once it is
      // (the content cannot be compared with what the worker runs, so a file written since the
      // session began counts; the program was started after that)
      for (const delay of [250, 1000]) this.updater.watchStarted(file, this.createdAt, delay);
    });
    this.cdp.send('NodeWorker.enable', { waitForDebuggerOnStart: false }).catch(() => {});
  }

  /**
   * Resolves when the inspector connection ends without us closing it (the program closed its
   * inspector, or the socket broke): live patching and the prompt are then over.
   */
  get lostConnection(): Promise<void> {
    const never = new Promise<void>(() => {});
    // a program killed by a signal closes the socket a moment before its exit is seen: wait for that
    return this.cdp.closed
      .then(() => (this.leaving ? never : new Promise<void>((r) => setTimeout(r, 300).unref())))
      .then(() => (this.programExited ? never : undefined));
  }

  get watchedFiles(): string[] {
    return this.registry.files().filter((f) => this.shouldWatch(f));
  }

  /** Leave the program running on its own: nothing stops it any more, nothing is paused. */
  async letGo(): Promise<void> {
    await this.pause.setBreakOn('none').catch(() => {});
    await this.breaks.removeAll();
    await this.pause.resume();
  }

  /** Stop watching and close the connection (the program runs on, let go). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.leaving = true;
    if (!this.disconnected) await this.letGo().catch(() => {});
    this.updater.close();
    await this.watcher?.close().catch(() => {});
    await this.cdp.close();
  }


  exited(exit: Exit): void {
    this.programExited = true;
    this.emit('exited', { code: exit.code, signal: exit.signal });
  }

  // ---- the prompt's actions (PromptSession, src/prompt/session.ts) and the API's ----

  onPause(listener: (p: Pause) => void): void { this.stopListeners.push(listener); }
  onResume(listener: () => void): void { this.goListeners.push(listener); }

  get current(): Pause | null { return this.pause.current; }

  frames(p: Pause): Promise<FrameView[]> { return describeFrames(this.pause, p, this.opts.cwd); }

  async originalText(frameIndex: number): Promise<string | null> {
    const frame = this.pause.current?.callFrames[frameIndex];
    const src = frame ? await this.pause.source(frame.location.scriptId) : null;
    return src ? src.map.originalText() : null;
  }

  /** Apply a file now, as a save (at a safe pause the top frame may change). */
  apply(file: string): Promise<UpdateOutcome> {
    return this.updater.applyNow(path.resolve(this.opts.cwd, file), { topFrame: this.pause.safePause() ?? undefined });
  }

  /** The file changed: apply it as a save and wait until it is reported. */
  async changed(file: string): Promise<void> {
    const real = realFile(path.resolve(this.opts.cwd, file));
    this.updater.changed(real);
    await this.updater.whenIdle(real);
  }

  /** Apply the pending edits and run the failing function again (docs/retry.md). */
  retry(announce?: (message: string) => void): Promise<Result<{ message: string }>> {
    const load = this.pause.current?.loadError;
    if (load) {
      const file = path.relative(this.opts.cwd, load.file) || load.file;
      return Promise.resolve({ ok: false, message: `${file} does not compile (${load.message}, line ${load.line}): no function of it ran, so there is nothing to run again. Fix the file, then load it again: \`cont\` lets the require or import fail as under node (restart the program, or catch it and require the file again)` });
    }
    return retryNow({ ...this.retryDeps, announce });
  }

  restartFrame(index: number): Promise<Result<Pause>> { return restartFrameAt(this.retryDeps, index); }

  retryFailure(p: Pause): Promise<RetryFailure | null> { return retryFailure(this.pause, this.registry, p); }

  setVariable(frameIndex: number, name: string, expression: string): Promise<Result<SetVariable>> { return this.pause.setVariable(frameIndex, name, expression); }

  /** Evaluate in a frame (null: globally), as `p` does. */
  async evaluate(expression: string, frameIndex: number | null = null): Promise<Result<Protocol.Runtime.RemoteObject>> {
    const r = await this.pause.evaluateSeeing(expression, frameIndex);
    return r.ok ? { ok: true, value: r.value.value } : r;
  }

  /** Evaluate, and say from which frame a name the selected frame does not keep was read (PauseSession.evaluateSeeing). */
  evaluateSeeing(expression: string, frameIndex: number | null): Promise<Result<{ value: Protocol.Runtime.RemoteObject; from: number | null }>> {
    return this.pause.evaluateSeeing(expression, frameIndex);
  }

  variables(frameIndex: number, scopeTypes?: string[]): Promise<ScopeVariable[]> { return this.pause.variables(frameIndex, scopeTypes); }

  /** Let the program go on (breakpoints cleared where it stood leave V8 first: the pause session's beforeResume). */
  resume(): Promise<void> { return this.pause.resume(); }

  async step(kind: StepKind): Promise<Pause | null> {
    const p = await this.pause.quietly(() => this.pause.step(kind));
    if (!p) this.resumed(); // it ran on (returned to the event loop)
    return p;
  }

  /** Stop the program where it is (as Ctrl+C does). */
  interrupt(): Promise<void> { return this.pause.requestPause(); }

  breakpoints(): readonly Breakpoint[] { return this.breaks.all(); }

  addBreakpoint(file: string, line: number, condition?: string): Promise<Result<Breakpoint>> { return this.breaks.add(realFile(file), line, condition); }

  async removeBreakpoint(n: number): Promise<Result<Breakpoint>> { return this.breaks.remove(n, await this.pause.breakpointsAtFunctionEnd()); }

  breakpointNumbers(p: Pause): number[] {
    return p.hitBreakpoints.map((id) => this.breaks.numberOf(id)).filter((n): n is number => n !== null);
  }

  loadedFiles(): string[] { return this.registry.files(); }

  /** Which exceptions stop the program: the one setting (the prompt's `catch` and the API). */
  get breakOn(): BreakOn { return this.breakOnSetting; }

  async setBreakOn(mode: BreakOn): Promise<void> {
    this.breakOnSetting = mode;
    await this.pause.setBreakOn(mode);
  }
}

function reasonOf(r: NotApplied | { code: string; message: string; line?: number }): Reason {
  return r.line === undefined ? { code: r.code, message: r.message } : { code: r.code, message: r.message, line: r.line };
}

/** An update's outcome as retry needs it (session/ does not import patch/). */
function appliedOf(o: UpdateOutcome): Applied {
  switch (o.status) {
    case 'patched': case 'unchanged': case 'not-loaded': return { status: 'applied' };
    case 'waiting': return { status: 'waiting', why: o.reason.message };
    case 'not-patched': return { status: 'refused', why: o.reasons[0]?.message ?? 'not patched' };
    case 'unreadable': return { status: 'refused', why: o.reason.message };
  }
}

async function readText(file: string): Promise<string> {
  const t = textOf(await fs.promises.readFile(file), Number.MAX_SAFE_INTEGER);
  return t.ok ? t.text : '';
}
