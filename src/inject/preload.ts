// Runs inside the user's program (loaded with --require before the main script). Keep it small and
// free of controller imports: it is the only code of ours in the user's process.
//
// The lifeline: edit-continue passes one end of a socket pair as an extra file descriptor. When the
// controller dies for any reason (even SIGKILL) its end closes; a watcher that does not depend on
// the main thread (busy in a loop, or paused) notices, and ends the program so it is never left
// running or paused forever. When the debugger socket closes V8 resumes a paused main thread by
// itself. The watcher is a small shell the program starts (~15 ms of CPU), where a worker thread
// cost ~65 ms of the program's start (bench/ANALYSIS.md); on Windows, or where no shell can be
// started, it is a worker thread.
//
// The start: the program runs with --inspect (not --inspect-brk, which would make every worker thread
// of the program wait for a debugger too). Before any user code, this file tells the controller it is
// about to wait ('w' on the lifeline), blocks in inspector.waitForDebugger() until the controller has
// set itself up and sent Runtime.runIfWaitingForDebugger, then says it runs ('r').
//
// V8's code cache for the program's modules (./compile-cache.ts): turned on after that wait, before
// the program's first module.
//
// Retry boundaries: with EDIT_CONTINUE_BOUNDARIES=1 the user's own files get them as they load
// (./hooks.ts). The variable stays set, so that worker threads load the same way.
//
// The transform's mode (EDIT_CONTINUE_ENGINE: swap or liveedit, read by the hooks at transform time):
// with `auto` the controller decides while the program waits, and sets the variable by
// Runtime.evaluate before it lets the program go. The hooks are then installed after the wait: Node
// 20's ES module loader thread copies the environment when it starts.
import * as fs from 'node:fs';
import * as inspector from 'node:inspector';
import * as path from 'node:path';
import * as workerThreads from 'node:worker_threads';
import { ENDING_MARK, SKIP_KEY } from './mark';

const { isMainThread, Worker } = workerThreads;

const LIFELINE_ENV = 'EDIT_CONTINUE_LIFELINE_FD';
const BOUNDARIES_ENV = 'EDIT_CONTINUE_BOUNDARIES';
const WAIT_ENV = 'EDIT_CONTINUE_WAIT';
const ENGINE_ENV = 'EDIT_CONTINUE_ENGINE';
const CHILDREN_ENV = 'EDIT_CONTINUE_CHILDREN';
const SPAWNED_ENV = 'EDIT_CONTINUE_NODE_OPTIONS';

function lifelineFd(): number | null {
  const fd = Number(process.env[LIFELINE_ENV]);
  delete process.env[LIFELINE_ENV];
  return Number.isInteger(fd) && fd >= 3 ? fd : null;
}

/** The folder child processes report in (session/children.ts), when it is one the controller made. */
function ownedChildrenFolder(): string | undefined {
  const dir = process.env[CHILDREN_ENV];
  return dir && path.isAbsolute(dir) && /^ec-children-[\w]+$/.test(path.basename(dir)) ? dir : undefined;
}

/**
 * The watcher, `/bin/sh` with the lifeline as its stdin: it reads until the controller's end closes,
 * then ends the program's process group as the worker does (SIGTERM, SIGKILL if it is still there 3 s
 * later) and removes the folder for child processes' reports. It stays in the program's process group,
 * so that the group's id cannot be taken by another process while it waits, and it ignores the
 * signals edit-continue passes on to that group (Ctrl+C, SIGTERM, …): those are the program's. The
 * program ends it as it exits. A program killed outright (a crash, SIGKILL) leaves it waiting until
 * the controller, which saw the program end, closes its end (src/launch/target.ts).
 */
const WATCHER = [
  "trap '' HUP INT QUIT TERM USR1 USR2 PIPE ALRM",
  'while read -r _; do :; done',
  'kill -0 "$1" 2>/dev/null || { [ -n "$2" ] && rm -rf -- "$2"; exit 0; }',
  '[ -n "$2" ] && rm -rf -- "$2"',
  'kill -TERM "-$1" 2>/dev/null || kill -TERM "$1" 2>/dev/null',
  'i=0; while [ $i -lt 30 ] && kill -0 "$1" 2>/dev/null; do sleep 0.1 2>/dev/null || sleep 1; i=$((i+1)); done',
  'kill -0 "$1" 2>/dev/null && { kill -KILL "-$1" 2>/dev/null || kill -KILL "$1" 2>/dev/null; }',
].join('\n');

/** The lifeline must never disturb the program; with EDIT_CONTINUE_LIFELINE_TRACE set, what it did shows there. */
function traceLifeline(message: string): void {
  const file = process.env.EDIT_CONTINUE_LIFELINE_TRACE;
  if (file) fs.appendFileSync(file, message + '\n');
}

function startLifeline(fd: number): void {
  if (process.platform === 'win32' || process.env.EDIT_CONTINUE_LIFELINE === 'worker') return startLifelineWorker(fd);
  const fallBack = (err: unknown) => { traceLifeline(`lifeline shell: ${String(err)}`); startLifelineWorker(fd); };
  try {
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    const watcher = spawn('/bin/sh', ['-c', WATCHER, 'edit-continue-lifeline', String(process.pid), ownedChildrenFolder() ?? ''], {
      stdio: [fd, 'ignore', 'ignore'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    watcher.unref();
    watcher.on('error', fallBack);
    // an exit handler runs before the program is gone, and must not throw
    process.on('exit', () => { try { if (watcher.exitCode === null && watcher.pid) process.kill(watcher.pid, 'SIGKILL'); } catch { /* gone */ } });
    traceLifeline(`lifeline shell ${watcher.pid}`);
  } catch (err) {
    fallBack(err);
  }
}

function startLifelineWorker(fd: number): void {
  const source = `
    const { workerData } = require('node:worker_threads');
    const net = require('node:net');
    const trace = (m) => { if (workerData.trace) require('node:fs').appendFileSync(workerData.trace, m + String.fromCharCode(10)); };
    trace('lifeline up');
    const end = () => {
      trace('lifeline ended: stopping ' + workerData.pid);
      // the controller's folder for child processes' reports, which it would have removed at the program's end
      if (workerData.children) try { require('node:fs').rmSync(workerData.children, { recursive: true, force: true }); } catch {}
      // the program's process group (it was started as its leader): its child processes too
      try { process.kill(-workerData.pid, 'SIGTERM'); } catch { try { process.kill(workerData.pid, 'SIGTERM'); } catch {} }
      setTimeout(() => { try { process.kill(-workerData.pid, 'SIGKILL'); } catch { try { process.kill(workerData.pid, 'SIGKILL'); } catch {} } }, 3000);
    };
    const pipe = new net.Socket({ fd: workerData.fd, readable: true, writable: false });
    pipe.on('data', () => {});
    pipe.on('end', end);
    pipe.on('error', end);
  `;
  const worker = new Worker(source, {
    eval: true,
    workerData: { fd, pid: process.pid, trace: process.env.EDIT_CONTINUE_LIFELINE_TRACE, children: ownedChildrenFolder() },
    env: {},
    execArgv: [], // not the program's --require of this file: the lifeline needs none of it
    stdout: false,
    stderr: false,
    name: 'edit-continue lifeline',
  });
  worker.unref();
  worker.on('error', (err) => traceLifeline(String(err)));
}

function waitForController(fd: number | null): void {
  const wanted = process.env[WAIT_ENV] === '1';
  delete process.env[WAIT_ENV];
  if (!wanted || fd === null) return;
  const say = (b: string) => { try { fs.writeSync(fd, b); } catch { /* controller gone: the lifeline ends us */ } };
  say('w');
  inspector.waitForDebugger();
  say('r');
  // 'x': the program is exiting. The controller then writes to the inspector socket at once, so that
  // node's last messages (and its wait for the debugger to go) are not held by a delayed ACK (issue 17).
  process.on('exit', () => say('x'));
}

/**
 * A child process of the program (fork, cluster, or node started with the program's execArgv): it
 * has our preload and an inspector, but no lifeline. Tell the controller where its inspector is, by a
 * file in the controller's private folder (EDIT_CONTINUE_CHILDREN); the controller attaches. With no
 * controller to tell, close the inspector: nobody is to reach it.
 */
function reportChild(): void {
  const dir = process.env[CHILDREN_ENV];
  let url = inspector.url();
  if (!url) {
    // node started without the program's execArgv, reached through NODE_OPTIONS: an inspector only
    // for the controller, and only for a script of the program's (not npm, tsc or another tool's)
    if (!dir || !programScript(process.argv[1])) return;
    try { inspector.open(0, '127.0.0.1'); } catch { return; }
    url = inspector.url();
    if (!url) return;
  }
  try {
    if (!dir) throw new Error('no controller');
    const file = path.join(dir, `${process.pid}.json`);
    fs.writeFileSync(file + '.tmp', JSON.stringify({ pid: process.pid, ppid: process.ppid, url }), { mode: 0o600 });
    fs.renameSync(file + '.tmp', file);
  } catch {
    inspector.close();
    return;
  }
  // At its end, close the inspector: node would otherwise wait for our session to go ("Waiting for
  // the debugger to disconnect...") when the child ends before that session has asked to be told
  // (NodeRuntime.notifyWhenWaitingForDisconnect): a child that lives a few milliseconds hung.
  process.on('exit', () => { try { inspector.close(); } catch { /* closed */ } });
}

/** A script of the program: a file, not a tool's (in node_modules), nor -e / -p / the REPL (no file). */
function programScript(main: string | undefined): boolean {
  return !!main && !/[\\/]node_modules[\\/]/.test(path.resolve(main));
}

/**
 * The program's node options for the node it starts (session/children.ts, nodeOptionsForSpawned):
 * put into its NODE_OPTIONS now, not given at its start, so that they do not apply to the program
 * itself (its own `--require`s would otherwise come after ours).
 */
function passOnToSpawned(): void {
  const ours = process.env[SPAWNED_ENV];
  delete process.env[SPAWNED_ENV];
  if (ours) process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS?.trim(), ours].filter(Boolean).join(' ');
}

/**
 * The last chance: node calls 'uncaughtExceptionMonitor' listeners just before it ends the program (or
 * a worker thread) with an exception nothing caught, before its 'uncaughtException' listeners. A stop
 * here shows an exception that no stop has shown as ending the program: one V8 took for caught (a
 * promise handler's, node's module loader's) that then went unhandled, or a rejection V8 made in its
 * own code (Promise.any's AggregateError). The controller shows it as an exception stop (`skip`
 * keeps the program, `cont` lets it end) and goes on at once under `--break-on none`. An exception
 * shown as uncaught, or one `skip` drops, carries ENDING_MARK (./mark.ts). Node does not end a
 * program that takes uncaught exceptions itself (an 'uncaughtException' listener of its own, a
 * capture callback): no stop then. Without a debugger the statement does nothing; a monitor changes
 * nothing of node's handling. The name is LAST_CHANCE_FRAME (session/pause.ts).
 */
function __ecLastChance(error: unknown): void {
  if (error === null || (typeof error !== 'object' && typeof error !== 'function')) return; // a value: shown at its throw
  try { if ((error as Record<symbol, unknown>)[Symbol.for(ENDING_MARK)] === true) return; } catch { return; }
  if (process.hasUncaughtExceptionCaptureCallback()) return;
  if (process.listeners('uncaughtException').some((l) => (l as unknown as Record<symbol, unknown>)[Symbol.for(SKIP_KEY)] !== true)) return;
  // eslint-disable-next-line no-debugger
  debugger;
}

const fd = lifelineFd();
if (fd === null && isMainThread) reportChild();
if (fd !== null && isMainThread) passOnToSpawned();
const hooks = process.env[BOUNDARIES_ENV] === '1' ? require('./hooks') as typeof import('./hooks') : null;
const waits = fd !== null && process.env[WAIT_ENV] === '1';
const modeLater = waits && process.env[ENGINE_ENV] === 'auto';
if (!modeLater) hooks?.installBoundaries();
// only the main thread's: on Node 20 node runs this file in its ES module loader thread too, and a
// second lifeline there read the same descriptor; one closing it left the other deaf, and a program
// whose controller was killed ran on (fresh-clone CI, tsx on node 20: an orphan after SIGKILL)
if (fd !== null && isMainThread) {
  startLifeline(fd);
  // the controller removes its folder for child processes' reports as the program ends, and the
  // lifeline when the controller dies first; a controller killed (SIGKILL) just after the program
  // ended did neither. Once the program is gone no child of it is taken on: the folder can go now.
  const children = ownedChildrenFolder();
  if (children) process.on('exit', () => { try { fs.rmSync(children, { recursive: true, force: true }); } catch { /* not ours to fail on */ } });
}
// before saying 'w': the controller is still setting itself up, and waits for the 'w'
if (hooks && waits) hooks.prepareTransform();
// the program's threads, not node's own module loader thread (Node 22+ says which it is)
const programThread = (workerThreads as { isInternalThread?: boolean }).isInternalThread !== true;
if (programThread) process.on('uncaughtExceptionMonitor', __ecLastChance);
// V8's code cache for the program's modules (node 22.1+; ./compile-cache.ts): loaded now, turned on
// after the wait, once the kind of text the modules load as is known; not in node's own module loader
// thread. Node's `module` is taken without require(): one require() call more in this file made node
// 20's throw-heavy bench workload ~15 % slower, reproducibly (process.getBuiltinModule, a busy loop or
// an allocation in its place did not; the cause was not found: bench/ANALYSIS.md, session 34).
const nodeModule = (process as { getBuiltinModule?(id: string): unknown }).getBuiltinModule?.('node:module') as import('./compile-cache').NodeModuleCache | undefined;
const codeCache = programThread && typeof nodeModule?.enableCompileCache === 'function'
  ? require('./compile-cache') as typeof import('./compile-cache')
  : null;
waitForController(fd);
if (codeCache && nodeModule) codeCache.enableCodeCache(nodeModule);
if (modeLater) hooks?.installBoundaries();
