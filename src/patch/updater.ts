// From "this file changed" to a patch: coalesce bursts of saves (the last content wins), read the
// file safely, apply it, and keep retrying edits that V8 blocks until it accepts them.
import { Codes } from './codes';
import type { ApplyOptions, PatchEngine, PatchOutcome } from './engine';
import { debug } from '../util/log';

const log = debug('patch');

export type UpdateOutcome =
  | PatchOutcome
  | { status: 'unreadable'; reason: { code: string; message: string } };

export interface UpdateReport {
  file: string;
  outcome: UpdateOutcome;
  /**
   * Whole milliseconds from the file's change event to this result: the first event this report
   * covers (a save that waited is measured from its save, not from the retry that applied it).
   */
  ms: number;
  /** The edit had been waiting and has now been applied (or superseded). */
  afterWaiting: boolean;
}

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
   * After an update, look at the file again this much later: chokidar drops a change event that
   * follows another within 50 ms, so a quick second save would otherwise be lost.
   */
  recheckMs?: number;
}

interface FileState {
  timer: unknown;
  retryTimer: unknown;
  running: boolean;
  dirty: boolean;
  since: number | null;
  waiting: boolean;
  retries: number;
  recheckTimer: unknown;
  /** mtime and size of the content last read. */
  seen: string | null;
  /** Callers of whenIdle(). */
  idle: (() => void)[];
  /** The next read is the check made when the watch started: 'unchanged' then goes unsaid. */
  startCheck: boolean;
  /** Empty reads in a row (an in-place save is a truncate, then a write: the first read may fall between). */
  emptyReads: number;
  /** The text last handed to the engine, and the mtime and size it was read with. */
  lastText: string | null;
  lastSeen: string | null;
  /** The next read comes from a watcher event (a save), not from a recheck or retry of ours. */
  fromEvent: boolean;
  /** When the first change event not yet answered by a final report came (a waiting report is not final). */
  eventAt: number | null;
}

/** An empty read is read again this many times, this far apart, before it counts as an empty file. */
const EMPTY_REREADS = 4;
const EMPTY_REREAD_MS = 15;

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

export class Updater {
  private readonly files = new Map<string, FileState>();
  private readonly clock: Clock;
  private readonly debounceMs: number;
  private readonly maxBytes: number;
  private readonly retryDelays: number[];
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly opts: UpdaterOptions) {
    this.clock = opts.clock ?? systemClock;
    this.debounceMs = opts.debounceMs ?? 5;
    this.maxBytes = opts.maxBytes ?? MAX_SCRIPT_BYTES;
    this.retryDelays = opts.retryDelaysMs ?? [20, 40, 80, 160, 320, 500];
    this.recheckMs = opts.recheckMs ?? 75;
  }
  private readonly recheckMs: number;

  private state(file: string): FileState {
    let s = this.files.get(file);
    if (!s) {
      s = { timer: null, retryTimer: null, running: false, dirty: false, since: null, waiting: false, retries: 0, recheckTimer: null, seen: null, idle: [], startCheck: false, emptyReads: 0, lastText: null, lastSeen: null, fromEvent: false, eventAt: null };
      this.files.set(file, s);
    }
    return s;
  }

  /** The file changed (or appeared): apply it soon. */
  changed(file: string): void {
    if (this.closed) return;
    const s = this.state(file);
    s.fromEvent = true;
    s.eventAt ??= this.clock.now();
    this.again(file);
  }

  /** Read and apply the file again soon (a recheck or a retry of ours, not a save). */
  private again(file: string): void {
    if (this.closed) return;
    const s = this.state(file);
    if (s.since === null) s.since = this.clock.now();
    if (s.retryTimer) { this.clock.clearTimeout(s.retryTimer); s.retryTimer = null; }
    if (s.running) { s.dirty = true; return; }
    if (s.timer) this.clock.clearTimeout(s.timer);
    s.timer = this.clock.setTimeout(() => { s.timer = null; this.run(file); }, this.debounceMs);
  }

  /**
   * The file may have changed without an event (the watcher had to watch it afresh): apply it if its
   * mtime and size are not those of the content last read.
   */
  recheck(file: string): void {
    if (this.closed) return;
    if (!this.opts.statFile) return this.changed(file);
    const s = this.state(file);
    void this.signature(file).then((sig) => {
      if (sig !== null && sig !== s.seen && sig !== 'gone' && !this.closed) this.again(file);
    });
  }

  /** Resolves when nothing is scheduled or running for the file (a waiting edit counts as idle). */
  whenIdle(file: string): Promise<void> {
    const s = this.files.get(file);
    if (!s || (!s.timer && !s.running && !s.dirty)) return Promise.resolve();
    return new Promise((resolve) => s.idle.push(resolve));
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
      void this.opts.statFile!(file).then((st) => {
        if (st.mtimeMs < since || this.closed) return;
        const s = this.state(file);
        if (!s.timer && !s.running && s.since === null) s.startCheck = true;
        this.again(file);
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
    const stat = this.opts.statFile;
    if (!stat || this.closed) return;
    await Promise.all(files.map(async (file) => {
      const st = await stat(file).catch(() => null);
      const known = this.files.get(file);
      if (!st || this.closed || `${st.mtimeMs}:${st.size}` === known?.seen) return;
      if (!known?.seen) {
        // never read: only a file written since its watch began can differ from what V8 runs
        const since = this.watchSince.get(file);
        if (since === undefined || st.mtimeMs < since) return;
      }
      const s = this.state(file);
      if (s.seen === null && !s.timer && !s.running && s.since === null) s.startCheck = true;
      this.again(file);
    }));
  }
  /** When each file's watch began counting (watchStarted's `since`). */
  private readonly watchSince = new Map<string, number>();

  /** Files whose last save is still waiting for V8 to accept it. */
  waitingFiles(): string[] {
    return [...this.files].filter(([, s]) => s.waiting).map(([f]) => f);
  }

  /**
   * Apply a file now, in the same queue as saves, with options (at a safe pause, the top frame may
   * change); it is reported like any save.
   */
  applyNow(file: string, options: ApplyOptions): Promise<UpdateOutcome> {
    const s = this.state(file);
    if (s.retryTimer) { this.clock.clearTimeout(s.retryTimer); s.retryTimer = null; }
    if (s.timer) { this.clock.clearTimeout(s.timer); s.timer = null; }
    s.since ??= this.clock.now();
    const result = this.chain.then(() => this.update(file, s, options));
    this.chain = result.then(() => {}, () => {});
    return result;
  }

  /** Retry every waiting edit now (for instance when the program pauses or resumes). */
  retryWaiting(): void {
    for (const [file, s] of this.files) if (s.waiting && !s.running) this.again(file);
  }

  close(): void {
    this.closed = true;
    for (const s of this.files.values()) {
      if (s.timer) this.clock.clearTimeout(s.timer);
      if (s.retryTimer) this.clock.clearTimeout(s.retryTimer);
      if (s.recheckTimer) this.clock.clearTimeout(s.recheckTimer);
    }
  }

  private signature(file: string): Promise<string | null> {
    if (!this.opts.statFile) return Promise.resolve(null);
    return this.opts.statFile(file).then((st) => `${st.mtimeMs}:${st.size}`, () => 'gone');
  }

  private scheduleRecheck(file: string, s: FileState, delay = this.recheckMs): void {
    if (!this.opts.statFile || this.closed) return;
    if (s.recheckTimer) this.clock.clearTimeout(s.recheckTimer);
    s.recheckTimer = this.clock.setTimeout(() => {
      s.recheckTimer = null;
      if (s.running || s.timer || this.closed) return;
      this.recheck(file);
    }, delay);
  }

  /** Report, in whole milliseconds; a final report (not 'waiting') answers the change events so far. */
  private say(s: FileState, report: UpdateReport): void {
    if (report.outcome.status !== 'waiting') s.eventAt = null;
    this.opts.report({ ...report, ms: Math.max(0, Math.round(report.ms)) });
  }

  private run(file: string): void {
    const s = this.state(file);
    s.running = true;
    // One apply at a time across files: V8 handles them one by one anyway, and reports stay ordered.
    this.chain = this.chain.then(async () => { await this.update(file, s); }).catch((err) => {
      log('update failed', file, String(err));
      this.opts.report({ file, outcome: { status: 'unreadable', reason: { code: Codes.ProtocolError, message: String((err as Error)?.message ?? err) } }, ms: 0, afterWaiting: false });
    }).finally(() => {
      s.running = false;
      if (this.closed) return;
      if (s.dirty) {
        s.dirty = false;
        this.run(file);
        return;
      }
      this.scheduleRecheck(file, s);
      if (!s.timer) for (const f of s.idle.splice(0)) f();
    });
  }

  private async update(file: string, s: FileState, options: ApplyOptions = {}): Promise<UpdateOutcome> {
    const started = Math.min(s.eventAt ?? Infinity, s.since ?? this.clock.now());
    s.since = null;
    const startCheck = s.startCheck;
    s.startCheck = false;
    const fromEvent = s.fromEvent;
    s.fromEvent = false;
    let buf: Buffer;
    try {
      s.seen = await this.signature(file);
      buf = await this.opts.readFile(file);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const message = e.code === 'ENOENT' ? 'the file was deleted; the running code stays as it was' : `cannot read the file: ${e.message}`;
      s.waiting = false;
      s.lastText = null;
      const outcome: UpdateOutcome = { status: 'unreadable', reason: { code: Codes.Unreadable, message } };
      this.say(s, { file, outcome, ms: this.clock.now() - started, afterWaiting: false });
      return outcome;
    }
    if (s.dirty) return { status: 'unchanged' }; // a newer save is already here: skip this content
    if (buf.length === 0 && s.emptyReads < EMPTY_REREADS) {
      // most likely the middle of an in-place save, whose write event chokidar may drop: look again
      s.emptyReads++;
      s.since = started;
      s.retryTimer = this.clock.setTimeout(() => { s.retryTimer = null; this.again(file); }, EMPTY_REREAD_MS);
      return { status: 'unchanged' };
    }
    s.emptyReads = 0;
    const text = textOf(buf, this.maxBytes);
    if (!text.ok) {
      s.waiting = false;
      s.lastText = null;
      const outcome: UpdateOutcome = { status: 'unreadable', reason: { code: Codes.NotText, message: text.message } };
      this.say(s, { file, outcome, ms: this.clock.now() - started, afterWaiting: false });
      return outcome;
    }
    // The same text again (a second event, or a recheck, for one write): it was applied or reported
    // already, and saying it twice can only confuse (a re-plan of it says something else). Waiting
    // edits and applies at a safe pause do go through.
    const again = text.text === s.lastText && (!fromEvent || s.seen === s.lastSeen);
    if (again && !s.waiting && !options.topFrame) { s.eventAt = null; return { status: 'unchanged' }; }
    const outcome = await this.opts.engine.apply(file, text.text, options);
    s.lastText = text.text;
    s.lastSeen = s.seen;
    const wasWaiting = s.waiting;
    if (outcome.status === 'waiting') {
      s.waiting = true;
      if (!s.dirty) {
        const delay = this.retryDelays[Math.min(s.retries, this.retryDelays.length - 1)];
        s.retries++;
        s.retryTimer = this.clock.setTimeout(() => { s.retryTimer = null; this.again(file); }, delay);
      }
      if (wasWaiting) return outcome; // said once already
    } else {
      s.waiting = false;
      s.retries = 0;
      if ((wasWaiting || startCheck) && outcome.status === 'unchanged') { s.eventAt = null; return outcome; }
    }
    this.say(s, { file, outcome, ms: this.clock.now() - started, afterWaiting: wasWaiting && outcome.status !== 'waiting' });
    return outcome;
  }
}
