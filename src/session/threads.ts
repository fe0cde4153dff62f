// The program's worker threads: each one's inspector is reached through the main thread's connection
// (NodeWorker domain, docs/v8.md "Worker threads"), and gets a session of its own (made by the
// caller: LiveSession). And the one report a save gets across threads (SaveJoin, pure).
import type { Connection } from '../cdp/connection';
import { workerConnection, type WorkerConnection } from '../cdp/worker';
import { workersWaitOnStart } from '../cdp/worker-wait';
import { debug } from '../util/log';

const log = debug('threads');

export interface ThreadInfo {
  /**
   * The worker's threadId, as the program sees it (the main thread is 0); for a child process (pid
   * set), minus its pid; for a worker of a child process, threadKey(pid, threadId): one key for all
   * in reports and at the prompt.
   */
  id: number;
  /** A child process of the program, or the child process whose worker this is: its pid. */
  pid?: number;
  /** `[worker 2] name`, as node gives it. */
  title: string;
  /** The worker's entry (a file: URL), or '' for eval code. */
  url: string;
}

export interface WorkerThread<S> {
  info: ThreadInfo;
  cdp: WorkerConnection;
  /** Set once the session is made (the worker may end before). */
  session: S | null;
}

// ---- one key for every thread of the program (pure) ----

/** pid_max is at most 2^22 on Linux: a child's worker's key holds its pid and threadId in one number. */
const PID_SPAN = 2 ** 22;

/** The key of thread `threadId` of process `pid` (undefined: the program's own process). */
export function threadKey(pid: number | undefined, threadId: number): number {
  return pid === undefined ? threadId : -(threadId * PID_SPAN + pid);
}

/** A key's process (absent: the program's own) and threadId (0: that process's main thread). */
export function threadParts(id: number): { pid?: number; thread: number } {
  if (id >= 0) return { thread: id };
  return { pid: -id % PID_SPAN, thread: Math.floor(-id / PID_SPAN) };
}

/** What `thread N` takes and `threads` shows: `2` (a worker), `4711` (a child), `4711/1` (a child's worker). */
export function threadNumber(id: number): string {
  const { pid, thread } = threadParts(id);
  return pid === undefined ? String(thread) : thread ? `${pid}/${thread}` : String(pid);
}

/** The key `thread N` means: a threadId, a child's pid, or `pid/threadId`; null when it is none. */
export function parseThreadNumber(text: string): number | null {
  const m = /^\s*(\d+)(?:\/(\d+))?\s*$/.exec(text);
  if (!m) return null;
  return m[2] === undefined ? Number(m[1]) : threadKey(Number(m[1]), Number(m[2]));
}

export interface ThreadsOptions<S> {
  /** The workers of this child process of the program (absent: of the program's own process). */
  pid?: number;
  /** Make the worker's session and turn its domains on; the worker is let go after it resolves. */
  create(cdp: WorkerConnection, info: ThreadInfo): Promise<S>;
  added?(thread: WorkerThread<S>): void;
  gone?(thread: WorkerThread<S>): void;
}

/**
 * Not the program's workers: our lifeline (inject/preload.ts), and node's own (Node 20's thread for
 * off-thread module hooks, whose URL is node:internal/…).
 */
function notTheProgram(w: { title: string; url: string }): boolean {
  return /edit-continue lifeline$/.test(w.title) || w.url.startsWith('node:');
}

export class WorkerThreads<S> {
  private readonly bySession = new Map<string, WorkerThread<S>>();
  private started = false;

  constructor(private readonly parent: Connection, private readonly opts: ThreadsOptions<S>) {}

  /**
   * Attach to every worker, those running now and those to come. A worker started from now on waits
   * for its session before its first line (waitForDebuggerOnStart), so its scripts are registered and
   * its exceptions stop from the start.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.parent.onRaw('NodeWorker.attachedToWorker', (p: { sessionId: string; workerInfo: { workerId: string; title: string; url: string }; waitingForDebugger: boolean }) => {
      void this.attached(p.sessionId, p.workerInfo, p.waitingForDebugger);
    });
    this.parent.onRaw('NodeWorker.detachedFromWorker', (p: { sessionId: string }) => this.detached(p.sessionId));
    this.parent.onRaw('NodeWorker.receivedMessageFromWorker', (p: { sessionId: string; message: string }) => {
      this.bySession.get(p.sessionId)?.cdp.dispatch(p.message);
    });
    void this.parent.closed.then(() => { for (const id of [...this.bySession.keys()]) this.detached(id); });
    workersWaitOnStart(this.parent).catch(() => {});
  }

  private async attached(sessionId: string, w: { workerId: string; title: string; url: string }, waiting: boolean): Promise<void> {
    if (notTheProgram(w)) {
      if (waiting) await this.parent.send('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id: 1, method: 'Runtime.runIfWaitingForDebugger' }) }).catch(() => {});
      await this.parent.send('NodeWorker.detach', { sessionId }).catch(() => {});
      return;
    }
    // the title is `[worker <threadId>] name`; workerId is the inspector's own count, not the threadId
    const threadId = Number(/^\[worker (\d+)\]/.exec(w.title)?.[1] ?? w.workerId);
    const info: ThreadInfo = { id: threadKey(this.opts.pid, threadId), ...(this.opts.pid ? { pid: this.opts.pid } : {}), title: w.title, url: w.url };
    const cdp = workerConnection(this.parent, sessionId);
    const thread: WorkerThread<S> = { info, cdp, session: null };
    this.bySession.set(sessionId, thread);
    log('attached', w.workerId, w.title, info.url, waiting ? '(waiting)' : '');
    try {
      thread.session = await this.opts.create(cdp, info);
    } catch (err) {
      log('session failed', info.id, (err as Error).message);
    }
    // let it run even when its session failed: a worker must never be left waiting
    await cdp.send('Runtime.runIfWaitingForDebugger').catch(() => {});
    if (thread.session && this.bySession.get(sessionId) === thread) this.opts.added?.(thread);
  }

  private detached(sessionId: string): void {
    const thread = this.bySession.get(sessionId);
    if (!thread) return;
    this.bySession.delete(sessionId);
    log('detached', thread.info.id);
    thread.cdp.gone();
    if (thread.session) this.opts.gone?.(thread);
  }

  /** The workers with a session, in the order they started. */
  list(): WorkerThread<S>[] {
    return [...this.bySession.values()].filter((t) => t.session !== null).sort((a, b) => threadParts(a.info.id).thread - threadParts(b.info.id).thread);
  }

  get(id: number): WorkerThread<S> | undefined {
    return this.list().find((t) => t.info.id === id);
  }
}

// ---- one report per save, across threads ----

/**
 * Holds the reports of one save until every thread that loaded the file has reported, then gives
 * them together (pure: the caller says which threads to expect and when a thread has gone).
 */
export class SaveJoin<R> {
  private readonly open = new Map<string, { expected: Set<number>; got: Map<number, R>; timer: ReturnType<typeof setTimeout> | null }>();

  constructor(
    private readonly complete: (file: string, reports: Map<number, R>) => void,
    /** A thread that does not report within this time is left out (it may have found nothing new). */
    private readonly timeoutMs = 5000,
  ) {}

  /** A save of `file` is on its way to these threads. */
  expect(file: string, threads: number[]): void {
    let j = this.open.get(file);
    if (!j) {
      j = { expected: new Set(), got: new Map(), timer: null };
      this.open.set(file, j);
    }
    for (const t of threads) j.expected.add(t);
    if (j.timer) clearTimeout(j.timer);
    j.timer = setTimeout(() => this.finish(file), this.timeoutMs);
    j.timer.unref?.();
  }

  /** A thread's report: 'held' when it joins others, 'free' when it stands alone. */
  take(file: string, thread: number, report: R): 'held' | 'free' {
    const j = this.open.get(file);
    if (!j || !j.expected.has(thread)) return 'free';
    j.got.set(thread, report);
    if ([...j.expected].every((t) => j.got.has(t))) this.finish(file);
    return 'held';
  }

  /** A thread has dealt with the save without a report (it found the text it runs): stop waiting for it. */
  settled(file: string, thread: number): void {
    const j = this.open.get(file);
    if (!j || j.got.has(thread)) return;
    j.expected.delete(thread);
    if ([...j.expected].every((t) => j.got.has(t))) this.finish(file);
  }

  /** A thread ended: joins stop waiting for it. */
  drop(thread: number): void {
    for (const [file, j] of [...this.open]) {
      j.expected.delete(thread);
      if ([...j.expected].every((t) => j.got.has(t))) this.finish(file);
    }
  }

  private finish(file: string): void {
    const j = this.open.get(file);
    if (!j) return;
    this.open.delete(file);
    if (j.timer) clearTimeout(j.timer);
    if (j.got.size) this.complete(file, j.got);
  }

  close(): void {
    for (const j of this.open.values()) if (j.timer) clearTimeout(j.timer);
    this.open.clear();
  }
}

import type { ThreadOutcome } from '../report/events';
export type { ThreadOutcome };

/**
 * Which thread's report speaks for the save: the main thread's when it loaded the file, else the
 * first worker's that patched, else the first one's (pure).
 */
export function leadingThread(outcomes: ThreadOutcome[], mainLoaded: boolean): number {
  if (mainLoaded && outcomes.some((o) => o.thread === 0)) return 0;
  const sorted = [...outcomes].filter((o) => o.thread !== 0).sort((a, b) => a.thread - b.thread);
  return (sorted.find((o) => o.status === 'patched') ?? sorted[0] ?? outcomes[0]).thread;
}
