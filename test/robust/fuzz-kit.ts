// Shared by the edit and pause fuzzers (edit-fuzz.test.ts, pause-fuzz.test.ts): an edit-continue CLI
// driven as a user would, that knows from its --json events whether the program is paused or running;
// waits with generous timeouts whose expiry means a wedged session; counts per scenario; and a log of
// the steps so far that every failure prints with the seed that replays it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES, copyFixture, isAlive, runCli, type RunningCli } from '../helpers/cli';
import { MUST_BE_ZERO, tally } from './tally';

/** No answer within this is a wedged session (generous: CPU is shared with other suites). */
export const WEDGE_MS = 20000;
/**
 * A running program that prints nothing for this long has stopped making progress. As long as
 * WEDGE_MS: every wait of the fuzzers ends as soon as what it waits for comes, so a long ceiling costs
 * a passing run nothing, and on a loaded 2-core machine (CI runs two suites at once, load 8–11) a
 * shorter one can expire on a session that is only slow.
 */
export const STALL_MS = WEDGE_MS;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The session stopped answering (a wedged session): the scenario cannot go on. */
export class Wedged extends Error {}
/** The program ended when it should not have (counted as a target abort). */
export class Died extends Error {}

/** A fresh copy of a fixture folder under fixtures/ (a nested name is fine: robust/edit/server). */
export const copyFixtureDir = copyFixture;

const V8_FATAL = /Check failed|Fatal error|FATAL ERROR|SIGTRAP|Debug check failed|Illegal instruction|Segmentation fault/;

export interface EcEvent {
  type: string;
  /** Offset in stderr just after the event's line. */
  end: number;
  data: Record<string, unknown>;
}

/** Exit codes of a program ended by a fatal signal: SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV. */
const FATAL_CODES = new Set([132, 133, 134, 135, 136, 139]);

export function isFatalExit(e: { code: number | null; signal: NodeJS.Signals | null }): boolean {
  return (e.code !== null && FATAL_CODES.has(e.code)) || ['SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGSEGV'].includes(e.signal ?? '');
}

/** An edit-continue CLI run with --json (events on stderr, beside the text a user reads). */
export class Driven {
  readonly cli: RunningCli;
  exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private lastSigint = 0;

  constructor(args: string[], readonly cwd: string) {
    this.cli = runCli(['--json', ...args], { cwd });
    void this.cli.exited.then((e) => { this.exit = e; });
  }

  get stderr(): string { return this.cli.stderr(); }
  get stdout(): string { return this.cli.stdout(); }

  /** The JSON events after an offset in stderr, in order. */
  events(after = 0): EcEvent[] {
    const text = this.cli.stderr();
    const out: EcEvent[] = [];
    const re = /\{"v":1,"type":"([a-z-]+)"[^\n]*\}\n/g;
    re.lastIndex = after;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text))) {
      let data: Record<string, unknown> = {};
      try { data = JSON.parse(m[0].trim()) as Record<string, unknown>; } catch { /* a torn line: keep the type */ }
      out.push({ type: m[1], end: m.index + m[0].length, data });
    }
    return out;
  }

  /** The program's pid (from the `started` event). */
  get pid(): number | null {
    const e = this.events().find((x) => x.type === 'started');
    return typeof e?.data.pid === 'number' ? e.data.pid : null;
  }

  /** Paused or running, from the last paused/resumed event; exited once the CLI has. */
  get state(): 'paused' | 'running' | 'exited' {
    if (this.exit) return 'exited';
    const last = this.events().filter((e) => e.type === 'paused' || e.type === 'resumed' || e.type === 'exited').pop();
    if (!last) return 'running';
    return last.type === 'paused' ? 'paused' : last.type === 'resumed' ? 'running' : 'exited';
  }

  /**
   * Where the output of the last pause can begin (-1: no pause yet): after the `paused` or `resumed`
   * event before its own `paused` event, and after the last thing we sent (a command, Ctrl+C), since a
   * new stop and its prompt come after what led to it. edit-continue writes a pause's `paused` event
   * and renders its prompt concurrently, in no promised order: where the stop's frames have no line of
   * the program to show (a library's code, edit-continue's own preload) and their text is not fetched
   * yet, the prompt's `ec> ` comes before the event. So the prompt of a pause is looked for from here,
   * not from after its event (that waited 20 s for a prompt that was already open: a wedge).
   */
  lastPauseBegan(): number {
    const evs = this.events().filter((e) => e.type === 'paused' || e.type === 'resumed');
    let i = evs.length - 1;
    while (i >= 0 && evs[i].type !== 'paused') i--;
    if (i < 0) return -1;
    return Math.min(Math.max(i > 0 ? evs[i - 1].end : 0, this.inputAt), evs[i].end);
  }

  /** Offset in stderr when we last sent something (a command line, Ctrl+C). */
  private inputAt = 0;

  /** The prompt of the last pause is open (its `ec> ` came, before or after its `paused` event). */
  promptOfLastPause(): boolean {
    const began = this.lastPauseBegan();
    return began >= 0 && this.cli.stderr().indexOf('ec> ', began) >= 0;
  }

  /** A fatal V8 error anywhere in the output so far. */
  fatal(): string | null {
    const all = this.cli.stdout() + this.cli.stderr();
    const m = V8_FATAL.exec(all);
    if (m) return all.slice(Math.max(0, m.index - 300), m.index + 700);
    if (this.exit && isFatalExit(this.exit)) return `edit-continue exited with ${this.exit.code ?? this.exit.signal}`;
    return null;
  }

  /** Poll until `pred` gives a value, or time out (null). */
  async until<T>(pred: () => T | null | undefined | false, timeout: number, every = 15): Promise<T | null> {
    const end = Date.now() + timeout;
    for (;;) {
      const v = pred();
      if (v) return v;
      if (Date.now() > end) return null;
      await sleep(every);
    }
  }

  /** Wait until the prompt is open for the last pause (the `ec> ` after its event). */
  async promptOpen(step: string, timeout = WEDGE_MS): Promise<void> {
    const ok = await this.until(() => {
      if (this.exit) return 'exit';
      if (this.state === 'paused' && this.promptOfLastPause()) return 'open';
      if (this.state === 'running') return 'running';
      return null;
    }, timeout);
    if (ok === 'exit') throw new Died(`${step}: edit-continue exited (${JSON.stringify(this.exit)})`);
    if (!ok) throw new Wedged(`${step}: the program paused but the prompt did not open within ${timeout} ms`);
  }

  /**
   * Send a command at the prompt and wait for its answer: the next prompt, the program going on (a
   * `resumed` event, or new output when a step ran on quietly), or the end.
   */
  async command(line: string, opts: { timeout?: number; progress?: () => boolean } = {}): Promise<{ kind: 'prompt' | 'resumed' | 'running' | 'exited'; text: string }> {
    const mark = this.cli.mark('stderr');
    this.inputAt = mark;
    this.cli.send(line + '\n');
    const timeout = opts.timeout ?? WEDGE_MS;
    const kind = await this.until<'prompt' | 'resumed' | 'running' | 'exited'>(() => {
      const text = this.cli.stderr();
      if (text.indexOf('ec> ', mark) >= 0) return 'prompt';
      if (this.events(mark).some((e) => e.type === 'resumed')) return 'resumed';
      if (this.exit) return 'exited';
      if (opts.progress?.()) return 'running';
      return null;
    }, timeout);
    if (!kind) throw new Wedged(`no answer to '${line}' within ${timeout} ms`);
    return { kind, text: this.cli.stderr().slice(mark) };
  }

  /**
   * Ctrl+C: a SIGINT to the CLI. Two within a second end the program (as under node), so a second one
   * waits until more than a second has passed since the first was seen to take effect.
   */
  async interrupt(step: string): Promise<'paused' | 'noted'> {
    // before its `started` event edit-continue passes Ctrl+C on to the program, as node would (the
    // program may already print then)
    if (!(await this.until(() => this.exit !== null || this.events().some((e) => e.type === 'started'), WEDGE_MS))) throw new Wedged(`${step}: edit-continue never said 'started'`);
    const gap = Date.now() - this.lastSigint;
    if (gap < 1300) await sleep(1300 - gap);
    const mark = this.cli.mark('stderr');
    const wasPaused = this.state === 'paused';
    this.inputAt = mark;
    this.cli.kill('SIGINT');
    const r = await this.until<'paused' | 'noted' | 'exit'>(() => {
      if (this.exit) return 'exit';
      const text = this.cli.stderr();
      if (wasPaused && text.indexOf('(the program is paused', mark) >= 0 && text.indexOf('ec> ', mark) >= 0) return 'noted';
      // a step of ours was on its way and the program ran (a step across a loop): the Ctrl+C ends the
      // step where the program is, and the step's answer is the prompt (no `paused` event: a step's
      // stops have none)
      const ended = text.indexOf('before the step ended', mark);
      if (wasPaused && ended >= 0 && text.indexOf('ec> ', ended) >= 0) return 'noted';
      // the prompt may come before or after the `paused` event (lastPauseBegan)
      if (this.events(mark).some((e) => e.type === 'paused') && this.promptOfLastPause()) return 'paused';
      return null;
    }, WEDGE_MS);
    this.lastSigint = Date.now();
    if (r === 'exit') throw new Died(`${step}: edit-continue exited after Ctrl+C (${JSON.stringify(this.exit)})`);
    if (!r) throw new Wedged(`${step}: Ctrl+C did not pause the program (no prompt within ${WEDGE_MS} ms)`);
    return r;
  }

  /**
   * What a wedge verdict prints, so that a failure in CI explains itself: the session's state as its
   * --json events tell it (paused or running, the last events, whether the prompt is open), whether
   * the program and edit-continue still live and whether they use CPU (a program stopped in V8's pause
   * loop with nothing dispatched spins; an idle or stopped one does not), and the last 40 lines of
   * edit-continue's stderr (its reports and -v lines) and of stdout (the program's output).
   */
  async diagnose(): Promise<string> {
    const events = this.events();
    const promptOpen = this.promptOfLastPause();
    const recent = events.slice(-6).map((e) => {
      const t = typeof e.data.time === 'string' ? e.data.time.slice(11, 23) : '?';
      const what = [e.data.reason, typeof e.data.file === 'string' ? path.basename(e.data.file) : null].filter((x) => typeof x === 'string').join(' ');
      return `${t} ${e.type}${what ? ` (${what})` : ''}`;
    });
    const pid = this.pid;
    const [program, controller] = await Promise.all([cpuUse(pid), cpuUse(this.cli.child.pid ?? null)]);
    const lines = (text: string) => text.split('\n').slice(-41).join('\n');
    return [
      `session at the wedge (${new Date().toISOString().slice(11, 23)}): ${this.state}${this.state === 'paused' ? `, prompt ${promptOpen ? 'open' : 'not open'}` : ''}; last events: ${recent.join(', ') || 'none'}`,
      `program (pid ${pid ?? '?'}): ${program}; edit-continue (pid ${this.cli.child.pid ?? '?'}): ${controller}`,
      `--- edit-continue's stderr, last 40 lines ---\n${lines(this.cli.stderr())}`,
      `--- stdout, last 40 lines ---\n${lines(this.cli.stdout())}`,
    ].join('\n');
  }

  /** Keep the whole output in a file (its path is printed): always with EC_ROBUST_DEBUG set, else when `failed`. */
  dump(name: string, failed = false): void {
    if (!process.env.EC_ROBUST_DEBUG && !failed) return;
    const file = path.join(os.tmpdir(), `${name}.log`);
    fs.writeFileSync(file, `--- stdout ---\n${this.cli.stdout()}\n--- stderr ---\n${this.cli.stderr()}\n`);
    process.stderr.write(`output kept in ${file}\n`);
  }

  /** End the CLI (SIGTERM, then SIGKILL) and say whether the program outlived it. */
  async stop(): Promise<{ leftRunning: boolean }> {
    const pid = this.pid;
    if (!this.exit) {
      this.cli.kill('SIGTERM');
      const done = await this.until(() => this.exit !== null, 10000, 25);
      if (!done) { this.cli.kill('SIGKILL'); await this.cli.exited; }
    }
    // edit-continue gives the program SIGTERM and, 3 s later, SIGKILL: allow for that
    const gone = pid === null ? true : await this.until(() => !isAlive(pid), 5000, 50);
    if (!gone && pid !== null) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    return { leftRunning: !gone };
  }
}

/** Counts and the step log of one scenario (one fixture on one node line). */
export class Scenario {
  readonly counts = new Map<string, number>();
  readonly steps: string[] = [];
  private readonly started = Date.now();

  constructor(readonly suite: string, readonly node: number, readonly name: string, readonly seed: number, readonly replay: string) {
    for (const what of MUST_BE_ZERO) this.counts.set(what, 0);
  }

  add(what: string, n = 1): void { this.counts.set(what, (this.counts.get(what) ?? 0) + n); }
  get(what: string): number { return this.counts.get(what) ?? 0; }

  step(text: string): void {
    const line = `${((Date.now() - this.started) / 1000).toFixed(1)}s ${text}`;
    this.steps.push(line);
    if (process.env.EC_ROBUST_DEBUG) process.stderr.write(`[${this.name} node ${this.node}] ${line}\n`);
  }

  /** What every failure message starts with: how to replay it, and what was done. */
  header(): string {
    return `${this.suite} ${this.name} on node ${this.node}, seed ${this.seed}\nreplay: ${this.replay}\nsteps so far:\n  ${this.steps.join('\n  ')}`;
  }

  /** Write the counts to the suite's tally (the seed goes with any count that must be 0 and is not). */
  record(): void {
    const failed = (MUST_BE_ZERO as readonly string[]).some((w) => this.get(w) > 0);
    for (const [what, n] of this.counts) {
      tally({ suite: this.suite, node: this.node, what, n, ...(failed ? { seed: this.seed, replay: this.replay } : {}) });
    }
  }
}

/**
 * Whether a process lives and works: its state in /proc (R running, S sleeping, T stopped, Z zombie)
 * and the CPU it used over half a second (Linux; elsewhere only whether it lives).
 */
export async function cpuUse(pid: number | null): Promise<string> {
  if (pid === null) return 'pid unknown';
  if (!isAlive(pid)) return 'gone';
  const ticks = (): { state: string; cpu: number } | null => {
    try {
      // the fields after the command's closing parenthesis: state is the first, utime and stime the 12th and 13th
      const rest = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
      return { state: rest[0], cpu: Number(rest[11]) + Number(rest[12]) };
    } catch { return null; }
  };
  const a = ticks();
  if (!a) return 'alive';
  await sleep(500);
  const b = ticks();
  if (!b) return 'ended while looked at';
  // clock ticks are 1/100 s on Linux: ticks over 0.5 s, as a share of one core
  return `state ${b.state}, ${Math.round(((b.cpu - a.cpu) / 50) * 100)}% of a core over 0.5 s`;
}

/** Short text of what went wrong, for messages. */
export function tail(text: string, n = 3000): string {
  return text.length > n ? '…' + text.slice(-n) : text;
}
