// A live session with one program: the watcher, the patcher and the pause session wired around one
// inspector connection, with typed events and the prompt's actions as methods. `launch` and `attach`
// (./api.ts) make one; the CLI is built on it.
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Connection } from './cdp/connection';
import { ScriptRegistry } from './session/registry';
import { LiveEditEngine } from './patch/engine';
import { SwapEngine } from './patch/swap-engine';
import type { EngineKind } from './launch/engine-choice';
import { Updater, textOf, type UpdateOutcome, type UpdateReport } from './patch/updater';
import { createWatcher, type FileWatcher } from './patch/watcher';
import type { NotApplied } from './patch/plan';
import { PauseSession, type Result } from './session/debugger';
import { Breakpoints } from './session/breakpoints';
import { retry as retryNow, restartFrameAt, type RetryDeps } from './session/retry';
import { describeFrames, type FrameView } from './session/frames';
import type { BreakOn, Pause, PauseKind } from './session/pause';
import type { Exit } from './launch/target';
import { debug } from './util/log';

const log = debug('app');

/** Our own files (the preload and its hooks) are never watched or patched. */
const OWN_DIR = path.dirname(__dirname) + path.sep;

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
  frames: FrameView[];
}
export interface ExitedEvent { code: number | null; signal: string | null }

export interface LiveEvents {
  patched: [PatchedEvent];
  'not-patched': [NotPatchedEvent];
  pending: [PendingEvent];
  unchanged: [UnchangedEvent];
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
  /** The patch engine (chosen by ./api.ts before the program runs; default LiveEdit). */
  engine?: EngineKind;
}

type Listener<A extends unknown[]> = (...args: A) => void;

export class LiveSession {
  readonly registry = new ScriptRegistry();
  readonly breakpoints: Breakpoints;
  readonly engine: LiveEditEngine | SwapEngine;
  readonly pause: PauseSession;
  readonly updater: Updater;
  readonly retryDeps: RetryDeps;
  private watcher: FileWatcher | null = null;
  private readonly emitter = new EventEmitter();
  private closed = false;
  private disconnected = false;
  /** We close the connection ourselves (the program is exiting, or we detach). */
  private leaving = false;
  /** The program has ended (exited() was called). */
  private programExited = false;
  private breakOn: BreakOn;

  constructor(readonly cdp: Connection, readonly opts: LiveOptions) {
    this.breakOn = opts.breakOn ?? 'uncaught';
    void cdp.closed.then(() => { this.disconnected = true; });
    this.breakpoints = new Breakpoints(cdp);
    // the engine ./api.ts chose before the program ran (README, "Choosing the engine")
    this.engine = opts.engine === 'swap' ? new SwapEngine(cdp, this.registry) : new LiveEditEngine(cdp, this.registry, { onPatched: (record) => this.breakpoints.restore(record.file) });
    this.pause = new PauseSession(cdp, this.registry);
    this.updater = new Updater({
      engine: this.engine,
      readFile: (f) => fs.promises.readFile(f),
      statFile: (f) => fs.promises.stat(f),
      report: (r) => this.reported(r),
    });
    this.retryDeps = {
      cdp,
      session: this.pause,
      settle: () => this.updater.settle(),
      waitingFiles: () => this.updater.waitingFiles(),
      preview: async (file) => this.engine.preview(file, await readText(file)),
      apply: (file, atSafePause) => this.updater.applyNow(file, { topFrame: atSafePause ? this.pause.safePause() ?? undefined : undefined }),
      cwd: opts.cwd,
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
      }
    });
    cdp.Debugger.on('scriptParsed', (e) => { this.registry.add(e); });
    // breakpoints cleared where the program stood are taken out of V8 once it has moved on
    this.pause.onPause((p) => { void this.breakpoints.flushDeferred(); void this.pausedEvent(p).then((e) => this.emit('paused', e)); });
    this.pause.onResume(() => { void this.breakpoints.flushDeferred(); this.emit('resumed'); });
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

  once<K extends keyof LiveEvents>(event: K): Promise<LiveEvents[K]> {
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
      case 'unchanged':
      case 'not-loaded':
        this.emit('unchanged', { file: r.file, loaded: o.status === 'unchanged', ms: r.ms, report: r });
        break;
    }
  }

  private async pausedEvent(p: Pause): Promise<PausedEvent> {
    const frames = await describeFrames(this.pause, p, this.opts.cwd);
    const event: PausedEvent = {
      reason: p.kind,
      breakpoints: p.hitBreakpoints.map((id) => this.breakpoints.numberOf(id)).filter((n): n is number => n !== null),
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
    return !file.startsWith(OWN_DIR) &&
      (!file.split(path.sep).includes('node_modules') || (this.watcher?.coveredByPattern(file) ?? false));
  }

  /** Turn the inspector domains on and set what stops the program. */
  async start(): Promise<void> {
    this.cdp.send('NodeRuntime.notifyWhenWaitingForDisconnect', { enabled: true }).catch(() => {});
    // The program is about to exit: let go so node does not wait for us.
    this.cdp.onRaw('NodeRuntime.waitingForDisconnect', () => { this.leaving = true; void this.cdp.close(); });
    await this.cdp.Runtime.enable();
    await this.cdp.Debugger.enable({});
    await this.pause.setBreakOn(this.breakOn);
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
    await this.breakpoints.removeAll();
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

  // ---- the prompt's actions ----

  /** Apply a file now, as a save (at a safe pause the top frame may change). */
  apply(file: string): Promise<UpdateOutcome> {
    return this.updater.applyNow(path.resolve(this.opts.cwd, file), { topFrame: this.pause.safePause() ?? undefined });
  }

  /** The file changed: apply it as a save and wait until it is reported. */
  async changed(file: string): Promise<void> {
    this.updater.changed(file);
    await this.updater.whenIdle(file);
  }

  retry(): Promise<Result<{ message: string }>> { return retryNow(this.retryDeps); }

  async restartFrame(index: number): Promise<Result<Pause>> {
    const r = await restartFrameAt(this.retryDeps, index);
    return r.ok ? { ok: true, value: r.value.pause } : r;
  }

  setVariable(frameIndex: number, name: string, expression: string) { return this.pause.setVariable(frameIndex, name, expression); }

  evaluate(expression: string, frameIndex: number | null = null) { return this.pause.evaluate(expression, frameIndex); }

  async resume(): Promise<void> { await this.breakpoints.flushDeferred(); return this.pause.resume(); }

  /** Stop the program where it is (as Ctrl+C does). */
  interrupt(): Promise<void> { return this.pause.requestPause(); }

  async setBreakOn(mode: BreakOn): Promise<void> {
    this.breakOn = mode;
    await this.pause.setBreakOn(mode);
  }

  get breakOnMode(): BreakOn { return this.breakOn; }
}

function reasonOf(r: NotApplied | { code: string; message: string; line?: number }): Reason {
  return r.line === undefined ? { code: r.code, message: r.message } : { code: r.code, message: r.message, line: r.line };
}

async function readText(file: string): Promise<string> {
  const t = textOf(await fs.promises.readFile(file), Number.MAX_SAFE_INTEGER);
  return t.ok ? t.text : '';
}
