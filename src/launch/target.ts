// Spawn node under the inspector, find its websocket URL, and pass its output and exit on.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import type { Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createBannerFilter } from './banner';
import { scheduleCacheCleanup } from './cache-clean';
import type { TargetCommand } from './command';
import { ENGINE_ENV, type EngineChoice } from './engine-choice';
import { UserError } from '../util/errors';
import { debug } from '../util/log';

const log = debug('launch');

export const MIN_NODE_MAJOR = 20;

export interface NodeInfo {
  executable: string;
  version: string;
  major: number;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Target {
  child: ChildProcess;
  pid: number;
  wsUrl: Promise<string>;
  exited: Promise<Exit>;
  /** Write to the program's stdin (null: it inherited ours). */
  stdin: NodeJS.WritableStream | null;
  /** Resolves when the program waits for us before its first line (see inject/preload.ts). */
  waiting: Promise<void>;
  /** Resolves when the program has been released and runs. */
  running: Promise<void>;
  /** Resolves when the program's main thread is exiting (its `exit` event: inject/preload.ts). */
  exiting: Promise<void>;
}

export function exitCodeOf(exit: Exit): number {
  if (exit.signal) return 128 + (os.constants.signals[exit.signal] ?? 0);
  return exit.code ?? 1;
}

/** Find an executable the way a shell would. */
export function resolveExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const canRun = (p: string) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (name.includes('/') || name.includes(path.sep)) return canRun(path.resolve(name)) ? path.resolve(name) : null;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (canRun(candidate)) return candidate;
  }
  return null;
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 8 * 1024 * 1024, timeout: 15000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

/**
 * Ask the node binary what it is. Each question is a process to start (~50 ms), so ask only what is
 * not known: the node running edit-continue knows its own version. Whether it has LiveEdit is asked
 * of the program itself while it waits (Node 26 needs --inspector-live-edit, which the engine probe
 * turns on at run time: launch/engine-probe.ts), not of `node --v8-options`, a process of its own.
 */
export async function probeNode(name: string): Promise<NodeInfo> {
  const executable = resolveExecutable(name);
  if (!executable) throw new UserError(`cannot find node executable '${name}' (looked in PATH)`);
  const ownNode = sameFile(executable, process.execPath);
  const version = ownNode
    ? process.version
    : (await run(executable, ['--version']).catch((e: Error) => {
      throw new UserError(`'${executable}' did not answer --version: is it node? (${e.message.split('\n')[0]})`);
    })).trim();
  const m = /^v(\d+)\.\d+\.\d+/.exec(version);
  if (!m) throw new UserError(`'${executable}' does not look like node (it printed '${version.slice(0, 40)}')`);
  const major = Number(m[1]);
  if (major < MIN_NODE_MAJOR) {
    throw new UserError(`node ${version} is too old: edit-continue needs Node ${MIN_NODE_MAJOR} or newer`);
  }
  return { executable, version, major };
}

function sameFile(a: string, b: string): boolean {
  try { return fs.realpathSync(a) === fs.realpathSync(b); } catch { return false; }
}

export interface SpawnOptions {
  node: NodeInfo;
  command: TargetCommand;
  preload: string;
  /** Ask the preload to add retry boundaries to the program's files. */
  boundaries?: boolean;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Where the program's stderr goes (minus the inspector's banner lines). */
  stderr: (text: string) => void;
  /** The transform the program's files get: swap, liveedit, or auto (the controller tells it while it waits). */
  engine?: EngineChoice;
  /**
   * The program's stdin: a pipe the caller forwards into (default), or ours, inherited (our stdin is
   * a terminal: the program then sees a TTY, as under plain node; see launch/stdin.ts terminalStdin).
   */
  stdin?: 'pipe' | 'inherit';
}

export function spawnTarget(opts: SpawnOptions): Target {
  const args = [
    '--inspect=127.0.0.1:0',
    '--inspect-publish-uid=stderr',
    '--require', opts.preload,
    ...opts.command.nodeArgs,
    opts.command.script,
    ...opts.command.scriptArgs,
  ];
  log('spawn', opts.node.executable, args.join(' '));
  const child = spawn(opts.node.executable, args, {
    cwd: opts.cwd,
    env: { ...(opts.env ?? process.env), EDIT_CONTINUE_LIFELINE_FD: '3', EDIT_CONTINUE_WAIT: '1', EDIT_CONTINUE_BOUNDARIES: opts.boundaries ? '1' : '0', [ENGINE_ENV]: opts.engine ?? 'liveedit' },
    // stdout goes straight to our stdout (a terminal stays a terminal). stderr passes through the
    // banner filter. stdin is forwarded by the caller, so the prompt can take it while paused, or,
    // when it is a terminal, inherited (the prompt takes the terminal only while the program is
    // paused). fd 3 is the lifeline (see inject/preload.ts). A session of its own keeps the
    // terminal's Ctrl+C (and window-size signal) from reaching the program: edit-continue decides
    // what Ctrl+C does, and passes the window size on.
    stdio: [opts.stdin ?? 'pipe', 'inherit', 'pipe', 'pipe'],
    detached: true,
  });
  // (after the spawn: it loads the cache module, which the program's start need not wait for)
  if (opts.boundaries) scheduleCacheCleanup(opts.env ?? process.env);
  let resolveUrl!: (url: string) => void;
  let rejectUrl!: (err: Error) => void;
  const wsUrl = new Promise<string>((res, rej) => { resolveUrl = res; rejectUrl = rej; });
  wsUrl.catch(() => {});
  const filter = createBannerFilter((url) => resolveUrl(url));
  let early = '';
  let urlSeen = false;
  wsUrl.then((url) => { urlSeen = true; log('inspector at', url); }, () => {});
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    const out = filter.push(chunk);
    if (!urlSeen) early += out;
    if (out) opts.stderr(out);
  });
  const exited = new Promise<Exit>((resolve) => {
    child.on('error', (err) => {
      rejectUrl(new UserError(`could not start ${opts.node.executable}: ${err.message}`));
      resolve({ code: 127, signal: null });
    });
    child.on('close', (code, signal) => {
      const rest = filter.flush();
      if (rest) opts.stderr(rest);
      if (!urlSeen) rejectUrl(new UserError(`node exited before its inspector started${early.trim() ? ': ' + early.trim().split('\n')[0] : ''}`));
      resolve({ code, signal });
    });
  });
  child.stdin?.on('error', () => {}); // the program closed its stdin: nothing more to forward
  const lifeline = child.stdio[3] as Socket | null;
  let onWaiting!: () => void;
  let onRunning!: () => void;
  let onExiting!: () => void;
  const waiting = new Promise<void>((res) => { onWaiting = res; });
  const running = new Promise<void>((res) => { onRunning = res; });
  const exiting = new Promise<void>((res) => { onExiting = res; });
  lifeline?.on('error', () => {});
  // The lifeline's watcher (inject/preload.ts) holds the program's end too: a program killed outright
  // (a crash, SIGKILL) leaves that end open, and node's 'close' of the child would wait for it. Once
  // the program has exited and its stderr is closed, our end goes, and the watcher ends with it.
  child.once('exit', () => {
    const letGo = () => lifeline?.destroy();
    if (child.stderr!.destroyed || child.stderr!.readableEnded) letGo(); else child.stderr!.once('close', letGo);
  });
  lifeline?.on('data', (d: Buffer) => {
    const s = d.toString('latin1');
    log('lifeline', s);
    if (s.includes('w')) onWaiting();
    if (s.includes('r')) onRunning();
    if (s.includes('x')) onExiting();
  });
  return { child, pid: child.pid ?? -1, wsUrl, exited, stdin: child.stdin, waiting, running, exiting };
}
