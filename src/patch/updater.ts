// From "this file changed" to a patch: the shell around ./file-state.ts, which decides. It owns each
// file's timers, reads the file safely, hands it to the engine (one apply at a time across files) and
// reports; bursts of saves coalesce (the last content wins) and edits V8 blocks are tried again until
// it takes them.
import type { ApplyOptions, PatchEngine, PatchOutcome } from './engine';
import { initialFileState, isIdle, step, type Attempt, type FileState, type Input, type ReadResult, type StepConfig, type UpdateOutcome, type UpdateReport } from './file-state';
import { debug } from '../util/log';

export type { UpdateOutcome, UpdateReport } from './file-state';

const log = debug('patch');

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface UpdaterOptions {
  engine: PatchEngine;
  readFile(file: string): Promise<Buffer>;
  /** Identity of the file's current content (mtime and size). */
  statFile?(file: string): Promise<{ mtimeMs: number; size: number }>;
  report(report: UpdateReport): void;
  clock?: Clock;
  /** Quiet period after a change event before the file is read. */
  debounceMs?: number;
  /** Larger files are refused as not being scripts. */
  maxBytes?: number;
  /** Delays between retries of a blocked edit; the last one repeats. */
  retryDelaysMs?: number[];
  /**
   * After an update, look at the file again this much later: a safety net for a save whose event
   * is missed (with --poll, a second save within one polling interval).
   */
  recheckMs?: number;
  /**
   * An apply that has not ended this long after it began is said (`onSlow`), once: until the engine
   * answers, this save has no report and later saves wait behind it, and silence would look like a
   * save never seen (V8 LiveEdit takes seconds on a file of many thousands of functions; a program
   * busy in native code answers when it returns).
   */
  slowMs?: number;
  onSlow?(file: string, ms: number): void;
}

/** When an apply still running is said (UpdaterOptions.slowMs). */
export const SLOW_APPLY_MS = 10_000;

export const MAX_SCRIPT_BYTES = 32 * 1024 * 1024;

/** Is this buffer text a script could be? */
export function textOf(buf: Buffer, maxBytes: number): { ok: true; text: string } | { ok: false; message: string } {
  if (buf.length > maxBytes) {
    return { ok: false, message: `the file is ${(buf.length / 1048576).toFixed(1)} MB, over the ${(maxBytes / 1048576).toFixed(0)} MB a script may have` };
  }
  const probe = buf.subarray(0, 65536);
  if (probe.includes(0)) return { ok: false, message: 'the file looks binary (it has NUL bytes), not like a script' };
  const text = buf.toString('utf8');
  if (text.includes('\uFFFD') && !buf.includes(Buffer.from('\uFFFD', 'utf8'))) {
    return { ok: false, message: 'the file is not valid UTF-8 text' };
  }
  return { ok: true, text };
}

/** One file: its state (pure data, ./file-state.ts), its timers, and who waits for it to be idle. */
interface FileEntry {
  state: FileState;
  timer: unknown;
  recheckTimer: unknown;
  idle: (() => void)[];
}

export class Updater {
  private readonly files = new Map<string, FileEntry>();
  private readonly clock: Clock;
  private readonly maxBytes: number;
  private readonly config: StepConfig;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly opts: UpdaterOptions) {
    this.clock = opts.clock ?? systemClock;
    this.maxBytes = opts.maxBytes ?? MAX_SCRIPT_BYTES;
    this.config = {
      debounceMs: opts.debounceMs ?? 5,
      retryDelaysMs: opts.retryDelaysMs ?? [20, 40, 80, 160, 320, 500],
      recheckMs: opts.statFile ? opts.recheckMs ?? 75 : 0,
      emptyRereads: 4,
      emptyRereadMs: 15,
    };
  }

  /** The file changed (or appeared): apply it soon. */
  changed(file: string): void {
    if (!this.closed) this.feed(file, { on: 'changed' });
  }

  /**
   * The file may have changed without an event (the watcher had to watch it afresh): apply it if its
   * mtime and size are not those of the content last read.
   */
  recheck(file: string): void {
    if (this.closed) return;
    if (!this.opts.statFile) return this.changed(file);
    void this.signature(file).then((sig) => { if (!this.closed) this.feed(file, { on: 'stat', sig }); });
  }

  /** Resolves when nothing is scheduled or running for the file (a waiting edit counts as idle). */
  whenIdle(file: string): Promise<void> {
    const f = this.files.get(file);
    if (!f || isIdle(f.state.activity)) return Promise.resolve();
    return new Promise((resolve) => f.idle.push(resolve));
  }

  /**
   * A file has just started to be watched. A save that landed before the watch was in place would go
   * unnoticed, so a little later look at it: if it was written after `since` (when the program was
   * started), compare it with what V8 runs (an unchanged file comes out as 'unchanged').
   */
  watchStarted(file: string, since: number, delayMs = 200): void {
    if (!this.opts.statFile || this.closed) return;
    this.watchSince.set(file, since);
    this.clock.setTimeout(() => {
      // a file read since (a save's event came first) is looked at as any recheck: its 'unchanged'
      // would otherwise go unsaid, a save's included (one that takes a refused change back out)
      if (this.files.get(file)?.state.seen) return this.recheck(file);
      void this.opts.statFile!(file).then((st) => {
        if (st.mtimeMs >= since && !this.closed) this.feed(file, { on: 'start-check' });
      }, () => {});
    }, delayMs);
  }

  /** Resolves when no file has anything scheduled or running. */
  async settle(): Promise<void> {
    for (let round = 0; round < 3; round++) {
      await Promise.all([...this.files.keys()].map((f) => this.whenIdle(f)));
      await this.chain;
    }
  }

  /**
   * Look at these files now, as if each had an event: one whose mtime or size is not that of the
   * content last read is applied as a save. For `retry`, which takes the files as they are when it is
   * asked: a save made just before may not have had its event yet (under load, after the retry ran).
   * A file never read before that V8 already runs goes unsaid; the late event finds it applied.
   */
  async lookNow(files: string[]): Promise<void> {
    if (!this.opts.statFile || this.closed) return;
    await Promise.all(files.map(async (file) => {
      const sig = await this.signature(file);
      if (sig === null || sig === 'gone' || this.closed) return;
      if (this.files.get(file)?.state.seen) { this.feed(file, { on: 'stat', sig }); return; }
      // never read: only a file written since its watch began can differ from what V8 runs
      const since = this.watchSince.get(file);
      const mtime = Number(sig.slice(0, sig.indexOf(':')));
      if (since === undefined || mtime < since) return;
      this.feed(file, { on: 'start-check' });
    }));
  }
  /** When each file's watch began counting (watchStarted's `since`). */
  private readonly watchSince = new Map<string, number>();

  /** Files whose last save is still waiting for V8 to accept it. */
  waitingFiles(): string[] {
    return [...this.files].filter(([, f]) => f.state.edit.is === 'waiting').map(([file]) => file);
  }

  /**
   * Apply a file now, in the same queue as saves, with options (at a safe pause, the top frame may
   * change); it is reported like any save.
   */
  applyNow(file: string, options: ApplyOptions): Promise<UpdateOutcome> {
    this.feed(file, { on: 'apply-now' });
    const result = this.chain.then(() => this.update(file, options, true));
    this.chain = result.then(() => {}, () => {});
    return result;
  }

  close(): void {
    this.closed = true;
    for (const f of this.files.values()) {
      if (f.timer) this.clock.clearTimeout(f.timer);
      if (f.recheckTimer) this.clock.clearTimeout(f.recheckTimer);
      f.timer = f.recheckTimer = null;
    }
  }

  private entry(file: string): FileEntry {
    let f = this.files.get(file);
    if (!f) {
      f = { state: initialFileState(), timer: null, recheckTimer: null, idle: [] };
      this.files.set(file, f);
    }
    return f;
  }

  /** One input into the file's state: take the new state, carry out the effects, return the answer. */
  private feed(file: string, input: Input): ReturnType<typeof step>['answer'] {
    const f = this.entry(file);
    const r = step(f.state, input, this.clock.now(), this.config);
    f.state = r.state;
    for (const e of r.effects) {
      switch (e.do) {
        case 'report':
          this.opts.report({ file, outcome: e.outcome, ms: e.ms, afterWaiting: e.afterWaiting });
          break;
        case 'idle':
          for (const resolve of f.idle.splice(0)) resolve();
          break;
        case 'clear-timer':
          if (f.timer) this.clock.clearTimeout(f.timer);
          f.timer = null;
          break;
        case 'set-timer':
          if (this.closed) break;
          if (f.timer) this.clock.clearTimeout(f.timer);
          f.timer = this.clock.setTimeout(() => { f.timer = null; if (!this.closed) this.feed(file, { on: 'timer' }); }, e.ms);
          break;
        case 'recheck-later':
          if (this.closed) break;
          if (f.recheckTimer) this.clock.clearTimeout(f.recheckTimer);
          f.recheckTimer = this.clock.setTimeout(() => { f.recheckTimer = null; if (!this.closed) this.feed(file, { on: 'recheck-due' }); }, e.ms);
          break;
        case 'stat':
          if (!this.closed) this.recheck(file);
          break;
        case 'run':
          if (!this.closed) this.run(file);
          break;
      }
    }
    return r.answer;
  }

  private signature(file: string): Promise<string | null> {
    if (!this.opts.statFile) return Promise.resolve(null);
    return this.opts.statFile(file).then((st) => `${st.mtimeMs}:${st.size}`, () => 'gone');
  }

  /** A debounced read-and-apply, queued: one apply at a time across files (V8 takes them one by one anyway, and reports stay ordered). */
  private run(file: string): void {
    this.chain = this.chain
      .then(() => this.update(file, {}, false))
      .then(() => {}, (err) => { log('update failed', file, String(err)); })
      .finally(() => { if (!this.closed) this.feed(file, { on: 'done' }); });
  }

  private async update(file: string, options: ApplyOptions, now: boolean): Promise<UpdateOutcome> {
    const attempt = (this.feed(file, { on: 'attempt', now }) as { attempt: Attempt }).attempt;
    let sig: string | null = null;
    let read: ReadResult;
    try {
      sig = await this.signature(file);
      read = readResultOf(await this.opts.readFile(file), this.maxBytes);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      read = { ok: false, kind: 'error', code: e.code, message: e.message };
    }
    const answer = this.feed(file, { on: 'read', attempt, sig, read, topFrame: !!options.topFrame });
    if (!answer || !('apply' in answer)) return answer && 'outcome' in answer ? answer.outcome : { status: 'unchanged' };
    let outcome: PatchOutcome;
    log('apply', file, `${answer.apply.length} chars`, attempt.fromEvent ? 'saved' : attempt.startCheck ? 'start check' : now ? 'now' : 'recheck');
    const slowMs = this.opts.slowMs ?? SLOW_APPLY_MS;
    const slow = this.opts.onSlow ? this.clock.setTimeout(() => { if (!this.closed) this.opts.onSlow!(file, slowMs); }, slowMs) : null;
    try {
      outcome = await this.opts.engine.apply(file, answer.apply, answer.again ? { ...options, again: true } : options);
      log('applied', file, outcome.status);
    } catch (err) {
      log('apply failed', file, String((err as Error)?.message ?? err));
      if (now) throw err;
      const failed = this.feed(file, { on: 'failed', attempt, message: String((err as Error)?.message ?? err) });
      return failed && 'outcome' in failed ? failed.outcome : { status: 'unchanged' };
    } finally {
      if (slow !== null) this.clock.clearTimeout(slow);
    }
    this.feed(file, { on: 'applied', attempt, text: answer.apply, outcome });
    return outcome;
  }
}

/** What a read found, as file-state.ts takes it. */
function readResultOf(buf: Buffer, maxBytes: number): ReadResult {
  if (buf.length === 0) return { ok: false, kind: 'empty' };
  const text = textOf(buf, maxBytes);
  return text.ok ? { ok: true, text: text.text } : { ok: false, kind: 'not-text', message: text.message };
}
