// The programmatic API: `launch` a program under edit-continue, or `attach` to one that runs with its
// inspector open. Both give a LiveSession (./live.ts): typed events and the prompt's actions.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Connection } from './cdp/connection';
import type { LiveSession, LiveOptions } from './live';
import { exitCodeOf, probeNode, resolveExecutable, spawnTarget, type Exit, type Target } from './launch/target';
import { inspectorUrl, openInspector } from './launch/inspector';
import type { TargetCommand } from './launch/command';
import { launcherLoader, throughLauncher } from './loaders/launchers';
import { isTypeScriptFile, mayCompileTypeScript, typescriptLoaderOf, writesOneLine } from './loaders/detect';
import { requestedEngine, type EngineChoice, type EngineKind } from './launch/engine-choice';
import { UserError } from './util/errors';
import { debug } from './util/log';
import { originOf } from './util/origin';

const log = debug('launch');

const PRELOAD = path.join(__dirname, 'inject', 'preload.js');

// The session's modules (the CDP client, the engines, acorn, …) take tens of ms to load: `launch` loads
// them after the program is spawned, while it boots, rather than before (hello-world startup), and
// before it connects (bench/ANALYSIS.md, "Attaching (issue 17)").
const connectModules = () => ({ ...(require('./cdp/connection') as typeof import('./cdp/connection')), ...(require('./launch/engine-probe') as typeof import('./launch/engine-probe')) });
const liveModule = () => require('./live') as typeof import('./live');
const sessionModules = () => ({ ...liveModule(), ...connectModules() });

export interface Program {
  kind: 'launched' | 'attached';
  /** The program's pid, when known. */
  pid: number | null;
  /** Node's version (`v22.23.3`). */
  nodeVersion: string;
  /** For a launched program: its stdin (edit-continue forwards yours into it; null when it inherited yours). */
  stdin: NodeJS.WritableStream | null;
  /** Resolves when the program exits (launched), or when the connection ends (attached: null). */
  exited: Promise<Exit | null>;
  /** The patch engine the session uses (README, "Choosing the engine"). */
  engine: EngineKind;
  /** How the LiveEdit probe behind that choice went (`dry run accepted`, `live edit off: …`). */
  engineProbe: string;
}

export interface LaunchOptions extends Partial<Omit<LiveOptions, 'engine'>> {
  /** The patch engine: auto (default: $EDIT_CONTINUE_ENGINE, else auto), swap or liveedit. */
  engine?: EngineChoice;
  /** The script and its arguments. */
  script: string;
  args?: string[];
  /** The node to run: a path or a name looked up in PATH (default: the node running this). */
  node?: string;
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /** Add retry boundaries to the program's files as they load (default true). */
  boundaries?: boolean;
  /**
   * Reach node processes the program starts without its execArgv (spawn('node', …)) through
   * NODE_OPTIONS (default false: node writes its "Debugger listening"/"Debugger attached" lines on
   * such a process's stderr, which the program may be reading); forked children are reached either way.
   */
  spawned?: boolean;
  /** Where the program's stderr goes, inspector banner lines removed (default: this process's stderr). */
  stderr?(text: string): void;
  /** The program's stdin: a pipe (default, `program.stdin`), or this process's stdin, inherited (a terminal the program is to see). */
  stdin?: 'pipe' | 'inherit';
  /** Called once the program is spawned, before it runs (signals can go to it from now on). */
  onSpawn?(target: Target): void;
  /**
   * Called with the session before the program runs its first line: subscribe to events here.
   * What it returns is awaited (a promise), or ignored (`(s) => s.on(…)` returns the session).
   */
  beforeStart?(session: LiveSession & { program: Program }): unknown;
}

export type LaunchedSession = LiveSession & { program: Program; target: Target };

/** Start a program under the inspector and attach to it; it runs once the session is set up. */
export async function launch(opts: LaunchOptions): Promise<LaunchedSession> {
  const cwd = opts.cwd ?? process.cwd();
  let command: TargetCommand = { node: opts.node ?? process.execPath, nodeArgs: opts.nodeArgs ?? [], script: opts.script, scriptArgs: opts.args ?? [] };
  // `tsx src/index.ts`, `ts-node src/index.ts`: their loader in this node, not a second node out of reach
  const through = throughLauncher(command, resolvedFile(path.resolve(cwd, command.script)), (spec, file) => launcherLoader(spec, file, cwd, () => {
    const found = resolveExecutable(path.basename(command.script), opts.env ?? process.env);
    return found && resolvedFile(found);
  }));
  if (through.kind === 'refused') throw new UserError(through.message);
  if (through.kind === 'rewritten') { command = through.command; opts.onWarning?.(through.note); }
  const node = await probeNode(command.node);
  log('node', node);
  // the program's child processes that run node report their inspector here (session/children.ts)
  const { childrenFolder, nodeOptionsForSpawned, CHILDREN_ENV, SPAWNED_ENV } = require('./session/children') as typeof import('./session/children');
  // node it starts without its execArgv (spawn('node', …)) too, through NODE_OPTIONS, unless told not to
  const env: NodeJS.ProcessEnv = { ...(opts.env ?? process.env), ...(opts.spawned !== true ? {} : { [SPAWNED_ENV]: nodeOptionsForSpawned(PRELOAD) }) };
  const engine = requestedEngine(opts.engine, env);
  if (node.major < 22 && command.script && isTypeScriptFile(command.script) && !mayCompileTypeScript(command.nodeArgs, env.NODE_OPTIONS ?? '')) {
    throw new UserError(`node ${node.version} cannot run TypeScript by itself: give it a loader (edit-continue node --import tsx ${command.script}, after npm i -D tsx) or use node 22.18 or later`);
  }
  // asked for in so many words, swap without its transform is a contradiction; as a default ($EDIT_CONTINUE_ENGINE) it gives way, and says so
  if (opts.engine === 'swap' && opts.boundaries === false) throw new UserError('the swap engine patches through the load-time transform that no boundaries turns off: use --engine liveedit, or drop --no-boundaries');
  const startedAt = Date.now() - 1000; // mtimes can lag the clock a little; a false alarm only costs a compare
  // made once nothing can refuse the start any more (removed when the program ends)
  const children = childrenFolder();
  env[CHILDREN_ENV] = children;
  const target = spawnTarget({
    node, command, preload: PRELOAD, boundaries: opts.boundaries !== false, cwd, env, engine,
    stderr: opts.stderr ?? ((t) => process.stderr.write(t)), stdin: opts.stdin,
  });
  opts.onSpawn?.(target);
  void target.exited.then(() => require('node:fs').rmSync(children, { recursive: true, force: true }));
  // The session's modules load now, while the program boots (it prints its inspector's address
  // ~50 ms after the spawn): loaded after we connect, they kept node's first answers unread and
  // their ACKs late while the program already waited for us.
  const { connect, chooseAtLaunch } = connectModules();
  const { LiveSession } = liveModule();
  let wsUrl: string;
  try {
    wsUrl = await target.wsUrl;
  } catch (err) {
    const exit = await target.exited;
    throw Object.assign(err instanceof Error ? err : new Error(String(err)), { exitCode: exitCodeOf(exit), programExited: true });
  }
  let cdp: Connection;
  try {
    cdp = await connect(wsUrl);
  } catch (err) {
    try { process.kill(target.pid, 'SIGKILL'); } catch { /* gone */ }
    throw new UserError(`could not attach to the program's inspector: ${(err as Error).message || 'connection refused'}`);
  }
  // Asked at once, answered when the program waits in the preload (at once if it already does).
  const waiting = waitingForDebugger(cdp);
  // the engine is chosen while the program waits in the preload: the files it loads get its transform
  const choosing = chooseAtLaunch(cdp, engine, { preload: PRELOAD, boundaries: opts.boundaries !== false, loader: oneLineLoader(command.nodeArgs, env.NODE_OPTIONS ?? '') });
  const chosen = await choosing;
  log('engine', { ...chosen, scripts: chosen.scripts.length });
  if (chosen.important) opts.onWarning?.(chosen.note);
  const session = new LiveSession(cdp, { ...opts, cwd, startedAt, retryBoundaries: opts.boundaries === false ? 'off' : 'added', engine: chosen.kind }) as LaunchedSession;
  session.knowEarlyScripts(chosen.scripts); // (the Debugger stays enabled: they are not sent again)
  session.target = target;
  session.program = { kind: 'launched', pid: target.pid, nodeVersion: node.version, stdin: target.stdin, exited: target.exited, engine: chosen.kind, engineProbe: chosen.probe };
  // The program is gone: say so, and let go of the watcher and the connection (nothing keeps the caller alive).
  void target.exited.then(async (e) => { session.exited(e); await session.close(); });
  // the program is exiting: write to the socket now, so that node's last messages are not held (docs/v8.md)
  void target.exiting.then(() => { log('exiting'); cdp.kickUntil(cdp.closed); });
  await session.start();
  log('started');
  try {
    await opts.beforeStart?.(session);
  } catch (err) {
    // the program waits in the preload for us: it must not be left waiting
    try { process.kill(target.pid, 'SIGKILL'); } catch { /* gone */ }
    await session.close();
    throw err;
  }
  await release(cdp, target, waiting);
  log('released');
  session.watchWorkers();
  session.watchChildren(children);
  return session;
}

/**
 * Resolves true when the program waits for us in the preload (`NodeRuntime.waitingForDebugger`,
 * which NodeRuntime.enable sends at once when it already waits), false when this node cannot say.
 */
function waitingForDebugger(cdp: Connection): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    cdp.onRaw('NodeRuntime.waitingForDebugger', () => resolve(true));
    cdp.send('NodeRuntime.enable').catch(() => resolve(false));
  });
}

/**
 * Let the program run its first line. Runtime.runIfWaitingForDebugger that arrives before the
 * program waits is lost and the program then waits forever, so it is sent once node says it waits.
 * Where node cannot say, it is sent again until the preload says it runs ('r' on the lifeline).
 */
async function release(cdp: Connection, target: Target, waiting: Promise<boolean>): Promise<void> {
  let gone = false;
  void target.exited.then(() => { gone = true; });
  // Node's event may come within 40 ms of its last message to us, and would then wait for our ACK:
  // the preload says 'w' on the lifeline (no such wait there) as it goes to wait, and from then on
  // each message node sends gets a kick that carries the ACK, until the event (cdp/connection.ts).
  void target.waiting.then(() => cdp.kickUntil(waiting));
  const told = await Promise.race([waiting, target.exited.then(() => false)]);
  if (gone) return;
  if (told) {
    await Promise.race([cdp.Runtime.runIfWaitingForDebugger().catch(() => {}), target.running, target.exited]);
    return;
  }
  await Promise.race([target.waiting, target.exited]);
  while (!gone) {
    await cdp.Runtime.runIfWaitingForDebugger().catch(() => {});
    const ran = await Promise.race([target.running.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 50))]);
    if (ran) return;
  }
}

// ---- attach ----

export type AttachTarget = string | number | { port: number; host?: string } | { pid: number } | { wsUrl: string };

export interface AttachOptions extends Partial<Omit<LiveOptions, 'engine'>> {
  /** The patch engine (default: $EDIT_CONTINUE_ENGINE, else auto: the one the program's transform allows). */
  engine?: EngineChoice;
  /** Allow a host that is not this machine (the inspector gives full control of the program). */
  allowRemote?: boolean;
  /** As for launch: called before the session lets the program go on; a promise is awaited. */
  beforeStart?(session: LiveSession & { program: Program }): unknown;
}

export type AttachedSession = LiveSession & { program: Program };

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** What `attach` was given, as data (pure). */
export function parseAttachTarget(spec: AttachTarget): { kind: 'ws'; url: string; host: string } | { kind: 'port'; host: string; port: number } | { kind: 'pid'; pid: number } | { kind: 'error'; message: string } {
  if (typeof spec === 'number') return Number.isInteger(spec) && spec > 0 && spec < 65536 ? { kind: 'port', host: '127.0.0.1', port: spec } : { kind: 'error', message: `not a port: ${spec}` };
  if (typeof spec === 'object') {
    if ('pid' in spec) return Number.isInteger(spec.pid) && spec.pid > 0 ? { kind: 'pid', pid: spec.pid } : { kind: 'error', message: `not a pid: ${spec.pid}` };
    if ('wsUrl' in spec) return parseAttachTarget(spec.wsUrl);
    return parseAttachTarget(`${spec.host ?? '127.0.0.1'}:${spec.port}`);
  }
  const s = spec.trim();
  if (/^wss?:\/\//.test(s)) {
    try {
      const u = new URL(s);
      return { kind: 'ws', url: s, host: u.hostname };
    } catch {
      return { kind: 'error', message: `not a websocket URL: ${s}` };
    }
  }
  if (/^\d+$/.test(s)) return parseAttachTarget(Number(s));
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(s);
  if (m) {
    const port = Number(m[2]);
    if (port <= 0 || port >= 65536) return { kind: 'error', message: `not a port: ${m[2]}` };
    return { kind: 'port', host: m[1], port };
  }
  return { kind: 'error', message: `cannot attach to '${s}': give a port (9229), host:port (127.0.0.1:9229), a ws:// URL, or --pid N` };
}

/** Attach to a program that runs with its inspector open. Detaching (close) leaves it running. */
export async function attach(spec: AttachTarget, opts: AttachOptions = {}): Promise<AttachedSession> {
  const { LiveSession, connect, chooseAtAttach } = sessionModules();
  const cwd = opts.cwd ?? process.cwd();
  const engine = requestedEngine(opts.engine, process.env);
  const t = parseAttachTarget(spec);
  if (t.kind === 'error') throw new UserError(t.message);
  let wsUrl: string;
  let pid: number | null = null;
  if (t.kind === 'pid') {
    pid = t.pid;
    const port = await openInspector(t.pid);
    wsUrl = await inspectorUrl('127.0.0.1', port);
  } else {
    if (!isLoopback(t.host) && !opts.allowRemote) {
      throw new UserError(`${t.host} is not this machine: an inspector gives full control of the program, so attach only goes to loopback unless you pass --allow-remote`);
    }
    if (!isLoopback(t.host)) opts.onWarning?.(`attaching to ${t.host}, which is not this machine: the connection is not encrypted`);
    wsUrl = t.kind === 'ws' ? t.url : await inspectorUrl(t.host, t.port);
  }
  let cdp: Connection;
  try {
    cdp = await connect(wsUrl);
  } catch (err) {
    throw new UserError(`could not attach to ${wsUrl}: ${(err as Error).message || 'connection refused'}`);
  }
  const info = await cdp.Runtime.evaluate({ expression: '[process.pid, process.version]', returnByValue: true }).catch(() => null);
  const [remotePid, version] = (info?.result?.value as [number, string] | undefined) ?? [pid, 'unknown'];
  const chosen = await chooseAtAttach(cdp, engine, (f) => originOf(f) === 'program');
  log('engine', chosen.kind, chosen.probe);
  if (chosen.important) opts.onWarning?.(chosen.note);
  const session = new LiveSession(cdp, { ...opts, cwd, startedAt: Date.now(), retryBoundaries: 'attached', engine: chosen.kind }) as AttachedSession;
  session.seed(chosen.scripts); // the Debugger stays enabled: its scripts are not sent again
  session.program = { kind: 'attached', pid: remotePid ?? pid, nodeVersion: version, stdin: null, exited: cdp.closed.then(() => null), engine: chosen.kind, engineProbe: chosen.probe };
  void cdp.closed.then(() => session.close());
  await session.start();
  try {
    await opts.beforeStart?.(session);
  } catch (err) {
    await session.close(); // detaches: the program goes on as it was
    throw err;
  }
  await cdp.Runtime.runIfWaitingForDebugger().catch(() => {}); // started with --inspect-brk: let it go
  session.watchWorkers();
  return session;
}

/** A TypeScript loader on the command line that writes modules on one line (LiveEdit cannot patch those). */
function oneLineLoader(nodeArgs: readonly string[], nodeOptions: string): string | null {
  const loader = typescriptLoaderOf(nodeArgs, nodeOptions);
  return loader && writesOneLine(loader) ? loader : null;
}

/** A path's real file, or null when there is no such file. */
function resolvedFile(file: string): string | null {
  try { return fs.realpathSync(file); } catch { return null; }
}
