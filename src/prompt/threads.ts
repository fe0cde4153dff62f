// One prompt for every thread of the program: a PromptSession that passes each call to the selected
// thread's session (the main thread's, or a worker's), shows one stop at a time, and keeps the stops
// of other threads waiting until the shown one goes on or the user switches (`thread N`).
import type { BreakOn, Pause, PromptSession, Result, StepKind, ThreadState } from './session';
import { threadNumber, threadParts } from '../session/threads';

export interface ThreadEntry {
  /** The threadId (0: the main thread). */
  id: number;
  /** The worker's entry, as a file: URL ('' for eval code or the main thread). */
  url: string;
  session: PromptSession;
}

/** What the router needs of the main thread's session (LiveSession has it). */
export interface ThreadSource {
  /** The worker threads now (not the main thread). */
  threadList(): { info: { id: number; url: string }; session: PromptSession }[];
  on(event: 'thread', listener: (e: { kind: 'added' | 'gone'; info: { id: number; url: string }; session: PromptSession }) => void): unknown;
}


/**
 * `[worker 2]` for a worker thread, `[process 4711]` for a child process (id: minus its pid),
 * `[process 4711 worker 1]` for a child's worker, '' for the main thread.
 */
export function threadLabel(id: number): string {
  const { pid, thread } = threadParts(id);
  return id === 0 ? '' : pid ? `[process ${pid}${thread ? ` worker ${thread}` : ''}]` : `[worker ${thread}]`;
}

export class ThreadRouter implements PromptSession {
  private selectedId = 0;
  /** The thread whose stop the prompt shows (null: the prompt is closed). */
  private shownId: number | null = null;
  /** Stops of threads not shown (yet). */
  private readonly waiting = new Map<number, Pause>();
  private readonly stopListeners: ((p: Pause) => void)[] = [];
  private readonly goListeners: (() => void)[] = [];
  private readonly entries = new Map<number, ThreadEntry>();
  /** A `thread N` waits for N to stop. */
  private wanted: { id: number; resolve(p: Pause): void } | null = null;

  constructor(private readonly main: PromptSession & ThreadSource, private readonly say: (line: string) => void = () => {}) {
    this.wire({ id: 0, url: '', session: main });
    for (const t of main.threadList()) this.wire({ id: t.info.id, url: t.info.url, session: t.session });
    main.on('thread', (e) => {
      if (e.kind === 'added') this.wire({ id: e.info.id, url: e.info.url, session: e.session });
      else this.gone(e.info.id);
    });
  }

  private wire(entry: ThreadEntry): void {
    if (this.entries.has(entry.id)) return;
    this.entries.set(entry.id, entry);
    entry.session.onPause((p) => this.stopped(entry.id, p));
    entry.session.onResume(() => this.went(entry.id));
  }

  private get sel(): PromptSession { return this.entries.get(this.selectedId)?.session ?? this.main; }

  private stopped(id: number, p: Pause): void {
    if (this.wanted?.id === id) {
      const w = this.wanted;
      this.wanted = null;
      if (this.shownId !== null && this.shownId !== id) this.waiting.set(this.shownId, this.entries.get(this.shownId)!.session.current!);
      this.waiting.delete(id);
      this.shownId = id;
      this.selectedId = id;
      w.resolve(p);
      return;
    }
    if (this.shownId === null || this.shownId === id) {
      this.waiting.delete(id);
      this.shownId = id;
      this.selectedId = id;
      for (const l of this.stopListeners) l(p);
      return;
    }
    const first = !this.waiting.has(id);
    this.waiting.set(id, p);
    if (first) this.say(`${threadLabel(id) || 'the main thread'} stopped too (${p.kind}): \`thread ${threadNumber(id)}\` goes to it`);
  }

  private went(id: number): void {
    this.waiting.delete(id);
    if (id !== this.shownId) return;
    this.shownId = null;
    for (const l of this.goListeners) l();
    this.showNext();
  }

  /** The shown thread went on: a thread still stopped is shown next. */
  private showNext(): void {
    const next = [...this.waiting.entries()].sort((a, b) => a[0] - b[0])[0];
    if (!next) return;
    setImmediate(() => {
      const [id, p] = next;
      const entry = this.entries.get(id);
      if (this.shownId !== null || !entry || entry.session.current !== p) { if (this.shownId === null && entry?.session.current) this.stopped(id, entry.session.current); return; }
      this.stopped(id, p);
    });
  }

  private gone(id: number): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.waiting.delete(id);
    if (this.selectedId === id) this.selectedId = 0;
    if (this.shownId === id) {
      this.say(`${threadLabel(id)} ended`);
      this.shownId = null;
      for (const l of this.goListeners) l();
      this.showNext();
    }
  }

  // ---- threads ----

  /** Every thread, the main one first. */
  threads(): ThreadState[] {
    // the main thread, the workers, then the child processes, each followed by its workers
    const order = (id: number) => { const { pid, thread } = threadParts(id); return [pid ?? 0, thread]; };
    const compare = (a: number, b: number) => { const [x, y] = [order(a), order(b)]; return x[0] - y[0] || x[1] - y[1]; };
    return [...this.entries.values()].sort((a, b) => compare(a.id, b.id)).map((e) => ({
      id: e.id, url: e.url, selected: e.id === this.selectedId, stopped: e.session.current,
    }));
  }

  /** The selected thread's label (`[worker 2]`), '' for the main thread. */
  threadLabel(): string { return threadLabel(this.selectedId); }

  /** Go to thread N: its stop, or stop it first (as Ctrl+C would) when it runs. */
  async selectThread(id: number): Promise<Result<Pause>> {
    // a child process goes by its pid
    if (!this.entries.has(id) && this.entries.has(-id)) id = -id;
    const entry = this.entries.get(id);
    if (!entry) return { ok: false, message: `there is no thread or process ${id} (\`threads\` lists them)` };
    const now = entry.session.current;
    if (now) {
      if (this.shownId !== null && this.shownId !== id) {
        const shown = this.entries.get(this.shownId)?.session.current;
        if (shown) this.waiting.set(this.shownId, shown);
      }
      this.waiting.delete(id);
      this.shownId = id;
      this.selectedId = id;
      return { ok: true, value: now };
    }
    const stoppedNow = new Promise<Pause>((resolve) => { this.wanted = { id, resolve }; });
    await entry.session.interrupt();
    const timeout = new Promise<null>((r) => setTimeout(() => r(null), 20000).unref());
    const p = await Promise.race([stoppedNow, timeout]);
    if (!p) { this.wanted = null; return { ok: false, message: `${threadLabel(id) || 'the main thread'} did not stop within 20 s (is it in native code?)` }; }
    return { ok: true, value: p };
  }

  // ---- PromptSession: the selected thread ----

  onPause(listener: (pause: Pause) => void): void { this.stopListeners.push(listener); }
  onResume(listener: () => void): void { this.goListeners.push(listener); }
  get current(): Pause | null { return this.sel.current; }
  get breakOn(): BreakOn { return this.main.breakOn; }
  frames(pause: Pause) { return this.sel.frames(pause); }
  originalText(i: number) { return this.sel.originalText(i); }
  evaluateSeeing(e: string, i: number | null) { return this.sel.evaluateSeeing(e, i); }
  variables(i: number, types?: string[]) { return this.sel.variables(i, types); }
  loopNamesNotLive(i: number) { return this.sel.loopNamesNotLive(i); }
  setVariable(i: number, name: string, e: string) { return this.sel.setVariable(i, name, e); }
  breakpointNumbers(p: Pause) { return this.sel.breakpointNumbers(p); }
  retryFailure(p: Pause) { return this.sel.retryFailure(p); }
  exception(p: Pause) { return this.sel.exception?.(p) ?? Promise.resolve({ exception: p.exception, notes: [] }); }
  codeAt(file: string, line: number, column: number) { return this.sel.codeAt?.(file, line, column) ?? Promise.resolve(null); }
  loadedFiles() { return [...new Set([...this.entries.values()].flatMap((e) => e.session.loadedFiles()))]; }
  resume() { return this.sel.resume(); }
  step(kind: StepKind) { return this.sel.step(kind); }
  retry(announce?: (m: string) => void) { return this.sel.retry(announce); }
  skipException() { return this.sel.skipException?.() ?? Promise.resolve({ ok: false as const, message: 'skip is not available here: `cont` goes on' }); }
  restartFrame(i: number) { return this.sel.restartFrame(i); }
  /** Stop the selected thread (the main thread unless the user chose another). */
  interrupt() { return this.sel.interrupt(); }
  breakpoints() { return this.sel.breakpoints(); }
  addBreakpoint(file: string, line: number, condition?: string) { return this.sel.addBreakpoint(file, line, condition); }
  removeBreakpoint(n: number) { return this.sel.removeBreakpoint(n); }
  /** Every thread stops alike. */
  async setBreakOn(mode: BreakOn): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.session.setBreakOn(mode).catch(() => {})));
  }
  changed(file: string) { return this.main.changed(file); }
}
