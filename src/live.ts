// A live session with one program: the watcher, the patcher and the pause session wired around one
// inspector connection, with typed events and the prompt's actions as methods. `launch` and `attach`
// (./api.ts) make one; the CLI is built on it.
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Protocol } from 'devtools-protocol';
import type { Connection } from './cdp/connection';
import { ScriptRegistry } from './session/registry';
import { LiveEditEngine } from './patch/engine';
import { SwapEngine } from './patch/swap-engine';
import type { EngineKind } from './launch/engine-choice';
import { Updater, textOf, type UpdateOutcome, type UpdateReport } from './patch/updater';
import { createWatcher, type FileWatcher } from './patch/watcher';
import { saveEventOf, type ExitedEvent, type NotPatchedEvent, type PatchedEvent, type PausedEvent, type PendingEvent, type UnchangedEvent } from './report/events';
import { PauseSession, markCompilerNames, type ScopeVariable, type SetVariable, type StepKind, type Thrown } from './session/pause-session';
import { engineConnection } from './session/engine-connection';
import { warmModuleLoader } from './loaders/transform';
import type { Result } from './util/result';
import { Breakpoints, type Breakpoint, type Located, type ScriptPlace } from './session/breakpoints';
import { swappedPositionOf } from './session/swapped-map';
import { inCompiledWrapper, realFile } from './session/registry';
import { LoaderMap } from './loaders/mapped';
import { isTypeScriptFile } from './loaders/detect';
import { compiledSourceOf, jsPositionOf } from './loaders/compiled';
import { routeCompiled } from './loaders/route';
import type { PromptSession } from './prompt/session';
import { retry as retryNow, restartFrameAt, retryFailure, type RetryFailure, type Applied, type Boundaries, type RetryDeps } from './session/retry';
import { describeFrames, type FrameView } from './session/frames';
import { LAST_CHANCE_FRAME, type BreakOn, type Pause } from './session/pause';
import type { Exit } from './launch/target';
import { debug } from './util/log';
import { originOf, type Origin } from './util/origin';
import { CaughtRate, UnhandledFilter } from './session/unhandled';
import { loadErrorKey, loadErrorOf, markShown, wasShown } from './session/load-error';
import { installSkip } from './session/skip';
import { SaveJoin, WorkerThreads, leadingThread, threadParts, type ThreadInfo, type ThreadOutcome, type WorkerThread } from './session/threads';
import type { WorkerConnection } from './cdp/worker';
import { quietWorkersWith } from './cdp/worker-wait';
import { ChildWatcher, type ChildReport } from './session/children';
import type { FunctionValue } from './util/function-name';
import { Codes } from './patch/codes';

const log = debug('app');

export type { Reason, PatchedEvent, NotPatchedEvent, UnchangedEvent, PendingEvent, PausedEvent, PausedFrame, ExitedEvent } from './report/events';

export interface LiveEvents {
  patched: [PatchedEvent];
  'not-patched': [NotPatchedEvent];
  pending: [PendingEvent];
  unchanged: [UnchangedEvent];
  /** A file the program loaded is now watched; `count`: how many are. */
  watching: [{ file: string; count: number }];
  paused: [PausedEvent];
  /** The program goes on; `thread`: a worker thread that did (absent for the main thread). */
  resumed: [ResumedEvent?];
  exited: [ExitedEvent];
  /** A worker thread got its session (it is patched and stops from now on), or ended. */
  thread: [{ kind: 'added' | 'gone'; info: ThreadInfo; session: LiveSession }];
}

export interface ResumedEvent { thread?: number; pid?: number }

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
  /** This session is a worker thread's or a child process's (made by the main thread's session: session/threads.ts). */
  thread?: ThreadInfo;
  /** A worker thread's, through its process's inspector (NodeWorker): it must not be waited for at the worker's end (start()). */
  workerThread?: boolean;
}

type Listener<A extends unknown[]> = (...args: A) => void;

/** `retry` and `restart N` where node is ending the program (the last chance): nothing of the program's is on the stack. */
const ENDING_REFUSAL = 'node is ending the program with this exception: it has left every function it passed through, so none is on the stack to run again. Fix the code for its next call, then `skip` (the program runs on without this error) or `cont` (it ends, as under node)';

export class LiveSession implements PromptSession {
  /** (read by the main thread's session for a worker's) */
  readonly registry: ScriptRegistry;
  private readonly breaks: Breakpoints;
  readonly engine: LiveEditEngine | SwapEngine;
  private readonly pause: PauseSession;
  /** (read by the main thread's session for a worker's: session/threads.ts) */
  readonly updater: Updater;
  private readonly retryDeps: RetryDeps;
  private watcher: FileWatcher | null = null;
  private readonly watchedSet = new Set<string>();
  private readonly emitter = new EventEmitter();
  private closed = false;
  /** (set by the main thread's session when a worker's ends) */
  disconnected = false;
  /** We close the connection ourselves (the program is exiting, or we detach). */
  private leaving = false;
  /** The program has ended (exited() was called). */
  private programExited = false;
  private breakOnSetting: BreakOn;
  private readonly unhandled: UnhandledFilter;
  /** Caught exceptions that went on at once: caught by the program's own code, and by node or a library (CaughtRate). */
  private readonly caughtRates = { own: new CaughtRate(10, 1000, 1), others: new CaughtRate(10, 1000, 5) };

  constructor(readonly cdp: Connection, readonly opts: LiveOptions) {
    this.breakOnSetting = opts.breakOn ?? 'unhandled';
    this.registry = new ScriptRegistry(async (scriptId) => (await cdp.Debugger.getScriptSource({ scriptId })).scriptSource);
    void cdp.closed.then(() => { this.disconnected = true; });
    this.pause = new PauseSession(cdp, this.registry, {
      beforeResume: () => this.breaks.flushDeferred(),
      addedFunction: async (file, name) => (this.engine instanceof SwapEngine ? this.engine.addedFunction(file, name) : null),
    });
    this.breaks = new Breakpoints(cdp, () => this.pause.standsAtCodelessEnd(), (file, line) => this.locateInRunning(file, line));
    // the engine ./api.ts chose before the program ran (README, "Choosing the engine"); what it sends
    // waits while a step of ours is on its way (engine-connection.ts)
    const engineCdp = engineConnection(cdp, this.pause);
    this.engine = opts.engine === 'swap' ? new SwapEngine(engineCdp, this.registry, { onPatched: (record) => this.breaks.extend(record.file) }) : new LiveEditEngine(engineCdp, this.registry, {
      onPatched: (record) => this.breaks.restore(record.file),
      stoppedAtCodelessEnd: (record, text) => this.pause.stoppedAtCodelessEnd(record.scriptId, text),
    });
    this.updater = new Updater({
      // a save of src/x.ts whose dist/x.js the program runs goes to that script (src/loaders/route.ts)
      engine: routeCompiled(this.engine, this.registry),
      readFile: (f) => fs.promises.readFile(f),
      statFile: statNow,
      report: (r) => this.reported(r),
      onSlow: (f, ms) => opts.onWarning?.(`still patching ${path.relative(opts.cwd, f) || f}: the program has not answered for ${ms / 1000} s (it answers when it is out of native code, a sync child process say; V8 LiveEdit on a file of many thousands of functions takes as long); saves after it wait`),
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
        onChange: (f) => { this.savedInThreads(f); this.updater.changed(f); },
        onRemove: (f) => { this.savedInThreads(f); if (this.registry.scriptsOf(f).length) this.updater.changed(f); },
        onRewatch: (f) => { this.updater.recheck(f); for (const t of this.threadList()) t.session.updater.recheck(f); },
        onError: (err) => opts.onWarning?.(`watcher: ${err.message}`),
        usePolling: opts.poll === true,
      });
      for (const p of opts.watchPatterns ?? []) this.watcher.addPattern(p, opts.cwd);
    }
    this.startedAt = opts.startedAt ?? Date.now() - 1000;
    let warmed = false;
    this.registry.onScript((record) => {
      // an ES module a TypeScript loader compiled through its module hooks: have that loader compile
      // one now, while the program runs, so that saves made while it is stopped compile too
      if (!warmed && record.isModule && record.typescript && record.sourceMapURL?.startsWith('data:') && this.shouldWatch(record.file)) {
        warmed = true;
        warmModuleLoader(engineCdp, record.file);
      }
      // compiled output (tsc --sourceMap): its .ts is what the user edits, so that is watched, and not
      // the compiled .js itself: a save of the .ts is applied to it, and the stale .js on disk (until
      // the next build) would take that back
      const from = record.sourceMapURL && !record.sourceMapURL.startsWith('data:') && this.shouldWatch(record.file) ? compiledSourceOf(record.file, record.sourceMapURL) : null;
      if (from) { record.compiledFrom = from; log('compiled', record.file, 'from', from.ts); }
      this.watchLoaded(from ? from.ts : record.file, this.updater, this.startedAt);
      // a .ts file's breakpoints set before it loaded stand by URL at the .ts line: now by its output's map
      if (record.typescript) void this.breaks.placeLoaded(record.file).catch(() => {});
    });
    // a JSON module the program loaded: watched, so that a save of it says node read it once (EC106)
    this.registry.onData((file) => this.watchLoaded(file, this.updater, this.startedAt));
    cdp.Debugger.on('scriptParsed', (e) => { this.registry.add(e); });
    this.unhandled = new UnhandledFilter(this.registry, {
      // the text alone: the pause's own reader maps our insertions too, a second parse of each of
      // node's scripts on the stack that deciding about a caught exception does not need
      source: (scriptId) => this.registry.runningText(scriptId).then((text) => ({ text }), () => null),
      evaluate: (expression, frameIndex) => this.pause.evaluate(expression, frameIndex),
    });
    this.pause.onPause((p) => this.paused(p));
    this.pause.onResume(() => this.resumed());
  }

  private readonly startedAt: number;

  /** A file a thread loaded: watch it; the thread's updater checks it once the watch is in place. */
  private watchLoaded(file: string, updater: Updater, since: number): void {
    if (this.watcher && this.shouldWatch(file)) {
      log('watch', file);
      this.watcher.addFiles([file]);
      updater.watchStarted(file, since);
      if (!this.watchedSet.has(file)) { this.watchedSet.add(file); this.emit('watching', { file, count: this.watchedSet.size }); }
    }
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

  /** An update, as the event for it (plain data: report/events.ts). */
  private reported(r: UpdateReport): void {
    const save = saveEventOf(r);
    this.delivered(0, save.type, save.event as never);
  }

  // ---- worker threads (session/threads.ts) ----

  /** The program's worker threads, once watchWorkers() has run (main thread's session only). */
  private workers: WorkerThreads<LiveSession> | null = null;
  /** One report per save across the threads that loaded the file. */
  private readonly join = new SaveJoin<Delivered>((file, got) => this.joined(file, got));

  /** The program's child processes we are attached to, by pid. */
  private readonly children = new Map<number, { info: ThreadInfo; session: LiveSession; workers: WorkerThreads<LiveSession> }>();
  private childWatcher: ChildWatcher | null = null;

  /** The worker threads and child processes that have a session: their id, title and session (for the prompt). */
  threadList(): { info: ThreadInfo; session: LiveSession }[] {
    const listed = (ws: WorkerThreads<LiveSession> | null | undefined) => (ws?.list() ?? []).map((t) => ({ info: t.info, session: t.session! }));
    return [...listed(this.workers), ...[...this.children.values()].flatMap((c) => [{ info: c.info, session: c.session }, ...listed(c.workers)])];
  }

  /**
   * Attach to the program's child processes that run node with its execArgv: their preload reports
   * their inspector in `dir` (session/children.ts). Each gets a session as a worker thread does.
   */
  watchChildren(dir: string): void {
    if (this.childWatcher || this.opts.thread) return;
    this.childWatcher = new ChildWatcher(dir, (c) => { void this.childFound(c); });
    this.childWatcher.start();
  }

  private async childFound(c: ChildReport): Promise<void> {
    if (this.closed || this.children.has(c.pid)) return;
    const { connect } = require('./cdp/connection') as typeof import('./cdp/connection');
    let cdp: Connection;
    try { cdp = await connect(c.url); } catch (err) { log('child', c.pid, 'connect failed', (err as Error).message); return; }
    const info: ThreadInfo = { id: -c.pid, pid: c.pid, title: `process ${c.pid}`, url: '' };
    const s = new LiveSession(cdp, { ...this.opts, watch: false, thread: info, breakOn: this.breakOnSetting, startedAt: this.startedAt });
    s.registry.onScript((record) => this.watchLoaded(record.file, s.updater, this.startedAt));
    s.registry.onData((file) => this.watchLoaded(file, s.updater, this.startedAt));
    try { await s.start(); } catch (err) { log('child', c.pid, 'start failed', (err as Error).message); void cdp.close(); return; }
    if (this.closed) { void s.close(); return; }
    // its worker threads, as the main thread's (those it runs now, and those it starts from now on)
    const workers = new WorkerThreads<LiveSession>(cdp, {
      pid: c.pid,
      create: (w, i) => this.threadSession(w, i),
      added: (t) => { if (this.children.get(c.pid) === entry) this.threadAdded(t); else void t.session?.close(); },
      gone: (t) => this.threadGone(t),
    });
    const entry = { info, session: s, workers };
    this.children.set(c.pid, entry);
    this.threadAdded({ info, cdp: cdp as WorkerConnection, session: s });
    workers.start();
    void cdp.closed.then(() => {
      if (this.children.get(c.pid) !== entry) return;
      this.children.delete(c.pid);
      this.threadGone({ info, cdp: cdp as WorkerConnection, session: s });
    });
  }

  /** The thread this session drives (0: the main thread). */
  get threadId(): number { return this.opts.thread?.id ?? 0; }

  /**
   * A report of one thread (0: this, the main thread). A worker's session hands its reports up: the
   * main thread's session says them, once per save with every thread's outcome.
   */
  private delivered<K extends ReportKind>(thread: number, kind: K, event: LiveEvents[K][0]): void {
    if (this.opts.thread) { this.emit(kind, event as never); return; }
    // A thread or child that ends while a save is on its way fails it only by being gone: its end is
    // known by the time its failure comes back (a worker's at once; a child's connection's close is
    // handled before the failure has passed through the updater), said by -v ("ended"), and the
    // save's report names the threads that took it. Not a "not patched … save again" line, nor a line
    // of its own for a patch it took as it ended (docs/v8.md, "Worker threads and child processes").
    if (thread !== 0 && !this.threadList().some((t) => t.info.id === thread)) { log('report of an ended thread left out', thread, kind, event.file); return; }
    // The same for the program itself: its end fails the calls in flight (the first look at files
    // written just before the start, a save as it exits), and the end is said already. Files a build
    // or a checkout had just written made one "not patched … connection closed" line each.
    if (thread === 0 && kind === 'not-patched' && (this.disconnected || this.leaving || this.programExited) && (event as NotPatchedEvent).reasons.every((r) => r.code === Codes.ProtocolError)) { log('report after the connection closed left out', event.file); return; }
    const file = event.file;
    // a file only workers loaded: their reports say it all
    if (thread === 0 && kind === 'unchanged' && !(event as UnchangedEvent).loaded && this.workersWith(file).length) return;
    if (this.join.take(file, thread, { kind, event }) === 'held') return;
    if (thread === 0) { this.emit(kind, event as never); return; }
    this.emit(kind, { ...event, threads: [publicOutcome(outcomeOf(thread, { kind, event }))] } as never);
  }

  private joined(file: string, got: Map<number, Delivered>): void {
    const outcomes = [...got].map(([t, d]) => outcomeOf(t, d)).sort((a, b) => a.thread - b.thread);
    const lead = got.get(leadingThread(outcomes, this.registry.scriptsOf(file).length > 0))!;
    this.emit(lead.kind, { ...lead.event, threads: outcomes.map(publicOutcome) } as never);
  }

  /** The worker threads and child processes that loaded the file. */
  private workersWith(file: string): { info: ThreadInfo; session: LiveSession }[] {
    return this.threadList().filter((t) => t.session.registry.scriptsOf(file).length > 0);
  }

  /** A save (or removal) of a file: the workers that loaded it apply it too, and one report says it. */
  private savedInThreads(file: string): void {
    const ws = this.workersWith(file);
    if (!ws.length) return;
    const main = this.registry.scriptsOf(file).length > 0;
    this.join.expect(file, [...(main ? [0] : []), ...ws.map((t) => t.info.id)]);
    // a thread whose updater goes idle without a report (the same text again) is not waited for
    const settled = (updater: Updater, id: number) => void updater.whenIdle(file).then(() => setImmediate(() => this.join.settled(file, id)));
    for (const t of ws) { t.session.updater.changed(file); settled(t.session.updater, t.info.id); }
    if (main) queueMicrotask(() => settled(this.updater, 0)); // (its changed() comes right after this)
  }

  private async threadSession(cdp: WorkerConnection, info: ThreadInfo): Promise<LiveSession> {
    // a file saved since the program started is compared with what the worker runs once watched
    const s = new LiveSession(cdp, { ...this.opts, watch: false, thread: info, workerThread: true, breakOn: this.breakOnSetting, startedAt: this.startedAt });
    s.registry.onScript((record) => this.watchLoaded(record.file, s.updater, this.startedAt));
    s.registry.onData((file) => this.watchLoaded(file, s.updater, this.startedAt));
    await s.start();
    return s;
  }

  private threadAdded(t: WorkerThread<LiveSession>): void {
    const s = t.session!;
    const id = t.info.id;
    const { pid, thread } = threadParts(id);
    const who = pid ? { pid, ...(thread ? { thread } : {}) } : { thread };
    for (const kind of REPORT_KINDS) s.on(kind, ((e: Delivered["event"]) => this.delivered(id, kind, e as never)) as never);
    s.on('paused', (e) => this.emit('paused', { ...e, ...who }));
    s.on('resumed', () => this.emit('resumed', who));
    this.emit('thread', { kind: 'added', info: t.info, session: s });
  }

  private threadGone(t: WorkerThread<LiveSession>): void {
    this.join.drop(t.info.id);
    const s = t.session!;
    s.disconnected = true;
    void s.close();
    this.emit('thread', { kind: 'gone', info: t.info, session: s });
  }

  // ---- stops: one policy for the terminal and --json ----

  /** A stop was shown (to the prompt and as a `paused` event) and the program has not gone on since. */
  private stopShown = false;
  private readonly stopListeners: ((p: Pause) => void)[] = [];
  private readonly goListeners: (() => void)[] = [];

  private paused(p: Pause): void {
    // breakpoints cleared where the program stood are taken out of V8 once it has moved on
    void this.breaks.flushDeferred(true);
    // a breakpoint in the wrapper of code the swap engine is installing: a breakpoint of a line above
    // the swapped-in function, which V8 moved onto the wrapper (the first code of that script after
    // the line), hit as the install runs it. Not the user's code: go on, so that the save completes
    if (p.hitBreakpoints.length && this.inSwapWrapper(p)) { log('a breakpoint in a swap install\'s wrapper: going on'); void this.pause.resume(); return; }
    // With `catch all`, exceptions that code not the program's throws and catches (node's, a
    // library's, ours) are not the user's business: go on without a word.
    if (p.kind === 'exception' && !p.uncaught && this.breakOnSetting !== 'unhandled' && this.originOfFrame(p, 0) !== 'program') {
      void this.pause.resume();
      return;
    }
    if (p.kind !== 'exception' && p.callFrames[0]?.functionName === LAST_CHANCE_FRAME) { void this.lastChanceStop(p).catch(() => { if (this.pause.current === p) this.show(p); }); return; }
    if (p.kind === 'exception') { void this.exceptionStop(p).catch(() => { if (this.pause.current === p) this.show(p); }); return; }
    // an interrupt nobody waits for: a Debugger.pause queued in V8 that a stop shown meanwhile has
    // answered (a Ctrl+C sent twice to V8, or one V8 kept through a stop; pause-state.ts interruptsOut)
    if (p.kind === 'interrupt' && !this.interruptWanted && p.hitBreakpoints.length === 0 && p.callFrames[0]) { void this.unaskedInterrupt(p, p.callFrames[0]); return; }
    this.show(p);
  }

  /** An interrupt stop nobody waits for: a `debugger` statement is shown; else it goes on. */
  private async unaskedInterrupt(p: Pause, top: Protocol.Debugger.CallFrame): Promise<void> {
    const atDebugger = await this.pause.isDebuggerStatement(top).catch(() => true);
    if (this.pause.current !== p) return;
    if (atDebugger || this.interruptWanted) { this.show(p); return; }
    log('a second stop for one Ctrl+C: going on');
    void this.pause.resume();
  }

  private inSwapWrapper(p: Pause): boolean {
    const loc = p.callFrames[0]?.location;
    const lines = loc ? this.registry.byScriptId(loc.scriptId)?.compiledLines : undefined;
    return !!lines && inCompiledWrapper(lines, loc!.lineNumber, loc!.columnNumber ?? 0);
  }

  private async exceptionStop(p: Pause): Promise<void> {
    // `unhandled`: a caught exception stops only when the program's code does not catch it itself
    if (!p.uncaught && this.breakOnSetting === 'unhandled') {
      const v = await this.unhandled.decide(p);
      if (this.pause.current !== p) return;
      if (!v.stop) { this.wentOn(v.byProgram === true); void this.pause.resume(); return; }
      p.catcher = v.catcher && { origin: v.catcher.origin, name: v.catcher.name, frame: v.catcher.frame };
    }
    // shown already, at the throw: node or a library caught it and threw it again (only a caught one
    // goes on by itself: resuming an uncaught one would end the program, which must never happen unasked)
    if (!p.uncaught && (await wasShown(this.cdp, p.exception))) { if (this.pause.current === p) void this.pause.resume(); return; }
    // an uncaught one stops again (going on would end the program), saying it is the one shown before
    if (p.uncaught && (await wasShown(this.cdp, p.exception))) p.thrownAgain = true;
    p.loadError = (await loadErrorOf(this.cdp, p)) ?? undefined;
    if (this.pause.current !== p) return;
    if (p.loadError) {
      // node compiles a failing file a second time (is it an ES module?): one stop for one error
      const key = loadErrorKey(p.loadError);
      if (this.lastLoadError?.key === key && Date.now() - this.lastLoadError.goneOn < 1000) { void this.pause.resume(); return; }
      this.lastLoadError = { key, goneOn: Infinity };
    }
    await markShown(this.cdp, p.exception, p.uncaught === true);
    this.show(p);
  }

  /**
   * The preload's last chance (inject/preload.ts): node is about to end the program with an exception
   * no stop showed as uncaught. Shown as an uncaught exception stop, unless no exception is to stop.
   */
  private async lastChanceStop(p: Pause): Promise<void> {
    if (this.breakOnSetting === 'none') { void this.pause.resume(); return; }
    const frame = p.callFrames[0];
    const r = await this.cdp.Debugger.evaluateOnCallFrame({ callFrameId: frame.callFrameId, expression: 'error', silent: true, objectGroup: 'prompt' });
    const origin = await this.cdp.Debugger.evaluateOnCallFrame({ callFrameId: frame.callFrameId, expression: 'arguments[1]', silent: true, returnByValue: true }).catch(() => null);
    if (this.pause.current !== p) return;
    p.kind = 'exception';
    p.exception = r.result;
    p.uncaught = true;
    p.ending = true;
    p.rejection = origin?.result.value === 'unhandledRejection';
    await markShown(this.cdp, p.exception, true);
    if (this.pause.current === p) this.show(p);
  }

  /** A caught exception that did not stop (the program's code caught it, or it never passed through it): too many, and `unhandled` gives way (CaughtRate). */
  private wentOn(byProgram: boolean): void {
    const rate = byProgram ? this.caughtRates.own : this.caughtRates.others;
    if (!rate.tooMany(Date.now()) || this.breakOnSetting !== 'unhandled') return;
    this.caughtRates.own.reset();
    this.caughtRates.others.reset();
    this.breakOnSetting = 'uncaught';
    void this.pause.setBreakOn('uncaught').catch(() => {});
    this.opts.onWarning?.(`the program throws and catches many exceptions (${rate.describe()} that ${byProgram ? 'its own code' : 'node or a library'} caught), and each costs a stop in --break-on unhandled: now stopping at uncaught exceptions only (type \`catch unhandled\` at the prompt to go back, or start with --break-on uncaught)`);
  }

  /** The last load error shown, and when the program went on from it. */
  private lastLoadError: { key: string; goneOn: number } | null = null;

  private show(p: Pause): void {
    this.stopShown = true;
    this.interruptWanted = false;
    for (const l of this.stopListeners) l(p);
    void this.pausedEvent(p).then((e) => this.emit('paused', e));
  }

  private resumed(): void {
    if (this.lastLoadError && this.lastLoadError.goneOn === Infinity) this.lastLoadError.goneOn = Date.now();
    // a Ctrl+C not answered yet by a stop shown, and no request for it queued in V8 (dropped, or
    // never sent as V8 stood at a stop let go unseen): ask now that the program runs
    this.askPauseAgain();
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
    const frames = (await describeFrames(this.pause, p, this.opts.cwd)).map(({ dispatch: _dispatch, ...f }) => ({ ...f, internal: f.origin !== 'program' }));
    const event: PausedEvent = {
      reason: p.kind,
      breakpoints: this.breakpointNumbers(p),
      frames,
    };
    if (p.kind === 'exception') {
      const ex = (await this.pause.exceptionOf(p)).exception;
      const description = ex?.description ?? String(ex?.value ?? '');
      event.exception = { message: description.split('\n')[0], description, uncaught: p.uncaught === true, ...(p.ending ? { ending: true as const } : {}) };
    }
    return event;
  }

  // ---- lifecycle ----

  shouldWatch(file: string): boolean {
    // our own files (the preload and its hooks) never; a library only when --watch names it
    const origin = originOf(file);
    return origin === 'program' || (origin === 'library' && (this.watcher?.coveredByPattern(file) ?? false));
  }

  /** Scripts the Debugger reported before this session listened (it was enabled for the engine choice). */
  seed(scripts: Protocol.Debugger.ScriptParsedEvent[]): void {
    for (const e of scripts) this.registry.add(e);
  }

  /**
   * Launch: the scripts the engine choice saw before this session listened (node's internals, the
   * preload): none is the program's; their URLs name the frames shown in them.
   */
  knowEarlyScripts(scripts: readonly Protocol.Debugger.ScriptParsedEvent[]): void {
    this.registry.knowUrls(scripts);
  }

  /**
   * Turn the Debugger on and set what stops the program: the requests go out together, not one
   * answer at a time. The Runtime domain stays off: nothing here needs its events, and with it on V8
   * records a detailed stack trace for every exception (a throw-heavy program ran 1.6–2.2× slower;
   * docs/v8.md, "What attaching costs"). Runtime.evaluate and callFunctionOn work without it.
   */
  async start(): Promise<void> {
    // The program is about to exit: let go so node does not wait for us. Not asked of a worker
    // thread: one still running when its process exits (unref'd, as esbuild's for its sync API, which
    // tsx uses) would wait at its end for our session to go, whose messages pass through the main
    // thread, which waits for the worker to end: the program never exited (docs/v8.md).
    this.cdp.onRaw('NodeRuntime.waitingForDisconnect', () => { log('waiting for disconnect'); this.leaving = true; void this.cdp.close(); });
    await Promise.all([
      this.opts.workerThread ? null : this.cdp.send('NodeRuntime.notifyWhenWaitingForDisconnect', { enabled: true }).catch(() => {}),
      this.cdp.Debugger.enable({}),
      this.pause.setBreakOn(this.breakOnSetting),
    ]);
  }

  /**
   * Attach to the program's worker threads (session/threads.ts): each gets a session of its own, with
   * its scripts registered and watched, patched on save and its stops shown at the prompt. Call it
   * once the program runs: NodeWorker.enable sent while the program still waited for us (node 26)
   * let the program start before the session was ready. Workers that started before are attached
   * all the same (what they ran before cannot stop, but their scripts are registered).
   */
  watchWorkers(): void {
    if (this.workers || this.opts.thread) return;
    this.workers = new WorkerThreads<LiveSession>(this.cdp, {
      create: (cdp, info) => this.threadSession(cdp, info),
      added: (t) => this.threadAdded(t),
      gone: (t) => this.threadGone(t),
    });
    // while a loader compiles a save in this thread, its workers must not stop (cdp/worker-wait.ts)
    const workers = this.workers;
    quietWorkersWith(this.cdp, {
      quiet: async () => { await Promise.all(workers.list().map((t) => t.session!.quietExceptions(true))); },
      restore: async () => { await Promise.all(workers.list().map((t) => t.session!.quietExceptions(false))); },
    });
    this.workers.start();
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
    this.childWatcher?.close();
    // (a thread or child that does not answer must not keep us: 2 s each, together)
    await Promise.all(this.threadList().map((t) => Promise.race([t.session.close().catch(() => {}), new Promise<void>((r) => setTimeout(r, 2000).unref())])));
    this.join.close();
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
    if (!frame) return null;
    const written = await this.compiledSource(frame.location.scriptId);
    return written ? written.text : this.pause.shownText(frame.location.scriptId);
  }

  /**
   * The source a compiler made a frame's running code from (tsc's .ts, or a loader's: tsx, ts-node),
   * its text null when it cannot be read; null for code that runs as the user wrote it.
   */
  private async compiledSource(scriptId: string): Promise<{ text: string | null } | null> {
    const record = this.registry.byScriptId(scriptId);
    if (!record) return null;
    if (record.compiledFrom) return { text: await readText(record.compiledFrom.ts).catch(() => null) };
    if (!isTypeScriptFile(record.file)) return null;
    const src = await this.pause.source(scriptId);
    // a loader's output (for a swapped-in body: the output it was compiled from) maps to the .ts
    const loaderMap = src ? LoaderMap.of(record.file, record.mapText ?? record.shownText ?? src.text) : null;
    // the .ts the running code was made from (the map's copy: a later save may have moved lines), else the file now
    if (loaderMap) return { text: loaderMap.sourceText() ?? (await readText(record.file).catch(() => null)) };
    return null;
  }

  /** A .ts line in the loader's output V8 runs for it (null: no loader map, the line is the line). */
  private async locateInRunning(file: string, line: number): Promise<Located | null> {
    for (const record of this.registry.compiledFrom(file)) {
      const at = jsPositionOf(record.compiledFrom!, line);
      if (at) return { ...at, file: record.file };
    }
    if (!isTypeScriptFile(file)) return null;
    // a loader's output: the line's place in each script that runs code of it, by script (a URL
    // breakpoint would stand at the same place in all of them): the modules, and the functions the swap
    // engine swapped in, each compiled from a save's own output (src/session/swapped-map.ts)
    const scripts: ScriptPlace[] = [];
    for (const record of this.registry.scriptsOf(file)) {
      const src = await this.pause.source(record.scriptId);
      const at = src && LoaderMap.of(file, record.mapText ?? src.text)?.generated(line);
      if (at) scripts.push({ scriptId: record.scriptId, ...at });
    }
    for (const record of this.registry.compiledOf(file)) {
      const src = await this.pause.source(record.scriptId);
      const at = src && swappedPositionOf(record, src.map, line);
      if (at) scripts.push({ scriptId: record.scriptId, ...at });
    }
    return scripts.length ? { line: scripts[0].line, column: scripts[0].column, scripts } : null;
  }

  /** Apply a file now, as a save (at a safe pause the top frame may change). */
  apply(file: string): Promise<UpdateOutcome> {
    return this.updater.applyNow(path.resolve(this.opts.cwd, file), { topFrame: this.pause.safePause() ?? undefined });
  }

  /** The file changed: apply it as a save and wait until it is reported. */
  async changed(file: string): Promise<void> {
    const real = realFile(path.resolve(this.opts.cwd, file));
    const workers = this.workersWith(real);
    this.savedInThreads(real);
    this.updater.changed(real);
    await Promise.all([this.updater.whenIdle(real), ...workers.map((t) => t.session.updater.whenIdle(real))]);
  }

  /** Apply the pending edits and run the failing function again (docs/retry.md). */
  retry(announce?: (message: string) => void): Promise<Result<{ message: string }>> {
    const load = this.pause.current?.loadError;
    if (load) {
      const file = path.relative(this.opts.cwd, load.file) || load.file;
      return Promise.resolve({ ok: false, message: `${file} did not compile when node loaded it (${load.message}, line ${load.line}): no function of it ran, so there is nothing to run again. A fixed file is read by the next require or import of it: \`cont\` lets this one fail as under node (then restart the program, or catch the error and require the file again)` });
    }
    if (this.pause.current?.ending) return Promise.resolve({ ok: false, message: ENDING_REFUSAL });
    return retryNow({ ...this.retryDeps, announce });
  }

  restartFrame(index: number): Promise<Result<Pause>> {
    if (this.pause.current?.ending) return Promise.resolve({ ok: false, message: ENDING_REFUSAL });
    return restartFrameAt(this.retryDeps, index);
  }

  /**
   * `skip`: ready the program to drop the exception of this stop if it reaches node uncaught (it would
   * end the program), so that it runs on (session/skip.ts); the prompt then lets it go as `cont` does.
   * A stop with a catcher on the stack is left to it.
   */
  async skipException(): Promise<Result<{ message: string }>> {
    const p = this.pause.current;
    if (!p || p.kind !== 'exception') return { ok: false, message: 'skip is for a stop at an exception: here `cont` goes on' };
    if (!p.uncaught && p.catcher) return { ok: false, message: `${p.catcher.name} (frame ${p.catcher.frame}) catches it: \`cont\` lets it handle the error` };
    const r = await installSkip(this.cdp, p);
    if (!r.ok) return r;
    const message = r.value === 'own-handler' ? "the program handles uncaught exceptions itself (process.on('uncaughtException')): going on, as `cont` does"
      : r.value === 'capture' ? 'the program takes uncaught exceptions itself (a domain, or process.setUncaughtExceptionCaptureCallback): going on, as `cont` does'
      : r.value === 'no-process' ? 'this thread has no process object to keep it going: `cont` ends it as under node'
      // a rejection V8 calls unhandled may still get a handler later (Promise.allSettled's, a .catch() a line on)
      : p.uncaught && p.rejection && !p.ending ? 'skipped: unless a handler added later takes it, the program runs on without this rejection (the calls awaiting it end there)'
      : p.uncaught ? 'skipped: the program runs on without this exception (the calls under way when it was thrown end there)'
      : 'going on: if nothing catches it, the program runs on without it instead of ending';
    if (r.value === 'no-process') return { ok: false, message };
    // the preload's last chance need not stop for it as it reaches node
    if (r.value === 'installed') await markShown(this.cdp, p.exception, true);
    return { ok: true, value: { message } };
  }

  /** The API's `skip()`: at an exception stop, ready the program to run on without it (skipException), and let it go. */
  async skip(): Promise<Result<{ message: string }>> {
    const r = await this.skipException();
    if (r.ok) await this.resume();
    return r;
  }

  retryFailure(p: Pause): Promise<RetryFailure | null> { return retryFailure(this.pause, this.registry, p, (id) => this.compiledSource(id)); }
  exception(p: Pause): Promise<Thrown> { return this.pause.exceptionOf(p); }

  setVariable(frameIndex: number, name: string, expression: string): Promise<Result<SetVariable>> { return this.pause.setVariable(frameIndex, name, expression); }

  /** Evaluate in a frame (null: globally), as `p` does. */
  async evaluate(expression: string, frameIndex: number | null = null): Promise<Result<Protocol.Runtime.RemoteObject>> {
    const r = await this.pause.evaluateSeeing(expression, frameIndex);
    return r.ok ? { ok: true, value: r.value.value } : r;
  }

  /** Evaluate, and say from which frame a name the selected frame does not keep was read (PauseSession.evaluateSeeing). */
  async evaluateSeeing(expression: string, frameIndex: number | null): Promise<Result<{ value: FunctionValue; from: number | null; module?: string }>> {
    const r = await this.pause.evaluateSeeing(expression, frameIndex);
    return r.ok ? { ok: true, value: { ...r.value, value: await this.pause.withFunctionName(r.value.value) } } : r;
  }

  loopNamesNotLive(frameIndex: number): Promise<{ name: string; line: number }[]> {
    return this.pause.loopNamesNotLive(frameIndex);
  }

  /** The variables of a frame, as the prompt lists them (a function value with its own name: PauseSession.withFunctionName). */
  async variables(frameIndex: number, scopeTypes?: string[]): Promise<ScopeVariable[]> {
    const vars = await this.pause.variables(frameIndex, scopeTypes);
    for (const v of vars) v.value = await this.pause.withFunctionName(v.value);
    // compiled code (TypeScript through tsc or a loader): the names its compiler added (esbuild's
    // `__create`, `import_express`, tsc's `express_1`, `__importDefault`) are not in the file
    const frame = this.pause.current?.callFrames[frameIndex];
    const written = frame && vars.length ? (await this.compiledSource(frame.location.scriptId))?.text : null;
    if (written) markCompilerNames(vars, written);
    return vars;
  }

  /** Let the program go on (breakpoints cleared where it stood leave V8 first: the pause session's beforeResume). */
  resume(): Promise<void> { return this.pause.resume(); }

  async step(kind: StepKind): Promise<Pause | null> {
    const p = await this.pause.quietly(() => this.pause.step(kind));
    if (!p) this.resumed(); // it ran on (returned to the event loop)
    else this.interruptWanted = false; // the prompt shows this stop: it answers a Ctrl+C typed during the step
    return p;
  }

  /**
   * A Ctrl+C no stop has answered yet (show() ends it). A stop that is not shown may be let go unseen
   * (a caught exception under `unhandled`, checked while the program waits). V8 drops a Debugger.pause
   * that reaches it while it stands at such a stop (in a program that throws often, the next one can
   * come before the request does); one that reaches it while the program runs stays queued through
   * such stops and stops the program later, and each request is a stop of its own (docs/v8.md, "A
   * queued Debugger.pause"). So the pause is asked for again as the program goes on from a stop let
   * go unseen, unless one is queued or on its way (PauseSession.interruptPending).
   */
  private interruptWanted = false;

  /** Stop the program where it is (as Ctrl+C does). */
  interrupt(): Promise<void> {
    this.interruptWanted = true;
    if (this.pause.current && !this.stopShown) return Promise.resolve(); // asked as it goes on (resumed())
    return this.askPause();
  }

  /** Send the Ctrl+C's Debugger.pause; if V8 dropped it and the program runs on, send it again. */
  private async askPause(): Promise<void> {
    const queued = await this.pause.requestPause();
    if (!queued) this.askPauseAgain();
  }

  /**
   * The Ctrl+C is not answered by a stop shown and no request for it is queued in V8 or on its way:
   * ask again if the program runs (if it is stopped, the resume from that stop asks: resumed()).
   */
  private askPauseAgain(): void {
    if (this.interruptWanted && !this.pause.current && !this.pause.interruptPending) this.askPause().catch(() => {});
  }

  breakpoints(): readonly Breakpoint[] { return this.breaks.all(); }

  addBreakpoint(file: string, line: number, condition?: string): Promise<Result<Breakpoint>> {
    const real = realFile(file);
    return this.breaks.add(real, line, condition, this.registry.scriptsOf(real).length > 0);
  }

  async removeBreakpoint(n: number): Promise<Result<Breakpoint>> { return this.breaks.remove(n, await this.pause.breakpointsAtFunctionEnd()); }

  breakpointNumbers(p: Pause): number[] {
    return p.hitBreakpoints.map((id) => this.breaks.numberOf(id)).filter((n): n is number => n !== null);
  }

  loadedFiles(): string[] { return this.registry.files(); }

  /**
   * The code at a place an error's own stack names in a file of the program (a stop with none of its
   * frames on the stack), as the user wrote it. None for a file the swap engine has swapped code into
   * (that code runs in scripts of its own) or that tsc compiled.
   */
  async codeAt(file: string, line: number, column: number): Promise<{ text: string; line: number; column: number } | null> {
    const records = this.registry.scriptsOf(file);
    const record = records[records.length - 1];
    if (!record || record.compiledFrom || this.registry.compiledOf(file).length > 0) return null;
    // a loader's .ts: node gives the .ts position (the loader's source maps)
    if (record.typescript) {
      const text = await readText(file).catch(() => null);
      return text === null ? null : { text, line, column };
    }
    const src = await this.pause.source(record.scriptId);
    const text = await this.pause.shownText(record.scriptId);
    if (!src || text === null) return null;
    const pos = src.map.original(line - 1, column - 1);
    return { text, line: pos.line + 1, column: pos.column + 1 };
  }

  /** Which exceptions stop the program: the one setting (the prompt's `catch` and the API). */
  get breakOn(): BreakOn { return this.breakOnSetting; }

  async setBreakOn(mode: BreakOn): Promise<void> {
    this.breakOnSetting = mode;
    await this.pause.setBreakOn(mode);
  }

  /** Stop at no exception for a moment (on), then as the setting says again (off): cdp/worker-wait.ts. */
  async quietExceptions(on: boolean): Promise<void> {
    await this.pause.setBreakOn(on ? 'none' : this.breakOnSetting).catch(() => {});
  }
}

/**
 * A file's mtime and size, read at once. The updater looks at every loaded file once, soon after the
 * program loads it (Updater.watchStarted): for 2,000 modules, 2,000 promise stats cost the controller
 * ~100 ms of CPU (a thread-pool hop each), these ~10-40 ms (bench/ANALYSIS.md).
 */
function statNow(file: string): Promise<{ mtimeMs: number; size: number }> {
  try {
    const st = fs.statSync(file, { throwIfNoEntry: false });
    return st ? Promise.resolve(st) : Promise.reject(Object.assign(new Error(`no such file: ${file}`), { code: 'ENOENT' }));
  } catch (err) {
    return Promise.reject(err);
  }
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

type ReportKind = 'patched' | 'not-patched' | 'pending' | 'unchanged';
const REPORT_KINDS: ReportKind[] = ['patched', 'not-patched', 'pending', 'unchanged'];
type Delivered = { kind: ReportKind; event: PatchedEvent | NotPatchedEvent | PendingEvent | UnchangedEvent };

function outcomeOf(thread: number, d: Delivered): ThreadOutcome {
  if (d.kind === 'not-patched') return { thread, status: 'not-patched', reasons: (d.event as NotPatchedEvent).reasons.map((r) => ({ code: r.code, message: r.message })) };
  if (d.kind === 'pending') { const r = (d.event as PendingEvent).reason; return { thread, status: 'pending', reasons: [{ code: r.code, message: r.message }] }; }
  return { thread, status: d.kind };
}

/** An outcome as reports give it: a child process (internal id: minus its pid) by its pid, on its main thread (0) or a worker. */
function publicOutcome(o: ThreadOutcome): ThreadOutcome {
  return o.thread < 0 ? { ...o, ...threadParts(o.thread) } : o;
}
