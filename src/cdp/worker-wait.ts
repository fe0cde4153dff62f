// Code of ours that runs in the program's main thread and waits there synchronously for a worker
// thread. All of a worker's inspector traffic passes through the main thread (session/threads.ts),
// which is inside our Runtime.evaluate then: a worker that waits for us never hears from us, and the
// main thread waits for it. A TypeScript loader compiling a save does this: tsx's require hook calls
// esbuild's transformSync, which posts to esbuild's worker thread and Atomics.waits for its answer. The
// program hung and the save stayed "still patching" when that worker
// - was started by this call (its first, or the first tsx has not cached: a syntax error always) and
//   waited for us before its first line (NodeWorker's wait on start), or
// - stopped at an exception it throws and catches itself (a syntax error: under `--break-on
//   unhandled` V8 stops at every exception, and its stop cannot be let go).
// So while such code runs, workers start without waiting (they are attached all the same, as those
// running before we attached are) and the worker threads stop at no exception.
import type { Connection } from './connection';

/** What the owner of the program's worker sessions does around such code: have them stop at no exception, then as before. */
export interface WorkerQuiet {
  quiet(): Promise<void>;
  restore(): Promise<void>;
}

const waitOnStart = new WeakSet<Connection>();
const quietHooks = new WeakMap<Connection, WorkerQuiet>();
const running = new WeakMap<Connection, number>();

/** Have the program's new workers wait for us before their first line (NodeWorker.enable). */
export function workersWaitOnStart(cdp: Connection): Promise<void> {
  waitOnStart.add(cdp);
  return cdp.send('NodeWorker.enable', { waitForDebuggerOnStart: true });
}

/** Say how the worker sessions of this connection's program are kept from stopping (live.ts). */
export function quietWorkersWith(cdp: Connection, hooks: WorkerQuiet): void {
  quietHooks.set(cdp, hooks);
}

/** Run `fn` (an evaluate in the program that may wait for a worker thread) with the workers free: see above. */
export async function withWorkersFree<T>(through: Connection, fn: () => Promise<T>): Promise<T> {
  const cdp = attaching(through);
  if (!cdp) return fn();
  const n = running.get(cdp) ?? 0;
  running.set(cdp, n + 1);
  if (n === 0) {
    await Promise.all([
      cdp.send('NodeWorker.enable', { waitForDebuggerOnStart: false }).catch(() => {}),
      quietHooks.get(cdp)?.quiet().catch(() => {}),
    ]);
  }
  try {
    return await fn();
  } finally {
    const left = (running.get(cdp) ?? 1) - 1;
    running.set(cdp, left);
    if (left === 0) {
      await Promise.all([
        cdp.send('NodeWorker.enable', { waitForDebuggerOnStart: true }).catch(() => {}),
        quietHooks.get(cdp)?.restore().catch(() => {}),
      ]);
    }
  }
}

/** The connection that has the program's workers wait: `cdp` or the one it is made from (session/engine-connection.ts). */
function attaching(cdp: Connection): Connection | null {
  for (let c: Connection | null = cdp; c; c = Object.getPrototypeOf(c) as Connection | null) if (waitOnStart.has(c)) return c;
  return null;
}
