// The CLI's composition root: a live session from the API (launch or attach), with what a terminal
// user gets around it — signals, stdin routing, the prompt, text reports, JSON events — and the
// shutdown order.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReadStream } from 'node:tty';
import type { TargetCommand } from './launch/command';
import type { BreakOn } from './session/pause';
import { exitCodeOf, resolveExecutable, type Exit, type Target } from './launch/target';
import { routeStdin, sttyModes, terminalStdin, type StdinRouter } from './launch/stdin';
import { attach, launch, type Program } from './api';
import type { LiveSession } from './live';
import type { Prompt } from './prompt/prompt';
import { pausingNote } from './prompt/commands';
import type { Verbosity } from './report/format';
import type { EventLog, SaveEvent } from './report/events';
import { UserError } from './util/errors';
import { Codes } from './patch/codes';
import { debug } from './util/log';

const log = debug('app');

// The text reports load when first needed, after the program is spawned: they bring the source-map
// and acorn modules (~20 ms of the controller's start, before the program could start; issue 17).
const format = () => require('./report/format') as typeof import('./report/format');
const styleFor = (io: AppIO) => (io.stderr.isTTY && !io.env.NO_COLOR ? format().ansiStyle : format().plainStyle);

export interface CommonOptions {
  watch: boolean;
  watchPatterns: string[];
  verbosity: Verbosity;
  poll: boolean;
  breakOn: BreakOn;
  /** Write events as JSON lines: '-' for stderr, else a file path; null for none. */
  json: string | null;
  /** Prompt commands to run at the stops before stdin is read (-x), after --commands FILE's lines. */
  commands?: string[];
  commandsFile?: string | null;
  /** --engine (undefined: $EDIT_CONTINUE_ENGINE, else auto). */
  engine?: import('./launch/engine-choice').EngineChoice;
}

export interface AppOptions extends CommonOptions {
  command: TargetCommand;
  boundaries: boolean;
  /** Reach node started without the program's execArgv, through NODE_OPTIONS (default true). */
  spawned?: boolean;
}

export interface AttachAppOptions extends CommonOptions {
  target: string | { pid: number };
  allowRemote: boolean;
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

/**
 * The script must be a file (or a folder node runs). A word that is none, but a command typed before a
 * program (`npm run dev`, `nodemon app.js`), gets a message with the command that works
 * (./launch/not-a-script.ts); `tsx FILE` and `ts-node FILE` go on (the launch runs their loader in node).
 */
export function checkScript(command: TargetCommand, cwd: string, env: NodeJS.ProcessEnv): void {
  const { script, scriptArgs } = command;
  const abs = path.resolve(cwd, script);
  for (const ext of SCRIPT_EXTENSIONS) {
    try {
      const st = fs.statSync(abs + ext);
      if (st.isFile() || (ext === '' && st.isDirectory())) return;
    } catch { /* try the next */ }
  }
  // (loaded only here: nothing before the program's spawn that a found script does not need)
  const { throughLauncher } = require('./loaders/launchers') as typeof import('./loaders/launchers');
  const { notAScriptMessage } = require('./launch/not-a-script') as typeof import('./launch/not-a-script');
  if (throughLauncher(command, null).kind !== 'none') return;
  const onPath = (name: string) => {
    const found = resolveExecutable(name, env);
    try { return found && fs.realpathSync(found); } catch { return found; }
  };
  const said = notAScriptMessage(script, scriptArgs, { cwd, packageJson: packageJsonOf(cwd), onPath });
  throw new UserError(said ?? `cannot find script '${script}' (looked for ${abs})`);
}

function packageJsonOf(dir: string): { scripts?: Record<string, unknown> } | null {
  try {
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as unknown;
    return json && typeof json === 'object' ? json as { scripts?: Record<string, unknown> } : null;
  } catch {
    return null;
  }
}


/** How long a save's report waits for the pause's frames, for its note on a function stopped in (they take a few ms). */
const FRAMES_FOR_NOTE_MS = 1000;

/** What the terminal side needs, whichever way the session came. */
interface Frontend {
  say(line: string): void;
  /** Several lines as one report: one write, so a reader of stderr never sees half of it. */
  sayAll(lines: string[]): void;
  /** Where `say` goes while the prompt is open. */
  notify: ((line: string) => void) | null;
  events: EventLog | null;
  disposers: (() => void)[];
}

function frontend(opts: CommonOptions, io: AppIO): Frontend {
  const f: Frontend = {
    notify: null,
    say: (line) => {
      const text = `${styleFor(io).dim('[ec]')} ${line}`;
      if (f.notify) f.notify(text); else io.stderr.write(text + '\n');
    },
    sayAll: (lines) => {
      if (f.notify) { for (const line of lines) f.say(line); return; }
      const tag = styleFor(io).dim('[ec]');
      if (lines.length) io.stderr.write(lines.map((line) => `${tag} ${line}\n`).join(''));
    },
    events: opts.json === null ? null : (require('./report/events') as typeof import('./report/events')).openEventLog(opts.json === '-' ? io.stderr : path.resolve(io.cwd, opts.json)),
    disposers: [],
  };
  return f;
}

/** Text reports, JSON events and the prompt around a session. */
function wire(session: LiveSession & { program: Program }, opts: CommonOptions, io: AppIO, f: Frontend, stdin: StdinRouter, quit: () => Promise<void>): Prompt {
  const style = styleFor(io);
  const { displayPath, formatThreadedSave } = format();
  /** Files whose last report refused something: a save back to what runs is said then (it is quiet otherwise). */
  const refusedLast = new Set<string>();
  const text = (save: SaveEvent): Promise<void> => {
    const lines = formatThreadedSave(save, opts.verbosity, io.cwd, style);
    const file = save.event.file;
    const refused = save.type === 'not-patched' || (save.type === 'patched' && save.event.notApplied.length > 0);
    if (save.type === 'unchanged' && refusedLast.has(file) && save.event.loaded && opts.verbosity === 'normal' && lines.length === 0) {
      lines.push(`${displayPath(file, io.cwd)}: back to the code that runs, nothing to patch (what was not applied is gone from the file)`);
    }
    if (refused) refusedLast.add(file); else if (save.type !== 'pending') refusedLast.delete(file);
    // stopped at the prompt, a function on the stack is not going to return by itself
    // (not an edit waiting for the program's loader, which has not compiled it: retry would run the old code)
    if (save.type === 'pending' && save.event.reason.code !== Codes.LoaderWaiting && session.current && lines.length) lines.push(`  ${style.dim('the program is paused: retry (or restart N) applies it now')}`);
    // swap engine: a function patched while the program is stopped in it goes on with the code it
    // started with (`cont` at an exception lets the exception go on): say what runs the new code. Not
    // for an edit that waited: at a pause it goes in only through `retry` or `restart N`, which run
    // that frame again with it (LiveEdit restarts the frame as it patches it)
    if (save.type === 'patched' && !save.event.afterWaiting && session.current && lines.length) {
      const p = session.current;
      const late = new Promise<null>((r) => setTimeout(() => r(null), FRAMES_FOR_NOTE_MS).unref());
      return Promise.race([pausedInChanged(p, save.event.file, save.event.functions.map((fn) => fn.name)).catch(() => null), late]).then((held) => {
        if (held && session.current === p) lines.push(`  ${style.dim(`the program is paused in ${held.name}, which goes on with the code it started with: ${held.first ? '`retry`' : `\`restart ${held.index}\``} runs it again with the new code`)}`);
        f.sayAll(lines);
      });
    }
    f.sayAll(lines);
    return Promise.resolve();
  };
  /**
   * Each save's report in turn, its text and then its --json event: a reader of stderr takes a report
   * as whole once its event line has come after its head (the note above is written once the pause's
   * frames are read, a few ms later).
   */
  let reported = Promise.resolve();
  const report = (save: SaveEvent) => {
    // (a report that fails to format must not hold back the ones after it)
    reported = reported.then(() => text(save)).catch((err) => log('report', (err as Error).message)).then(() => {
      if (save.type !== 'unchanged') f.events?.write(save.type, save.event);
    }).catch(() => {});
  };
  /** The name of a frame of the pause that runs one of these functions of this file (by name), if any. */
  const pausedInChanged = async (p: NonNullable<typeof session.current>, file: string, names: string[]): Promise<{ name: string; index: number; first: boolean } | null> => {
    const simple = (n: string) => n.replace(/^(?:get|set|static|async) /, '').split('.').pop() ?? n;
    const changed = new Set(names.map(simple));
    const frames = (await session.frames(p)).filter((v) => v.origin === 'program' && !v.dispatch);
    const at = frames.findIndex((v) => v.path === file && v.name && changed.has(simple(v.name)));
    // the innermost frame of the program's is the one `retry` runs again; a frame below it, `restart N`
    return at < 0 ? null : { name: frames[at].name, index: frames[at].index, first: at === 0 };
  };
  session.on('patched', (event) => report({ type: 'patched', event }));
  session.on('pending', (event) => report({ type: 'pending', event }));
  session.on('not-patched', (event) => report({ type: 'not-patched', event }));
  session.on('unchanged', (event) => report({ type: 'unchanged', event }));
  if (opts.verbosity === 'verbose') {
    // -v: which worker threads and child processes are attached (their saves and stops are ours from then on)
    // (loaded here, with the session: session/threads brings the CDP client and ws, which must not
    // load before the program is spawned; test/unit/args.test.ts checks what has loaded by then)
    const { threadParts } = require('./session/threads') as typeof import('./session/threads');
    session.on('thread', (e) => {
      const { pid, thread } = threadParts(e.info.id);
      const what = `${pid ? `process ${pid}` : ''}${pid && thread ? ' ' : ''}${thread ? `worker ${thread}${e.info.url.startsWith('file:') ? ` (${displayPath(require('node:url').fileURLToPath(e.info.url), io.cwd)})` : ''}` : ''}`;
      f.say(e.kind === 'added' ? `attached to ${what}` : `${what} ended`);
    });
    // -v: how many files are watched, once loading settles (and again when more are loaded)
    let timer: NodeJS.Timeout | null = null;
    let count = 0;
    let said = 0;
    session.on('watching', (e) => {
      count = e.count;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => { timer = null; if (count !== said) { said = count; f.say(`watching ${count} file(s)`); } }, 300);
      timer.unref();
    });
  }
  const ev = f.events;
  if (ev) {
    // (a save's event goes out after its text: report above)
    session.on('paused', (e) => ev.write('paused', e));
    session.on('resumed', (e) => ev.write('resumed', e ?? {}));
    session.on('exited', (e) => ev.write('exited', e));
  }
  // loaded here, once the program is spawned (it brings the retry machinery and acorn)
  const { Prompt } = require('./prompt/prompt') as typeof import('./prompt/prompt');
  // one prompt for every thread: it drives the selected one (prompt/threads.ts)
  const { ThreadRouter } = require('./prompt/threads') as typeof import('./prompt/threads');
  const router = new ThreadRouter(session, (line) => f.say(line));
  const prompt = new Prompt({
    session: router, stdin,
    stdinIsTTY: (io.stdin as { isTTY?: boolean }).isTTY === true,
    write: (t) => io.stderr.write(t),
    style, cwd: io.cwd, env: io.env,
    quit,
    attached: session.program.kind === 'attached',
    commands: opts.commands,
  });
  f.notify = (line) => prompt.notify(line);
  return prompt;
}

function started(session: LiveSession & { program: Program }, opts: CommonOptions, f: Frontend, what: string): void {
  f.events?.write('started', {
    mode: session.program.kind, pid: session.program.pid, node: session.program.nodeVersion,
    engine: session.program.engine, probe: session.program.engineProbe,
  });
  if (opts.verbosity === 'verbose') {
    // a launched program has loaded nothing yet: its files are watched as it loads them
    const watching = !opts.watch ? 'nothing (--no-watch)'
      : session.program.kind === 'launched' ? 'the files it loads' : `${session.watchedFiles.length} file(s)`;
    f.say(`${what} on node ${session.program.nodeVersion} (engine: ${session.program.engine === 'swap' ? 'swap' : 'LiveEdit'}; probe: ${session.program.engineProbe}); watching ${watching}`);
  }
}

export async function runApp(opts: AppOptions, io: AppIO): Promise<number> {
  checkScript(opts.command, io.cwd, io.env);
  opts = { ...opts, commands: scriptedCommands(opts, io.cwd), commandsFile: null };
  const f = frontend(opts, io);
  let target: Target | null = null;
  let session: (LiveSession & { program: Program }) | null = null;
  // the program's process group (it leads one), as a terminal's Ctrl+C would: its child processes too
  const kill = (sig: NodeJS.Signals) => { if (target) try { process.kill(-target.pid, sig); } catch { try { process.kill(target.pid, sig); } catch { /* already gone */ } } };

  // Signals. SIGTERM and SIGHUP pass on to the program (a paused program is then let go). Ctrl+C
  // (SIGINT) pauses the program once it runs; pressed twice within a second, it passes on, as under
  // node. Before the program has run its first line there is nothing to pause: Ctrl+C ends the start
  // (the node being started, or the one about to be). A third signal kills.
  let signalCount = 0;
  const forward = (sig: NodeJS.Signals) => () => {
    signalCount++;
    if (signalCount > 2) return kill('SIGKILL');
    // the signal before the program is let go: one stopped at an uncaught exception would otherwise
    // end with that (exit 1) first
    kill(sig);
    if (session?.current) void session.letGo().catch(() => {});
  };
  for (const sig of ['SIGTERM', 'SIGHUP'] as NodeJS.Signals[]) f.disposers.push(io.onSignal(sig, forward(sig)));
  // The terminal signals its foreground processes, which the program (a session of its own) is not
  // one of: pass on the window size, and stop (Ctrl+Z) and go on (fg) together with it.
  if (process.platform !== 'win32') {
    f.disposers.push(io.onSignal('SIGWINCH', () => kill('SIGWINCH')));
    f.disposers.push(io.onSignal('SIGTSTP', () => { kill('SIGSTOP'); process.kill(process.pid, 'SIGSTOP'); }));
    f.disposers.push(io.onSignal('SIGCONT', () => kill('SIGCONT')));
  }
  // A terminal on stdin is the program's, as under plain node (launch/stdin.ts terminalStdin). The
  // prompt needs the terminal's mode to take it while paused: without stty, stdin is forwarded as a pipe.
  const modes = (io.stdin as { isTTY?: boolean }).isTTY === true && process.platform !== 'win32' ? sttyModes() : null;
  const ourMode = modes?.read() ?? null;
  const terminal = modes !== null && ourMode !== null;
  const forwardInt = forward('SIGINT');
  let onInterrupt: (() => void) | null = null;
  let cancelled = false;
  const cancelStart = () => {
    if (!cancelled) f.say('Ctrl+C before the program started: it will not run');
    cancelled = true;
    forwardInt();
  };
  f.disposers.push(io.onSignal('SIGINT', () => (onInterrupt ? onInterrupt() : session ? forwardInt() : cancelStart())));

  let stdin: StdinRouter | null = null;
  let prompt: Prompt | null = null;
  try {
    session = await launch({
      script: opts.command.script, args: opts.command.scriptArgs, node: opts.command.node, nodeArgs: opts.command.nodeArgs,
      cwd: io.cwd, env: io.env, boundaries: opts.boundaries, spawned: opts.spawned, engine: opts.engine,
      watch: opts.watch, watchPatterns: opts.watchPatterns, poll: opts.poll, breakOn: opts.breakOn,
      stderr: (t) => io.stderr.write(t), stdin: terminal ? 'inherit' : 'pipe',
      onWarning: (m) => f.say(m),
      onSpawn: (t) => { target = t; if (cancelled) kill('SIGINT'); },
      beforeStart: (s) => {
        stdin = terminal ? terminalStdin(io.stdin, modes!, ourMode!, () => new ReadStream((io.stdin as { fd?: number }).fd ?? 0)) : routeStdin(io.stdin, s.program.stdin);
        const quit = async () => {
          // the signal first: let go first, and a program stopped at an uncaught exception would end
          // with it (exit 1) before the signal came (at exit we no longer keep node waiting)
          kill('SIGTERM');
          await s.letGo().catch(() => {});
          setTimeout(() => kill('SIGKILL'), 2000).unref();
        };
        prompt = wire(s, opts, io, f, stdin, quit);
      },
    });
  } catch (err) {
    const e = err as Error & { programExited?: boolean; exitCode?: number };
    if (cancelled) return finish(f, stdin, 130); // as node ended by Ctrl+C; what failed is the start it ended
    if (e.programExited) {
      if (err instanceof UserError) f.say(err.message);
      return finish(f, stdin, e.exitCode ?? 1);
    }
    throw err;
  }
  const s = session;
  started(s, opts, f, `running ${format().displayPath(path.resolve(io.cwd, opts.command.script), io.cwd)}`);
  void s.lostConnection.then(() => {
    f.say("lost the connection to the program's inspector: saves no longer patch and the prompt is off; the program runs on");
    (stdin as StdinRouter | null)?.toProgram();
    onInterrupt = null; // Ctrl+C goes to the program again, as under node
  });
  let lastInterrupt = 0;
  // once the program goes on from a stop the user was shown, the next Ctrl+C is a first one again
  s.on('resumed', () => { lastInterrupt = 0; });
  onInterrupt = () => {
    const now = Date.now();
    const twice = now - lastInterrupt < 1000;
    lastInterrupt = now;
    if (twice) { f.say('ending the program (Ctrl+C twice)'); lastInterrupt = 0; return forwardInt(); }
    if (prompt?.isOpen) return prompt.interrupt();
    f.say(pausingNote(false));
    s.interrupt().catch(() => {});
  };
  const exit = (await s.program.exited) as Exit;
  await s.close();
  return finish(f, stdin, exitCodeOf(exit));
}

/** `edit-continue attach`: the same session on a program that runs on its own; quitting detaches. */
export async function runAttach(opts: AttachAppOptions, io: AppIO): Promise<number> {
  opts = { ...opts, commands: scriptedCommands(opts, io.cwd), commandsFile: null };
  const f = frontend(opts, io);
  let session: (LiveSession & { program: Program }) | null = null;
  let stdin: StdinRouter | null = null;
  let prompt: Prompt | null = null;
  let detached = false;
  let done!: () => void;
  const finished = new Promise<void>((r) => { done = r; });
  const detach = async () => {
    if (detached) return;
    detached = true;
    f.say('detached: the program runs on');
    await session?.close();
    done();
  };
  f.disposers.push(io.onSignal('SIGTERM', () => { void detach(); }), io.onSignal('SIGHUP', () => { void detach(); }));
  let lastInterrupt = 0;
  f.disposers.push(io.onSignal('SIGINT', () => {
    const now = Date.now();
    const twice = now - lastInterrupt < 1000;
    lastInterrupt = now;
    if (twice || !session) { void detach(); return; }
    if (prompt?.isOpen) return prompt.interrupt();
    f.say(pausingNote(true));
    session.interrupt().catch(() => {});
  }));
  session = await attach(typeof opts.target === 'string' ? opts.target : opts.target, {
    cwd: io.cwd, allowRemote: opts.allowRemote, engine: opts.engine,
    watch: opts.watch, watchPatterns: opts.watchPatterns, poll: opts.poll, breakOn: opts.breakOn,
    onWarning: (m) => f.say(m),
    beforeStart: (s) => {
      stdin = routeStdin(io.stdin, null);
      prompt = wire(s, opts, io, f, stdin, detach);
    },
  });
  const s = session;
  s.on('resumed', () => { lastInterrupt = 0; });
  f.say(`attached to process ${s.program.pid ?? '?'} (node ${s.program.nodeVersion}); watching ${s.watchedFiles.length} file(s). Ctrl+C pauses it, twice detaches.`);
  started(s, opts, f, 'attached');
  void s.program.exited.then(() => {
    if (detached) return;
    f.say('the program exited (or closed its inspector)');
    s.exited({ code: null, signal: null });
    done();
  });
  await finished;
  await s.close();
  return finish(f, stdin, 0);
}

async function finish(f: Frontend, stdin: StdinRouter | null, code: number): Promise<number> {
  (stdin as StdinRouter | null)?.dispose();
  for (const d of f.disposers) d();
  await f.events?.close();
  log('exit', code);
  return code;
}

/** The prompt commands of --commands FILE (blank lines and # comments left out), then each -x. */
function scriptedCommands(opts: CommonOptions, cwd: string): string[] {
  const out: string[] = [];
  if (opts.commandsFile) {
    let text: string;
    try { text = fs.readFileSync(path.resolve(cwd, opts.commandsFile), 'utf8'); } catch (err) {
      throw new UserError(`--commands ${opts.commandsFile}: ${(err as Error).message}`);
    }
    out.push(...text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#')));
  }
  return [...out, ...(opts.commands ?? [])];
}
