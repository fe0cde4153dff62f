// Drive the real edit-continue CLI: spawn it, read its output as a user would (ANSI stripped),
// wait for each step with a timeout whose error names the step and shows the output so far.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT_DIR } from './nodes';

export const BIN = path.join(ROOT_DIR, 'bin', 'edit-continue');
export const FIXTURES = path.join(ROOT_DIR, 'fixtures');

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

export interface RunningCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Wait until `re` matches the stream's text after `from` (default: everything so far). */
  waitFor(re: RegExp, opts?: { stream?: 'stdout' | 'stderr'; timeout?: number; step?: string; after?: number }): Promise<RegExpMatchArray>;
  /** Offset to pass as `after` so that only output from now on counts. */
  mark(stream?: 'stdout' | 'stderr'): number;
  send(text: string): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

/** `exe`: how to start edit-continue (default: this node running bin/edit-continue; the package test runs `npx`). */
export function runCli(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; stdin?: 'pipe' | 'ignore'; exe?: string[] } = { cwd: process.cwd() }): RunningCli {
  const [cmd, ...pre] = opts.exe ?? [process.execPath, BIN];
  // edit-continue's own debug log of this run, to a file (not its output, which the tests read): its
  // end is shown when a step times out, to tell a save never seen from one that hung or said nothing
  const debugLog = debugLogFor(opts.env);
  const child = spawn(cmd, [...pre, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: '1', ...(debugLog ? { EDIT_CONTINUE_DEBUG: DEBUG_TAGS, EDIT_CONTINUE_DEBUG_FILE: debugLog } : {}), ...opts.env },
    stdio: [opts.stdin ?? 'pipe', 'pipe', 'pipe'],
  });
  const debugTail = () => (debugLog ? `\n--- edit-continue's debug log (last ${DEBUG_TAIL} lines) ---\n${tailOf(debugLog, DEBUG_TAIL)}` : '');
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const wake = () => { for (const w of [...waiters]) w(); };
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => { out += d.replace(ANSI, ''); wake(); });
  child.stderr!.on('data', (d: string) => { err += d.replace(ANSI, ''); wake(); });
  child.stdin?.on('error', () => {});
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      done = true;
      wake();
      if (debugLog && !process.env.EC_KEEP_DEBUG) fs.rm(debugLog, { force: true }, () => {}); // (EC_KEEP_DEBUG=1 keeps it)
      resolve({ code, signal });
    });
  });
  const cli: RunningCli = {
    child,
    stdout: () => out,
    stderr: () => err,
    mark: (stream = 'stdout') => (stream === 'stdout' ? out.length : err.length),
    waitFor(re, o = {}) {
      const stream = o.stream ?? 'stdout';
      const timeout = o.timeout ?? 15000;
      const text = () => (stream === 'stdout' ? out : err).slice(o.after ?? 0);
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = text().match(re);
          if (m) { cleanup(); resolve(m); return; }
          if (done) { cleanup(); reject(new Error(`${o.step ?? 'waiting'}: edit-continue exited before ${stream} matched ${re}\n--- stdout ---\n${out}\n--- stderr ---\n${err}${debugTail()}`)); }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${o.step ?? 'waiting'}: timed out after ${timeout} ms waiting for ${stream} to match ${re}\n--- stdout ---\n${out}\n--- stderr ---\n${err}${debugTail()}`));
        }, timeout);
        const cleanup = () => { clearTimeout(timer); waiters.delete(check); };
        waiters.add(check);
        check();
      });
    },
    send(text) { child.stdin!.write(text); },
    exited,
    kill(signal = 'SIGTERM') { try { child.kill(signal); } catch { /* gone */ } },
  };
  return cli;
}

/** The tags of edit-continue's debug log each run keeps: what it launched, watched and patched. */
const DEBUG_TAGS = 'launch,app,watch,patch,swap,threads,children,retry';
const DEBUG_TAIL = 60;
let debugLogs = 0;

/** A debug log file for one run, unless the test sets EDIT_CONTINUE_DEBUG itself (it reads that output). */
function debugLogFor(env: NodeJS.ProcessEnv | undefined): string | null {
  if ((env && 'EDIT_CONTINUE_DEBUG' in env) || process.env.EDIT_CONTINUE_DEBUG) return null;
  return path.join(os.tmpdir(), `ec-debug-${process.pid}-${++debugLogs}.log`);
}

function tailOf(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines - 1).join('\n');
  } catch {
    return '(none written)';
  }
}

/** The fixture copies this test file made: removed after its last test (its programs are gone by then). */
const copies: string[] = [];
if (typeof afterAll === 'function') afterAll(() => { for (const dir of copies.splice(0)) fs.rmSync(dir, { recursive: true, force: true }); });

/** A new folder of this test file's (under the system's temporary folder), removed after its last test. */
export function scratchDir(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ec-${name.replace(/\//g, '-')}-`));
  copies.push(dir);
  return dir;
}

/** A fresh copy of a fixture folder (tests edit the files); a nested name is fine (robust/edit/server). */
export function copyFixture(name: string): string {
  const dir = scratchDir(name);
  fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

/** A folder with a test's own program in it (file name → text), removed as fixture copies are. */
export function programDir(name: string, files: Record<string, string>): string {
  const dir = scratchDir(name);
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** Save as editors that write in place do (truncate and write the same inode). */
export function saveInPlace(file: string, text: string): void {
  fs.writeFileSync(file, text);
}

/** Save as vim, VS Code and JetBrains' safe write do: write a temporary file, rename it over. */
export function saveByRename(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

export function edit(file: string, from: string | RegExp, to: string, save: (f: string, t: string) => void = saveInPlace): void {
  const text = fs.readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`edit of ${file}: ${String(from)} not found`);
  save(file, next);
}

/** Wait for a state no output tells (a file's lines, a process state): looked at every 25 ms, up to `ms`. */
export async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; !cond();) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/** No V8 fatal error may ever appear: a target abort is a bug in how we drive V8. */
export function assertNoV8Abort(cli: RunningCli): void {
  const all = cli.stdout() + cli.stderr();
  if (/Check failed|Fatal error|FATAL ERROR|SIGTRAP/.test(all)) throw new Error(`V8 fatal error in output:\n${all}`);
}

/**
 * Start CLIs in a test and, after each test, check them for V8 aborts and kill what is left.
 * Call at describe level.
 */
export function cliPerTest(): (args: string[], cwd: string, stdin?: 'pipe' | 'ignore', env?: NodeJS.ProcessEnv) => RunningCli {
  const running: RunningCli[] = [];
  afterEach(async () => {
    for (const cli of running.splice(0)) {
      assertNoV8Abort(cli);
      cli.kill('SIGKILL');
      await cli.exited;
    }
  });
  return (args, cwd, stdin = 'pipe', env) => {
    const cli = runCli(args, { cwd, stdin, env });
    running.push(cli);
    return cli;
  };
}

/** The CLI's exit, or an error with its output if it has not exited within `ms` (it is then killed). */
export async function exitedWithin(cli: RunningCli, ms: number, what: string): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), ms); });
  const exit = await Promise.race([cli.exited, late]).finally(() => clearTimeout(timer));
  if (exit !== 'late') return exit;
  cli.kill('SIGKILL');
  throw new Error(`${what}: no exit within ${ms / 1000} s\n--- stdout ---\n${cli.stdout()}\n--- stderr ---\n${cli.stderr()}`);
}

/**
 * The end of stderr at an open prompt: `ec> `, and after it any JSON event lines (--json) or debug
 * lines: the `paused` event is written once its frames are read, which can be after the prompt.
 */
/** What node prints of an uncaught error before its stack: `file:line`, the line, a caret and an empty line. */
export const NODE_QUOTE = /^\/[^\n]*:\d+\n[^\n]*\n *\^+\n\n/;

export const PROMPT_END = String.raw`ec> (?:(?:\{"v":1,[^\n]*|\[ec:[a-z-]+\][^\n]*)\n)*$`;

/** Send a line to the CLI's stdin and wait for an answer after it (on stderr, where the prompt writes). */
export async function ask(cli: RunningCli, line: string, expect: RegExp, stream: 'stdout' | 'stderr' = 'stderr'): Promise<RegExpMatchArray> {
  const from = cli.mark(stream);
  cli.send(line + '\n');
  return cli.waitFor(expect, { stream, after: from, step: `answer to '${line}'` });
}

/** Armed before a `cont`: resolves once the program runs again (interruptOutside). */
export type ResumeWaiter = () => () => Promise<unknown>;

/** A `--json` run's `resumed` event on stderr after the `cont`. */
export const resumedOnStderr = (cli: RunningCli): ResumeWaiter => () => {
  const go = cli.mark('stderr');
  return () => cli.waitFor(/"type":"resumed"/, { stream: 'stderr', after: go, step: 'cont' });
};

/** A `--json=FILE` run's `resumed` event in FILE after the `cont`. */
export const resumedInFile = (events: string): ResumeWaiter => () => {
  const count = () => { try { return fs.readFileSync(events, 'utf8').split('"type":"resumed"').length - 1; } catch { return 0; } };
  const before = count();
  return async () => {
    for (let i = 0; i < 400 && count() === before; i++) await new Promise((r) => setTimeout(r, 25));
    if (count() === before) throw new Error(`cont: no resumed event in ${events} within 10 s`);
  };
};

/**
 * Ctrl+C until the program stops outside `file` (in node's code, or edit-continue's no-op of an idle
 * program): the line a test waits for is written while the program's own code still runs or returns,
 * and a Ctrl+C then stops in it (seen in CI). A stop in `file` is left with `cont`, and the next Ctrl+C
 * waits until the program runs again (`resumed`). Returns stderr's mark before the last Ctrl+C.
 */
export async function interruptOutside(cli: RunningCli, file: string, resumed: ResumeWaiter): Promise<number> {
  const inFile = new RegExp(String.raw`paused in [^\n]*\(` + file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') + ':');
  for (let attempt = 1; ; attempt++) {
    const mark = cli.mark('stderr');
    cli.kill('SIGINT');
    await cli.waitFor(new RegExp(String.raw`paused (?:in|while)[\s\S]*` + PROMPT_END), { stream: 'stderr', after: mark, step: `the stop (try ${attempt})` });
    if (!inFile.test(cli.stderr().slice(mark))) return mark;
    if (attempt >= 20) throw new Error(`20 Ctrl+C in a row stopped in ${file}`);
    const running = resumed();
    cli.send('cont\n');
    await running();
  }
}

/** The program edit-continue started: the node under our inspector running `script` in `dir` (from /proc), or null. */
export function runningProgram(dir: string, script: string): number | null {
  const real = fs.realpathSync(dir);
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (cmd.includes(script) && cmd.some((a) => a.startsWith('--inspect=')) && fs.readlinkSync(`/proc/${p}/cwd`) === real) return Number(p);
    } catch { /* gone */ }
  }
  return null;
}
