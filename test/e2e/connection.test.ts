// The inspector connection (src/cdp/connection.ts) against a real node: nothing of ours may reach
// node while node runs a command of ours that may stop in the program's code, neither an ACK kick
// nor another command. Node loses a message that comes in then, and every later one (the resume
// included): the program hangs stopped (docs/v8.md, "What attaching costs"). Our forced pause of an
// idle program is such a command.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type * as ConnectionModule from '../../src/cdp/connection';
import type * as WorkerModule from '../../src/cdp/worker';
import type * as GuardModule from '../../src/cdp/regexp-guard';
import { ROOT_DIR, testNodes } from '../helpers/nodes';

const { connect } = require(path.join(ROOT_DIR, 'dist', 'cdp', 'connection.js')) as typeof ConnectionModule;
const { workerConnection } = require(path.join(ROOT_DIR, 'dist', 'cdp', 'worker.js')) as typeof WorkerModule;
const { IN_REGEXP_FN, evaluateOutsideRegExp } = require(path.join(ROOT_DIR, 'dist', 'cdp', 'regexp-guard.js')) as typeof GuardModule;

/** A spinning loop whose every call of f enters the interpreter's check for interrupts before f has made its scope (--jitless). */
const SPIN = 'function f(i) { const x = i; return () => x; } let s = 0; for (;;) s += f(s & 7)();';

/**
 * Rounds of a pause request and an evaluate sent together to a thread that spins: each must stop
 * the thread in its code (the evaluate then answered at the stop, not after the resume) and leave
 * it alive. `alive()` rejects when the thread's process ended.
 */
async function pauseAndEvaluateRounds(cdp: ConnectionModule.Connection, ended: Promise<string>, rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    const paused = new Promise<string>((resolve) => cdp.Debugger.on('paused', () => resolve('paused')));
    const asked = cdp.Debugger.pause();
    const answer = cdp.Runtime.evaluate({ expression: '2 + 2' });
    // (the program's end fails the round at once, with its signal)
    expect(await within(Promise.race([paused, ended]), 20000, `round ${round}: Debugger.paused`)).toBe('paused');
    await within(asked, 20000, `round ${round}: the answer to Debugger.pause`);
    // (answered at the stop: the program stopped, not the evaluate, which would answer after the resume)
    expect((await within(answer, 20000, `round ${round}: the evaluate's answer at the stop`)).result.value).toBe(4);
    await within(cdp.Debugger.resume({}), 20000, `round ${round}: the answer to Debugger.resume`);
  }
}

/** The first value of `p`, or an error after `ms` saying what did not come. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms / 1000} s`)), ms); });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

describe.each(testNodes())('$label', ({ bin }) => {
  let child: ChildProcess | null = null;
  afterEach(() => { child?.kill('SIGKILL'); child = null; });

  /** Start `program` under the inspector; its URL, and a promise of its first line of stdout. */
  async function start(args: string[], program: string): Promise<{ url: string; firstLine: Promise<string> }> {
    child = spawn(bin, [...args, '--inspect=127.0.0.1:0', '-e', program], { stdio: ['ignore', 'pipe', 'pipe'] });
    const { stdout, stderr } = child;
    const firstLine = new Promise<string>((resolve) => { let out = ''; stdout!.on('data', (d) => { out += d; if (out.includes('\n')) resolve(out.split('\n')[0]); }); });
    const url = await within(new Promise<string>((resolve) => {
      let text = '';
      stderr!.on('data', (d) => { text += d; const m = /ws:\/\/\S+/.exec(text); if (m) resolve(m[0]); });
    }), 20000, 'the inspector URL on stderr');
    return { url, firstLine };
  }

  test('a kick and a command while node runs an evaluate that stops in it: the command is answered at the stop, then the resume and the evaluate', async () => {
    // idle before the evaluate: an evaluate that stops while node still runs the program's start can
    // abort it (V8's scope check on a frame interrupted at its entry, the next test), which this
    // test is not about; on a loaded machine the stand-in was still starting (fresh-clone CI)
    const { url, firstLine } = await start([], 'setInterval(() => {}, 1000); setTimeout(() => console.log("idle"), 0)');
    const cdp = await connect(url);
    try {
      await cdp.Debugger.enable({});
      expect(await within(firstLine, 20000, "the program's first line")).toBe('idle');
      const paused = new Promise((resolve) => cdp.Debugger.on('paused', resolve));
      // the code runs a moment before it stops: time for a kick to reach node in between
      const answer = cdp.Runtime.evaluate({ expression: '(() => { const end = Date.now() + 300; while (Date.now() < end); debugger; return 7; })()' });
      let other: Promise<unknown> | null = null;
      const soon = new Promise<void>((resolve) => setTimeout(() => { cdp.kick(); other = cdp.send('Runtime.getIsolateId'); resolve(); }, 50));
      await within(paused, 20000, 'Debugger.paused at the debugger statement');
      await soon;
      expect(await within(other!, 20000, 'the answer to the command sent while the evaluate ran')).toHaveProperty('id');
      await within(cdp.Debugger.resume({}), 20000, 'the answer to Debugger.resume');
      const r = await within(answer, 20000, "the evaluate's answer after the resume");
      expect(r.result.value).toBe(7);
    } finally {
      await cdp.close();
    }
  });

  test('a pause request and a command that runs code, sent together while the program runs: it stops and lives, again and again', async () => {
    // Without --jitless a hot loop's calls are inlined: the interpreter checks for interrupts at every
    // function's entry, where f has not made its scope yet. An evaluate dispatched with the pause
    // request, before V8 took it, stopped in the evaluate over that frame, and V8's check of its
    // scopes aborted the process (SIGTRAP) in 2-7 of 20 tries on every line (docs/v8.md); when V8
    // had not interrupted f there, the stop was in the evaluate instead of the program.
    const { url, firstLine } = await start(['--jitless'], `console.log("spinning"); ${SPIN}`);
    const ended = new Promise<string>((resolve) => child!.once('exit', (code, signal) => resolve(`the program ended (${signal ?? code})`)));
    const cdp = await connect(url);
    try {
      await cdp.Debugger.enable({});
      expect(await within(firstLine, 20000, "the program's first line")).toBe('spinning');
      await pauseAndEvaluateRounds(cdp, ended, 12);
      expect(child!.exitCode).toBeNull();
    } finally {
      await cdp.close();
    }
  });

  // Node 20 and 22 end the program (SIGSEGV, SIGBUS) when code run in an interrupt runs a regular
  // expression while the program was inside a match (docs/v8.md): our evaluates that may run one see
  // that first, and wait. A match that never ends (catastrophic backtracking) holds the program there
  // for as long as the test looks; V8 still takes interrupts inside it.
  test('an evaluate that may run a regular expression sees the program is inside a match, and waits; outside one it runs', async () => {
    const { url, firstLine } = await start([], `setTimeout(() => { console.log('matching'); /(a|aa)*b/.test('a'.repeat(80)); }, 0); setInterval(() => {}, 1000);`);
    const ended = new Promise<string>((resolve) => child!.once('exit', (code, signal) => resolve(`the program ended (${signal ?? code})`)));
    const cdp = await connect(url);
    try {
      expect(await within(firstLine, 20000, "the program's first line")).toBe('matching');
      // (its first line is out while it still writes it: asked until it is in the match, which never ends)
      let inMatch = false;
      for (let i = 0; i < 200 && !inMatch; i++) {
        inMatch = (await within(cdp.Runtime.evaluate({ expression: `(${IN_REGEXP_FN})()`, returnByValue: true }), 20000, 'the check')).result.value === true;
        if (!inMatch) await new Promise((r) => setTimeout(r, 25));
      }
      expect(inMatch).toBe(true);
      await expect(within(evaluateOutsideRegExp(cdp, { expression: '"a-b".split(/-/).length' }, 300), 20000, 'the guarded evaluate')).rejects.toThrow(/inside a regular expression each time it was asked/);
      expect(child!.exitCode).toBeNull();
    } finally {
      await cdp.close();
    }
    void ended;
  });

  test('the guard outside a match: the expression runs at once', async () => {
    const { url, firstLine } = await start([], `setInterval(() => {}, 1000); console.log('idle');`);
    const cdp = await connect(url);
    try {
      expect(await within(firstLine, 20000, "the program's first line")).toBe('idle');
      const r = await within(evaluateOutsideRegExp(cdp, { expression: '"a-b-c".split(/-/).length' }, 300), 20000, 'the guarded evaluate');
      expect(r.result.value).toBe(3);
    } finally {
      await cdp.close();
    }
  });

  test('the same in a worker thread, through its connection inside the main one', async () => {
    const program = `const { Worker } = require('node:worker_threads'); new Worker(${JSON.stringify(`require('node:worker_threads').parentPort.postMessage(1); ${SPIN}`)}, { eval: true }).once('message', () => console.log("spinning"));`;
    const { url, firstLine } = await start(['--jitless'], program);
    const ended = new Promise<string>((resolve) => child!.once('exit', (code, signal) => resolve(`the program ended (${signal ?? code})`)));
    const cdp = await connect(url);
    try {
      const attached = new Promise<string>((resolve) => cdp.onRaw('NodeWorker.attachedToWorker', (p: { sessionId: string }) => resolve(p.sessionId)));
      await cdp.send('NodeWorker.enable', { waitForDebuggerOnStart: false });
      expect(await within(firstLine, 20000, "the program's first line")).toBe('spinning');
      const worker = workerConnection(cdp, await within(attached, 20000, 'NodeWorker.attachedToWorker'));
      cdp.onRaw('NodeWorker.receivedMessageFromWorker', (p: { message: string }) => worker.dispatch(p.message));
      await worker.Debugger.enable({});
      await pauseAndEvaluateRounds(worker, ended, 12);
      expect(child!.exitCode).toBeNull();
    } finally {
      await cdp.close();
    }
  });
});
