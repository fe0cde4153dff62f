// Composition root: wires launch → inspector → registry → watcher → patcher, and owns shutdown.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TargetCommand } from './launch/command';
import { exitCodeOf, probeNode, spawnTarget, type Exit, type Target } from './launch/target';
import { routeStdin } from './launch/stdin';
import { connect, type Connection } from './cdp/connection';
import { ScriptRegistry } from './session/registry';
import { LiveEditEngine } from './patch/engine';
import { Updater } from './patch/updater';
import { createWatcher, type FileWatcher } from './patch/watcher';
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
  const say = (line: string) => io.stderr.write(`${style.dim('[ec]')} ${line}\n`);

  checkScript(opts.command.script, io.cwd);
  const node = await probeNode(opts.command.node);
  log('node', node);

  const startedAt = Date.now() - 1000; // mtimes can lag the clock a little; a false alarm only costs a compare
  const target = spawnTarget({ node, command: opts.command, preload: PRELOAD, cwd: io.cwd, env: io.env, stderr: (t) => io.stderr.write(t) });
  const disposers: (() => void)[] = [];
  let exit: Exit | null = null;
  target.exited.then((e) => { exit = e; });

  // Signals: until we are attached, and for SIGTERM/SIGHUP always, pass them on to the program.
  let signalCount = 0;
  const forward = (sig: NodeJS.Signals) => () => {
    signalCount++;
    try { process.kill(target.pid, signalCount > 2 ? 'SIGKILL' : sig); } catch { /* already gone */ }
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as NodeJS.Signals[]) disposers.push(io.onSignal(sig, forward(sig)));

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
  const engine = new LiveEditEngine(cdp, registry);
  const updater = new Updater({
    engine,
    readFile: (f) => fs.promises.readFile(f),
    statFile: (f) => fs.promises.stat(f),
    report: (r) => { for (const line of formatUpdate(r, opts.verbosity, io.cwd, style)) say(line); },
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
  cdp.send('NodeRuntime.notifyWhenWaitingForDisconnect', { enabled: true }).catch(() => {});
  // The program is about to exit: let go so node does not wait for us.
  cdp.onRaw('NodeRuntime.waitingForDisconnect', () => { void cdp.close(); });

  // Start: enable the domains, then release the program, which waits before its first line.
  await cdp.Runtime.enable();
  await cdp.Debugger.enable({});
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
