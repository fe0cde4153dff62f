// Composition root: wires launch → inspector → registry → watcher → patcher, and owns shutdown.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TargetCommand } from './launch/command';
import type { BreakOn } from './session/pause';
import { exitCodeOf, probeNode, spawnTarget, type Exit, type Target } from './launch/target';
import { routeStdin } from './launch/stdin';
import { connect, type Connection } from './cdp/connection';
import { ScriptRegistry } from './session/registry';
import { LiveEditEngine } from './patch/engine';
import { Updater } from './patch/updater';
import { createWatcher, type FileWatcher } from './patch/watcher';
import { textOf } from './patch/updater';
import { PauseSession } from './session/debugger';
import { Breakpoints } from './session/breakpoints';
import type { RetryDeps } from './session/retry';
import { Prompt } from './prompt/prompt';
import { ansiStyle, displayPath, formatUpdate, plainStyle, type Verbosity } from './report/format';
import { UserError } from './util/errors';
import { debug } from './util/log';

const log = debug('app');

export interface AppOptions {
  command: TargetCommand;
  watch: boolean;
  watchPatterns: string[];
  verbosity: Verbosity;
  poll: boolean;
  breakOn: BreakOn;
  boundaries: boolean;
}

export interface AppIO {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Subscribe to a signal sent to edit-continue; returns an unsubscribe. */
  onSignal(signal: NodeJS.Signals, handler: () => void): () => void;
}

const SCRIPT_EXTENSIONS = ['', '.js', '.mjs', '.cjs', '.ts', '.mts', '.cts', '.json', '.node'];

export function checkScript(script: string, cwd: string): string {
  const abs = path.resolve(cwd, script);
  for (const ext of SCRIPT_EXTENSIONS) {
    try {
      const st = fs.statSync(abs + ext);
      if (st.isFile() || (ext === '' && st.isDirectory())) return abs + ext;
    } catch { /* try the next */ }
  }
  throw new UserError(`cannot find script '${script}' (looked for ${abs})`);
}

const PRELOAD = path.join(__dirname, 'inject', 'preload.js');

export async function runApp(opts: AppOptions, io: AppIO): Promise<number> {
  const style = io.stderr.isTTY && !io.env.NO_COLOR ? ansiStyle : plainStyle;
  let notify: ((line: string) => void) | null = null;
  const say = (line: string) => {
    const text = `${style.dim('[ec]')} ${line}`;
    if (notify) notify(text); else io.stderr.write(text + '\n');
  };

  checkScript(opts.command.script, io.cwd);
  const node = await probeNode(opts.command.node);
  log('node', node);

  const startedAt = Date.now() - 1000; // mtimes can lag the clock a little; a false alarm only costs a compare
  const target = spawnTarget({ node, command: opts.command, preload: PRELOAD, boundaries: opts.boundaries, cwd: io.cwd, env: io.env, stderr: (t) => io.stderr.write(t) });
  const disposers: (() => void)[] = [];
  let exit: Exit | null = null;
  target.exited.then((e) => { exit = e; });

  // Signals. SIGTERM and SIGHUP pass on to the program (a paused program is let go first). Ctrl+C
  // (SIGINT) pauses the program once we are attached; until then, or pressed twice within a second
  // while the pause has not come, it passes on too, as under node.
  let signalCount = 0;
  const kill = (sig: NodeJS.Signals) => { try { process.kill(target.pid, sig); } catch { /* already gone */ } };
  let onInterrupt: (() => void) | null = null;
  let beforeForward: () => Promise<void> = async () => {};
  const forward = (sig: NodeJS.Signals) => () => {
    signalCount++;
    if (signalCount > 2) return kill('SIGKILL');
    void beforeForward().finally(() => kill(sig));
  };
  for (const sig of ['SIGTERM', 'SIGHUP'] as NodeJS.Signals[]) disposers.push(io.onSignal(sig, forward(sig)));
  const forwardInt = forward('SIGINT');
  disposers.push(io.onSignal('SIGINT', () => (onInterrupt ? onInterrupt() : forwardInt())));

  let wsUrl: string;
  try {
    wsUrl = await target.wsUrl;
  } catch (err) {
    const e = await target.exited;
    if (err instanceof UserError) say(err.message);
    return exitCodeOf(e);
  }

  let cdp: Connection;
  try {
    cdp = await connect(wsUrl);
  } catch (err) {
    try { process.kill(target.pid, 'SIGKILL'); } catch { /* gone */ }
    throw new UserError(`could not attach to the program's inspector: ${(err as Error).message || 'connection refused'}`);
  }

  const stdin = routeStdin(io.stdin, target.stdin);
  disposers.push(() => stdin.dispose());

  const registry = new ScriptRegistry();
  const breakpoints = new Breakpoints(cdp);
  const engine = new LiveEditEngine(cdp, registry, { onPatched: (record) => breakpoints.restore(record.file) });
  const session = new PauseSession(cdp, registry);
  const updater = new Updater({
    engine,
    readFile: (f) => fs.promises.readFile(f),
    statFile: (f) => fs.promises.stat(f),
    report: (r) => {
      const lines = formatUpdate(r, opts.verbosity, io.cwd, style);
      // stopped at the prompt, a function on the stack is not going to return by itself
      if (r.outcome.status === 'waiting' && session.paused && lines.length) lines.push(`  ${style.dim('the program is paused: retry (or restart N) applies it now')}`);
      for (const line of lines) say(line);
    },
  });

  let watcher: FileWatcher | null = null;
  if (opts.watch) {
    watcher = createWatcher({
      onChange: (f) => updater.changed(f),
      onRemove: (f) => { if (registry.scriptsOf(f).length) updater.changed(f); },
      onError: (err) => say(`watcher: ${err.message}`),
      usePolling: opts.poll,
    });
    for (const p of opts.watchPatterns) watcher.addPattern(p, io.cwd);
  }
  const shouldWatch = (file: string) =>
    file !== PRELOAD && !file.startsWith(path.dirname(PRELOAD) + path.sep) &&
    (!file.split(path.sep).includes('node_modules') || (watcher?.coveredByPattern(file) ?? false));
  registry.onScript((record) => {
    if (watcher && shouldWatch(record.file)) {
      log('watch', record.file);
      watcher.addFiles([record.file]);
      updater.watchStarted(record.file, startedAt);
    }
  });

  cdp.Debugger.on('scriptParsed', (e) => { registry.add(e); });

  // The pause prompt.
  const readText = async (file: string) => {
    const t = textOf(await fs.promises.readFile(file), Number.MAX_SAFE_INTEGER);
    return t.ok ? t.text : '';
  };
  const retryDeps: RetryDeps = {
    cdp,
    session,
    settle: () => updater.settle(),
    waitingFiles: () => updater.waitingFiles(),
    preview: async (file) => engine.preview(file, await readText(file)),
    apply: (file, atSafePause) => updater.applyNow(file, { topFrame: atSafePause ? session.safePause() ?? undefined : undefined }),
  };
  const letGo = async () => {
    // leave the program running on its own: nothing stops it any more
    await session.setBreakOn('none').catch(() => {});
    await breakpoints.removeAll();
    await session.resume();
  };
  const quit = async () => {
    await letGo();
    kill('SIGTERM');
    setTimeout(() => kill('SIGKILL'), 2000).unref();
  };
  const prompt = new Prompt({
    session, breakpoints, registry, retry: retryDeps, stdin,
    stdinIsTTY: (io.stdin as { isTTY?: boolean }).isTTY === true,
    write: (t) => io.stderr.write(t),
    style, cwd: io.cwd, env: io.env,
    fileChanged: async (file) => { updater.changed(file); await updater.whenIdle(file); },
    quit,
    breakOn: opts.breakOn,
  });
  notify = (line) => prompt.notify(line);
  beforeForward = async () => { if (session.paused) await letGo(); };
  let lastInterrupt = 0;
  onInterrupt = () => {
    const now = Date.now();
    const twice = now - lastInterrupt < 1000;
    lastInterrupt = now;
    if (twice) { say('ending the program (Ctrl+C twice)'); lastInterrupt = 0; return forwardInt(); }
    if (prompt.isOpen) return prompt.interrupt();
    say('pausing… (Ctrl+C again to end the program)');
    session.requestPause().catch(() => {});
  };
  cdp.send('NodeRuntime.notifyWhenWaitingForDisconnect', { enabled: true }).catch(() => {});
  // The program is about to exit: let go so node does not wait for us.
  cdp.onRaw('NodeRuntime.waitingForDisconnect', () => { void cdp.close(); });

  // Start: enable the domains, then release the program, which waits before its first line.
  await cdp.Runtime.enable();
  await cdp.Debugger.enable({});
  await session.setBreakOn(opts.breakOn);
  await release(cdp, target);
  if (opts.verbosity === 'verbose') {
    const files = registry.files().filter(shouldWatch);
    say(`running ${displayPath(path.resolve(io.cwd, opts.command.script), io.cwd)} on node ${node.version}; watching ${opts.watch ? files.length + ' file(s)' : 'nothing (--no-watch)'}`);
  }

  cdp.closed.then(() => {
    if (!exit) log('inspector connection closed while the program runs');
  });

  const finalExit = await target.exited;
  updater.close();
  await watcher?.close().catch(() => {});
  await cdp.close();
  for (const d of disposers) d();
  return exitCodeOf(finalExit);
}

/**
 * Send Runtime.runIfWaitingForDebugger until the program says it runs: a command that arrives
 * before the program starts waiting does nothing, so one send could be lost.
 */
async function release(cdp: Connection, target: Target): Promise<void> {
  let gone = false;
  void target.exited.then(() => { gone = true; });
  await Promise.race([target.waiting, target.exited]);
  while (!gone) {
    await cdp.Runtime.runIfWaitingForDebugger().catch(() => {});
    const ran = await Promise.race([target.running.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 50))]);
    if (ran) return;
  }
}

export type { Target };
