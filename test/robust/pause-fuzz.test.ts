// Pause-state fuzzing (issue 6): seeded random interleavings of Ctrl+C, breakpoints, exceptions on
// demand, `retry`, `restart N`, `set`, `step`, `next`, `out`, `cont`, `catch`, saves and looking
// around (`p`, `bt`, `frame`), against programs that run on a timer, as async ES-module rounds, and in
// a hot loop that never yields — on every node line.
//
// Each fixture (fixtures/robust/pause/*) prints `tick N …` as it makes progress. While a file named
// 'boom' exists in its folder it throws (uncaught, or caught in the hot loop) and its own handler logs
// `recovered …`, so `cont` at an exception goes on; once 'stop' exists it prints `done N` and ends.
//
// After every command the session must answer (the next prompt, or the program going on) within a
// generous timeout, and a program that runs must make progress or stop at a pause; otherwise that is a
// wedged session. In the end: `catch none`, every breakpoint cleared, the 'boom' file gone, 'stop'
// created, `cont` — the program must finish with exit code 0 and leave nothing behind.
//
// Counts (tally): 'target aborts', 'wedged sessions', 'programs left paused', 'programs left running'
// must be 0; 'commands', 'interrupts', 'exception pauses', 'breakpoint hits', 'retries', … are for
// information. Replay (the line every failure prints): EC_ROBUST_SEED=<seed> EC_ROBUST_ACTIONS=<n> EC_TEST_NODES=<major> EC_TEST_ENGINES=<engine> npx jest test/robust/pause-fuzz.test.ts -t '<fixture>'
import * as fs from 'node:fs';
import * as path from 'node:path';
import { saveByRename, saveInPlace } from '../helpers/cli';
import { fuzzConfigs, fuzzRuns, replayEnv, testConfigs, useEngine } from '../helpers/nodes';
import { Died, Driven, Scenario, STALL_MS, Wedged, WEDGE_MS, copyFixtureDir, sleep, tail } from './fuzz-kit';
import { FRESH, LONG, MUST_BE_ZERO, listedSeed, rng, seedFor } from './tally';

const SUITE = 'pause-fuzz';
const ACTIONS = LONG ? 400 : 40;
/**
 * A scenario whose seed is not a listed regression (tally.ts REGRESSION_SEEDS) runs the first 30 of
 * its actions in npm test (the same 30 as before: the actions are drawn in turn), to keep npm test
 * within its ~12 minutes; a listed one runs all 40, with which its bug was found.
 */
const UNLISTED_ACTIONS = LONG ? 400 : 30;
/** How many actions a scenario runs: as EC_ROBUST_ACTIONS says (a replay line gives it), else as above; fresh seeds (npm run fuzz) all. */
function actionsFor(listed: boolean): number {
  const asked = Number(process.env.EC_ROBUST_ACTIONS);
  if (Number.isInteger(asked) && asked > 0) return asked;
  return listed || FRESH ? ACTIONS : UNLISTED_ACTIONS;
}

interface Fixture {
  name: string;
  dir: string;
  main: string;
  minNode: number;
  /** Exceptions from 'boom' are caught by the program (they stop it only with `catch all`). */
  caught: boolean;
  /** Variables `set` may change without breaking the program, and where. */
  sets: string[];
  /** Expressions to print. */
  prints: string[];
}

const FIXTURES: Fixture[] = [
  { name: 'timer worker', dir: 'robust/pause/worker', main: 'worker.js', minNode: 20, caught: false, sets: ['spare', 'n', 'w', 'total'], prints: ['n', 'total', 'ticks', 'spare * 2', 'typeof w'] },
  { name: 'async es module', dir: 'robust/pause/jobs', main: 'jobs.mjs', minNode: 20, caught: false, sets: ['spare', 'n', 'm', 'total'], prints: ['n', 'total', 'rounds', 'typeof m', 'spare'] },
  { name: 'hot loop', dir: 'robust/pause/spin', main: 'spin.js', minNode: 20, caught: true, sets: ['spare', 'n', 'spins', 'total'], prints: ['n', 'total', 'spins', 'spare'] },
];

const PROGRESS = /^(tick \d+|recovered boom at \d+|done \d+)/;

type Running = 'interrupt' | 'boom' | 'unboom' | 'run' | 'save';
type Paused =
  | 'cont' | 'step' | 'next' | 'out' | 'retry' | 'restart' | 'set' | 'break' | 'clear' | 'catch'
  | 'print' | 'look' | 'boom' | 'unboom' | 'save' | 'ctrl-c';

const RUNNING: [Running, number][] = [['interrupt', 10], ['boom', 5], ['unboom', 2], ['run', 3], ['save', 2]];
const PAUSED: [Paused, number][] = [
  ['cont', 14], ['step', 6], ['next', 6], ['out', 5], ['retry', 7], ['restart', 6], ['set', 5], ['break', 7],
  ['clear', 4], ['catch', 4], ['print', 4], ['look', 4], ['boom', 3], ['unboom', 5], ['save', 4], ['ctrl-c', 2],
];

function weighted<T>(r: ReturnType<typeof rng>, table: [T, number][]): T {
  let x = r.int(table.reduce((s, [, w]) => s + w, 0));
  for (const [k, w] of table) if ((x -= w) < 0) return k;
  return table[0][0];
}

class PauseFuzz {
  readonly r: ReturnType<typeof rng>;
  readonly sc: Scenario;
  readonly problems: string[] = [];
  readonly file: string;
  readonly lines: number;
  d!: Driven;
  mode: 'running' | 'paused' = 'running';
  private pausesSeen = 0;
  private breakpoints = new Set<number>();
  private catchMode: 'uncaught' | 'all' | 'none' = 'uncaught';
  private tune = 0;

  constructor(readonly fx: Fixture, readonly bin: string, readonly node: number, readonly dir: string, seed: number, where: string, readonly actions = ACTIONS) {
    this.r = rng(seed);
    this.sc = new Scenario(SUITE, node, fx.name, seed,
      `EC_ROBUST_SEED=${seed} EC_ROBUST_ACTIONS=${actions} ${where} npx jest test/robust/pause-fuzz.test.ts -t '${fx.name}'`);
    this.file = path.join(dir, fx.main);
    this.lines = fs.readFileSync(this.file, 'utf8').split('\n').length;
  }

  problem(what: string, text: string): void {
    this.sc.add(what);
    this.problems.push(`[${what}] ${text}`);
    this.sc.step(`!! ${what}: ${text.split('\n')[0]}`);
  }

  progressLines(from: number): string[] {
    return this.d.stdout.slice(from).split('\n').slice(1, -1).filter((l) => PROGRESS.test(l));
  }

  pauses(): number { return this.d.events().filter((e) => e.type === 'paused').length; }

  /**
   * Did the program stop since we last looked? A new `paused` event (breakpoint, exception, Ctrl+C),
   * or a prompt after the point where it was let go: a step that let the program run stops it again
   * quietly (steps emit no events), and only the prompt shows it.
   */
  async observe(step: string): Promise<void> {
    const n = this.pauses();
    if (n > this.pausesSeen) {
      this.pausesSeen = n;
      const last = this.d.events().filter((e) => e.type === 'paused').pop()!;
      const reason = String(last.data.reason);
      this.sc.add(reason === 'exception' ? 'exception pauses' : reason === 'break' ? 'breakpoint hits' : reason === 'interrupt' ? 'interrupt pauses' : 'other pauses');
      this.sc.step(`  paused (${reason}) in ${(last.data.frames as { name: string; file: string | null; line: number }[] | undefined)?.[0]?.name ?? '?'}`);
      await this.d.promptOpen(step);
      this.mode = 'paused';
    } else if (this.mode === 'running' && this.d.stderr.indexOf('ec> ', this.runningSince) >= 0) {
      this.sc.step('  stopped (the prompt is open again)');
      this.mode = 'paused';
    }
  }

  /** The program was let go at this stderr offset. */
  private runningSince = 0;

  letGo(errFrom: number): void {
    this.mode = 'running';
    this.runningSince = errFrom;
  }

  /**
   * The program was let go: within STALL_MS it must make progress (print) or stop again (a pause, or
   * the prompt open again). Returns once either is seen.
   */
  async goesOn(step: string, outFrom: number): Promise<void> {
    const r = await this.d.until(() => {
      if (this.d.exit) return 'exit';
      if (this.pauses() > this.pausesSeen) return 'paused';
      if (this.d.stderr.indexOf('ec> ', this.runningSince) >= 0) return 'paused';
      if (this.progressLines(outFrom).length >= 2) return 'progress';
      return null;
    }, STALL_MS);
    if (r === 'exit') throw new Died(`${step}: the program ended (${JSON.stringify(this.d.exit)})`);
    if (!r) throw new Wedged(`${step}: after the program was let go it neither printed nor paused for ${STALL_MS} ms`);
    if (r === 'paused') await this.observe(step);
  }

  // ---- commands at the prompt ----

  async command(line: string, step: string): Promise<string> {
    const outFrom = this.d.cli.mark('stdout');
    const errFrom = this.d.cli.mark('stderr');
    this.sc.step(`ec> ${line}`);
    this.sc.add('commands');
    const a = await this.d.command(line, { progress: () => this.progressLines(outFrom).length >= 2 });
    if (a.kind === 'exited') throw new Died(`${step}: edit-continue exited after '${line}' (${JSON.stringify(this.d.exit)})`);
    const answer = a.text.replace(/\{"v":1,[^\n]*\n/g, '').replace(/ec> /g, '').trim();
    if (answer) this.sc.step(`  ${answer.split('\n').slice(0, 2).join(' | ').slice(0, 160)}`);
    if (a.kind === 'prompt') {
      // still (or again) stopped: a new pause (cont to a breakpoint, a retried call failing again) is counted
      if (line === 'cont' && !this.d.events(errFrom).some((e) => e.type === 'resumed' || e.type === 'paused')) {
        throw new Wedged(`${step}: 'cont' answered with a prompt, and the program neither resumed nor stopped anew: it stays paused\n${tail(a.text, 600)}`);
      }
      await this.observe(step);
      this.mode = 'paused';
      return a.text;
    }
    // the program goes on (resumed, or a step ran on quietly)
    this.letGo(errFrom);
    await this.goesOn(step, outFrom);
    return a.text;
  }

  async pausedAction(kind: Paused, step: string): Promise<void> {
    const r = this.r;
    // a user reads before typing (the answers to our commands then come apart from V8's events: the
    // regression tests of bugs 5, 8 and 9 below)
    if (r.next() < 0.35) await sleep(150 + r.int(350));
    switch (kind) {
      case 'cont': await this.command('cont', step); return;
      case 'step': case 'next': case 'out': await this.command(kind, step); return;
      case 'retry': {
        // at any stop: an exception (the failing function), a breakpoint, a step or Ctrl+C (the function
        // of the program it stopped in), in node's own code (refused, with what to do)
        this.sc.add('retries');
        await this.command('retry', step);
        return;
      }
      case 'restart': {
        // mostly a frame `bt` shows, sometimes any number, node's own (folded) frames too: those are
        // refused; the script's top level (the hot loop's bottom frame) runs its code again
        const bt = await this.command('bt', step);
        if (this.mode !== 'paused') return;
        const shown = [...bt.matchAll(/^[ >]#(\d+) /gm)].map((m) => Number(m[1]));
        const folded = Number(/… (\d+) frames? of node's own code/.exec(bt)?.[1] ?? 0);
        const all = shown.length + folded;
        if (!all) return;
        const n = shown.length && r.next() < 0.7 ? r.pick(shown) : r.int(all);
        this.sc.add('restarts');
        await this.command(`restart ${n}`, step);
        return;
      }
      case 'set': await this.command(`set ${r.pick(this.fx.sets)} = ${r.int(5)}`, step); return;
      case 'print': await this.command(`p ${r.pick(this.fx.prints)}`, step); return;
      case 'look': await this.command(r.pick(['bt', 'list', 'locals', 'up', 'down', 'frame 1', 'breakpoints']), step); return;
      case 'break': {
        const line = 1 + r.int(this.lines);
        const a = await this.command(`break ${this.fx.main}:${line}`, step);
        const n = /breakpoint (\d+) at/.exec(a)?.[1];
        if (n) this.breakpoints.add(Number(n));
        return;
      }
      case 'clear': {
        if (!this.breakpoints.size) return this.pausedAction('break', step);
        const n = r.pick([...this.breakpoints]);
        const a = await this.command(`clear ${n}`, step);
        if (/removed breakpoint/.test(a)) this.breakpoints.delete(n);
        return;
      }
      case 'catch': {
        this.catchMode = r.pick(['uncaught', 'all', 'none', 'uncaught'] as const);
        await this.command(`catch ${this.catchMode}`, step);
        return;
      }
      case 'boom': case 'unboom': this.flag(kind); return;
      case 'save': this.save(); return;
      case 'ctrl-c': {
        this.sc.add('interrupts');
        this.sc.step('Ctrl+C (at the prompt)');
        await this.d.interrupt(step);
        this.pausesSeen = Math.max(this.pausesSeen, this.pauses());
        return;
      }
    }
  }

  flag(kind: 'boom' | 'unboom'): void {
    const f = path.join(this.dir, 'boom');
    if (kind === 'boom') fs.writeFileSync(f, '');
    else fs.rmSync(f, { force: true });
    this.sc.step(kind === 'boom' ? "create 'boom'" : "remove 'boom'");
  }

  /** A harmless body edit (the TUNE line's constant): it may wait (on the stack), and retry applies it. */
  save(): void {
    const text = fs.readFileSync(this.file, 'utf8');
    this.tune = (this.tune + 1 + this.r.int(3)) % 5;
    const next = text.replace(/(\d+)(\)?;? *\/\/ TUNE)$/m, (_m, _n: string, rest: string) => `${this.tune + 1}${rest}`);
    (this.r.next() < 0.5 ? saveInPlace : saveByRename)(this.file, next);
    this.sc.add('saves');
    this.sc.step(`save (TUNE = ${this.tune + 1})`);
  }

  async runningAction(kind: Running, step: string): Promise<void> {
    const outFrom = this.d.cli.mark('stdout');
    await this.observe(step);
    if (this.mode !== 'running') return;
    switch (kind) {
      case 'interrupt': {
        this.sc.add('interrupts');
        this.sc.step('Ctrl+C');
        const r = await this.d.interrupt(step);
        if (r === 'paused') await this.observe(step);
        return;
      }
      case 'boom': case 'unboom': this.flag(kind); break;
      case 'save': this.save(); break;
      case 'run': this.sc.step('let it run'); await sleep(50 + this.r.int(250)); break;
    }
    await this.goesOn(step, outFrom);
  }

  // ---- the run ----

  async start(): Promise<void> {
    this.sessions++;
    this.d = new Driven([this.bin, this.fx.main], this.dir);
    this.sc.step(`start ${this.fx.main} on node ${this.node}`);
    const ok = await this.d.until(() => this.progressLines(0).length >= 2 || this.d.exit, WEDGE_MS);
    if (!ok || this.d.exit) throw new Wedged(`the program did not start:\n${this.d.stderr}`);
  }

  /** The end: no exceptions stop it, no breakpoints, no boom, 'stop' — and it must finish. */
  async finish(): Promise<void> {
    const step = 'finish';
    this.sc.step('finish: stop it, catch none, clear every breakpoint, remove boom, create stop, cont');
    if (this.mode === 'running') {
      const r = await this.d.interrupt(step);
      if (r === 'paused') await this.observe(step);
      this.mode = 'paused';
    }
    await this.command('catch none', step);
    const list = await this.command('breakpoints', step);
    for (const m of list.replace(/ec> /g, '').matchAll(/^\s*(\d+)\s+\S+:\d+/gm)) await this.command(`clear ${m[1]}`, step);
    this.flag('unboom');
    fs.writeFileSync(path.join(this.dir, 'stop'), '');
    for (let attempt = 0; attempt < 3 && !this.d.exit; attempt++) {
      if (this.mode === 'paused') {
        this.sc.step('ec> cont');
        const errFrom = this.d.cli.mark('stderr');
        const a = await this.d.command('cont');
        if (a.kind === 'prompt' && !this.d.events(errFrom).some((e) => e.type === 'resumed' || e.type === 'paused')) {
          throw new Wedged(`the final 'cont' answered with a prompt, and the program stays paused\n${tail(a.text, 600)}`);
        }
        this.letGo(errFrom);
      }
      const r = await this.d.until(() => (this.d.exit ? 'exit' : this.pauses() > this.pausesSeen ? 'paused' : null), WEDGE_MS);
      if (r === 'paused') {
        await this.observe(step);
        this.problem('programs left paused', `after the final cont, with no breakpoint and catch none, the program stopped again:\n${tail(this.d.stderr, 1500)}`);
        continue;
      }
      if (!r) {
        const printing = this.progressLines(Math.max(0, this.d.stdout.length - 2000)).length > 0;
        throw new Wedged(`after the final cont the program did not finish within ${WEDGE_MS} ms (${printing ? 'it still prints' : 'it prints nothing'})`);
      }
    }
    const exit = this.d.exit;
    if (!exit) throw new Wedged('the program did not finish');
    if (exit.code !== 0 || !/^done \d+$/m.test(this.d.stdout)) {
      throw new Died(`the program finished with ${JSON.stringify(exit)}${/^done \d+$/m.test(this.d.stdout) ? '' : ' without printing done'}`);
    }
    this.sc.step(`finished: ${this.d.stdout.trim().split('\n').pop()}, exit 0`);
  }

  /** End this session: no fatal error, and the program must not outlive edit-continue. */
  async close(): Promise<void> {
    const fatal = this.d.fatal();
    if (fatal && !this.problems.some((p) => p.startsWith('[target aborts]'))) this.problem('target aborts', fatal);
    const { leftRunning } = await this.d.stop();
    this.d.dump(`pause-fuzz-${this.fx.name.replace(/\W+/g, '-')}-${this.node}-${this.sessions}-${process.pid}`, this.problems.length > 0);
    if (leftRunning) this.problem('programs left running', 'the program outlived edit-continue');
  }

  private sessions = 0;

  async run(): Promise<void> {
    let open = false;
    try {
      await this.start();
      open = true;
      for (let i = 1; i <= this.actions; i++) {
        const step = `action ${i}`;
        await this.observe(step);
        if (this.mode === 'running') await this.runningAction(weighted(this.r, RUNNING), step);
        else await this.pausedAction(weighted(this.r, PAUSED), step);
        this.sc.add('actions');
        const fatal = this.d.fatal();
        if (fatal) throw new Died(`V8 fatal error after ${step}:\n${fatal}`);
      }
      await this.observe('before finish');
      await this.finish();
    } catch (err) {
      if (err instanceof Wedged) this.problem('wedged sessions', `${err.message}\n${this.d ? await this.d.diagnose() : ''}`);
      else if (err instanceof Died) this.problem('target aborts', `${err.message}\n${tail(this.d?.stderr ?? '', 2500)}\n${tail(this.d?.stdout ?? '', 400)}`);
      else this.problems.push(`[error] ${(err as Error).stack ?? String(err)}`);
    } finally {
      if (this.d && open) await this.close();
      this.sc.record();
    }
  }
}

const TIMEOUT = LONG ? 1_800_000 : 180_000;

// each scenario (fixture × line) on one engine in turn, a listed regression seed with LiveEdit too (nodes.ts fuzzRuns)
const scenario = (fx: Fixture, major: number) => `${SUITE} ${fx.name} ${major}`;
describe.each(fuzzConfigs())('pause fuzz, $label', (config) => { const { bin, major, engine } = config; useEngine(engine);
  const fixtures = FIXTURES.filter((f, i) => major >= f.minNode && fuzzRuns(config, i, listedSeed(scenario(f, major))));
  if (fixtures.length) test.each(fixtures.map((f) => [f.name, f] as const))('%s: random pauses, steps, retries and restarts never abort or wedge it, and it finishes', async (_name, fx) => {
    const seed = seedFor(scenario(fx, major));
    const fz = new PauseFuzz(fx, bin, major, copyFixtureDir(fx.dir), seed, replayEnv(config), actionsFor(listedSeed(scenario(fx, major))));
    await fz.run();
    if (fz.problems.length) throw new Error(`${fz.sc.header()}\n\nproblems:\n${fz.problems.join('\n\n')}`);
    for (const what of MUST_BE_ZERO) expect(`${what}: ${fz.sc.get(what)}`).toBe(`${what}: 0`);
    expect(fz.sc.get('actions')).toBe(fz.actions);
  }, TIMEOUT);
});

// ---- regressions: bugs the fuzz found, each reproduced on its own (they were known bugs 5–10). Each
// failed on the code before its fix; the fuzz's random mix above now exercises them too. ----

/** The user's lines of a stretch of stderr, without the JSON events. */
const said = (text: string) => text.replace(/\{"v":1,[^\n]*\n/g, '');

/** Wait for the program to print progress after an offset in stdout; a problem in words, or null. */
async function goesOn(d: Driven, from: number, what: string): Promise<string | null> {
  const ok = await d.until(() => d.exit || /tick \d+/.test(d.stdout.slice(from)), STALL_MS);
  if (d.exit) return `${what}: the program ended (${JSON.stringify(d.exit)})`;
  if (!ok) return `${what}: the program made no progress for ${STALL_MS} ms`;
  return null;
}

/** Stop the program at a breakpoint on `line` (Ctrl+C first, then `break`, `cont`); the prompt is open. */
async function stopAt(d: Driven, file: string, line: number, fn: string, step: string): Promise<number> {
  await d.interrupt(`${step}: Ctrl+C`);
  const b = await d.command(`break ${file}:${line}`);
  const n = Number(/breakpoint (\d+) at/.exec(b.text)?.[1]);
  if (!n) throw new Error(`${step}: 'break ${file}:${line}' answered ${said(b.text)}`);
  const mark = d.cli.mark('stderr');
  await d.command('cont');
  // the stop's line comes before its `paused` event: wait for both, or promptOpen sees the program
  // still running (the `resumed` of cont is the last event) and the next command takes this prompt
  const hit = () => new RegExp(`breakpoint ${n} in ${fn}`).test(d.stderr.slice(mark)) && d.events(mark).some((e) => e.type === 'paused');
  if (!(await d.until(hit, WEDGE_MS))) throw new Wedged(`${step}: breakpoint ${n} was not hit`);
  await d.promptOpen(`${step}: at the breakpoint`);
  return n;
}

const lineOf = (dir: string, file: string, re: RegExp) => fs.readFileSync(path.join(dir, file), 'utf8').split('\n').findIndex((l) => re.test(l)) + 1;

describe.each(testConfigs())('pause fuzz regressions, $label', (config) => { const { bin, major, engine } = config; useEngine(engine);
  // The quick regressions run with both engines on every line. The five that repeat a race at a
  // person's pace (8 to 11 s each: bugs 5, 8, 9 twice and 10) run on one engine per line in turn, as the
  // fuzz scenarios do (nodes.ts fuzzRuns): each on both engines across the lines, each line both
  // engines across them, all on the stand-in; EC_TEST_MATRIX=full or one engine wanted: everywhere.
  const paced = (i: number) => fuzzRuns(config, i);
  // Found by the CI fuzz (node 24, seed 2770650975): a breakpoint on a line that holds only `}` lands on
  // the end of the function; removing it there and then stepping (next, step or out) aborted the
  // process on node 24 and 26 ("Invalid bytecode", SIGTRAP; SIGABRT on 26) when the function has a
  // try/finally, which retry boundaries give every function. A breakpoint cleared where the program
  // stands is now taken out of V8 once the program has moved on.
  test.each(['next', 'step', 'out'])('clear the breakpoint at a function\'s end where the program stands, then %s: no abort, it goes on', async (how) => {
    const dir = copyFixtureDir('robust/pause/worker');
    const d = new Driven([bin, 'worker.js'], dir);
    try {
      await d.until(() => /tick 3 /.test(d.stdout), WEDGE_MS);
      const end = lineOf(dir, 'worker.js', /^\}, 20\);/) - 1; // the `}` that closes the interval's if
      const n = await stopAt(d, 'worker.js', end, 'setInterval\\(\\) callback', `break ${end}`);
      expect(said((await d.command(`clear ${n}`)).text)).toMatch(new RegExp(`removed breakpoint ${n}`));
      await d.command(how);
      if (d.state === 'paused') await d.command('cont');
      const problem = await goesOn(d, d.cli.mark('stdout'), `after ${how} and cont`);
      expect(d.fatal()).toBeNull();
      if (problem) throw new Error(`${problem}\n${tail(d.stderr, 800)}`);
      // and the cleared breakpoint does not stop it again: three more ticks, each through the
      // function's end where it stood
      const mark = d.cli.mark('stderr');
      const out = d.cli.mark('stdout');
      const ticked = await d.until(() => d.exit !== null || (d.stdout.slice(out).match(/^tick \d+/gm) ?? []).length >= 3, STALL_MS);
      expect({ ticked, exit: d.exit }).toEqual({ ticked: true, exit: null });
      expect(d.events(mark).filter((e) => e.type === 'paused')).toEqual([]);
    } finally {
      await d.stop();
    }
  }, 60000);

  // Bug 5: `cont` when the program stops again at once (here: breakpoints on two lines in a row). V8's
  // 'resumed' event, the new 'paused' event and the answer to Debugger.resume came together; the
  // session handled the answer last and announced a second resume, which closed the prompt of the new
  // stop: the stop was shown, no `ec>` followed, stdin went to the program (wedged). About 1 try in 4
  // hit it. Now a resume is announced only if no new stop came before its answer.
  if (paced(0)) test('bug 5: cont into an immediate breakpoint: the prompt of the new stop opens and answers', async () => {
    const dir = copyFixtureDir('robust/pause/worker');
    const d = new Driven([bin, 'worker.js'], dir);
    try {
      await d.until(() => /tick 3 /.test(d.stdout), WEDGE_MS);
      await d.interrupt('Ctrl+C');
      await d.command('break worker.js:13');
      await d.command('break worker.js:14');
      // the stop must come at once after `cont`, and `cont` after a pause of 200 ms or more (as a
      // person types): then the answer to Debugger.resume arrives together with the new pause
      for (let i = 1; i <= 20; i++) {
        await sleep(300 + (i % 3) * 100);
        const mark = d.cli.mark('stderr');
        await d.command('cont');
        const stop = await d.until(() => d.events(mark).some((e) => e.type === 'paused'), WEDGE_MS);
        if (!stop) throw new Error(`try ${i}: no breakpoint was hit`);
        try {
          await d.promptOpen(`try ${i}`);
          const p = await d.command('p 6 * 7');
          expect(said(p.text)).toMatch(/^42$/m);
        } catch (err) {
          throw new Error(`try ${i}: stopped at a breakpoint: ${(err as Error).message}\n${tail(d.stderr.slice(mark), 1200)}`);
        }
        // one resume for one cont
        expect(d.events(mark).filter((e) => e.type === 'resumed').length).toBe(1);
      }
    } finally {
      await d.stop();
    }
  }, 90000);

  // Bug 6: `restart N` took any frame number, node's own (folded) frames too, where V8 says
  // canBeRestarted: true. Restarting the bottom one (node's run_main_module) ran node's bootstrap again,
  // and the program died with ERR_INTERNAL_ASSERTION at the next `cont`. Now refused, with the frames
  // that can be restarted.
  test('bug 6: restart of a frame of node\'s own code is refused, and the program goes on', async () => {
    const dir = copyFixtureDir('robust/pause/spin');
    const d = new Driven([bin, 'spin.js'], dir);
    try {
      await d.until(() => /tick 3 /.test(d.stdout), WEDGE_MS);
      // Where Ctrl+C lands is not the test's to choose. The bug is about a stop in the loop's own code,
      // where V8 says node's frames below can be restarted; a stop inside a call of node's reached
      // through native code (fs.existsSync, console.log) has V8 refuse every frame itself, so it proves
      // nothing here. Press Ctrl+C again, as a person would, until the program stops in spin.js.
      type Frame = { name: string; file: string | null; internal: boolean };
      let frames: Frame[] = [];
      for (let tries = 1; ; tries++) {
        await d.interrupt(`Ctrl+C #${tries}`);
        frames = d.events().filter((e) => e.type === 'paused').pop()?.data.frames as Frame[];
        if (!frames[0].internal && frames[0].file === 'spin.js') break;
        if (tries === 10) throw new Error(`Ctrl+C stopped the program outside spin.js 10 times in a row (last: ${frames.map((f) => f.name).join(' < ')})`);
        expect((await d.command('cont')).kind).toBe('resumed');
      }
      const bottom = frames.length - 1;
      const main = frames.findIndex((f) => f.name === 'main' && f.file === 'spin.js');
      expect(frames[bottom].internal).toBe(true);
      expect(main).toBeGreaterThanOrEqual(0);
      const answer = await d.command(`restart ${bottom}`);
      expect(answer.kind).toBe('prompt');
      const refused = said(answer.text).match(new RegExp(`restart: frame ${bottom} \\(\\S+\\) is node's own code \\(bt folds it\\)[^\\n]*Frames you can restart: ([\\d, …]+)`));
      expect(refused).not.toBeNull();
      // the program's own frames stay restartable: main() (no native call lies between it and the top)
      expect(refused![1].split(/,\s*/).map(Number)).toContain(main);
      await d.command('cont');
      const from = d.cli.mark('stdout');
      const problem = await goesOn(d, from, `after 'restart ${bottom}' and cont`);
      if (problem) throw new Error(`${problem}\n${tail(d.stderr, 800)}`);
    } finally {
      await d.stop();
    }
  }, 60000);

  // Bug 7: `retry` where the program stopped in node's own code (listOnTimeout, after `out` from a timer
  // callback) restarted that frame ("retrying listOnTimeout"); after it `cont` did nothing, or the
  // program died. Now refused: no function of the program is on the stack there.
  test('bug 7: retry at a stop in node\'s own code is refused, and the program goes on', async () => {
    const dir = copyFixtureDir('robust/pause/worker');
    const d = new Driven([bin, 'worker.js'], dir);
    try {
      await d.until(() => /tick 3 /.test(d.stdout), WEDGE_MS);
      const n = await stopAt(d, 'worker.js', lineOf(dir, 'worker.js', /ticks\+\+/), 'setInterval\\(\\) callback', 'timer callback');
      await d.command(`clear ${n}`);
      const out = await d.command('out');
      if (!/^paused in listOnTimeout|^listOnTimeout \(node:internal\/timers:/m.test(said(out.text))) throw new Error(`'out' from the timer callback did not stop in listOnTimeout; it answered:\n${said(out.text)}\nthe session:\n${tail(d.stderr, 4000)}`);
      const retried = await d.command('retry');
      expect(retried.kind).toBe('prompt');
      expect(said(retried.text)).toMatch(/retry: the program is stopped in node's own code \(listOnTimeout\): no function of yours is on the stack/);
      await d.command('cont');
      const problem = await goesOn(d, d.cli.mark('stdout'), 'after the refused retry and cont');
      if (problem) throw new Error(`${problem}\n${tail(d.stderr, 800)}`);
    } finally {
      await d.stop();
    }
  }, 60000);

  // Bug 8: `restart N`, then `restart 0` at a person's pace: V8's pause at the restarted frame's start
  // came before the answer to Debugger.restartFrame, and the session, handling the answer last, forgot
  // that pause: "(no frame)", and the next `p` never answered. The session now lets go of the pause
  // before it asks. Found with a script's top level (bt's bottom frame), which is now refused: after a
  // top-level restart under a loop the CI fuzz saw a step report a breakpoint the program had not
  // reached and a `cont` go unanswered (node 26, seed 4259116378), and re-running a file's top level
  // sets everything up a second time anyway.
  if (paced(1)) test('bug 8: restart 0 again and again at a person\'s pace: the prompt answers; a script\'s top level is refused', async () => {
    const dir = copyFixtureDir('robust/pause/spin');
    const d = new Driven([bin, 'spin.js'], dir);
    try {
      await d.until(() => /tick 40 /.test(d.stdout), WEDGE_MS); // V8 has optimized the loop by then
      // stop in work(), called from main(), called from the top level (Ctrl+C may land in a call of
      // node's, under which V8 cannot restart frames)
      const n = await stopAt(d, 'spin.js', lineOf(dir, 'spin.js', /^function work/) + 1, 'work', 'in work');
      const bt = said((await d.command('bt')).text);
      const top = Math.max(...[...bt.matchAll(/^[ >]#(\d+) /gm)].map((m) => Number(m[1])));
      expect(bt).toMatch(new RegExp(`^ #${top} \\(anonymous\\) \\(spin\\.js:`, 'm'));
      await sleep(500);
      const r1 = await d.command(`restart ${top}`);
      expect(said(r1.text)).toMatch(new RegExp(`frame ${top} is the top level of spin\\.js: restarting it would run the file's code again[^\\n]*Frames you can restart: 0, 1`));
      expect(said((await d.command('p 6 * 7', { timeout: 5000 })).text)).toMatch(/^42$/m);
      for (let i = 1; i <= 6; i++) {
        await sleep(500);
        const mark = d.cli.mark('stderr');
        try {
          const r = await d.command('restart 0', { timeout: 5000 });
          expect(said(r.text)).toMatch(/restarted frame 0; stopped at its start[^\n]*\nwork \(spin\.js:19:/);
          await sleep(500);
          const p = await d.command('p 6 * 7', { timeout: 5000 });
          expect(said(p.text)).toMatch(/^42$/m);
        } catch (err) {
          throw new Error(`try ${i}: 'restart 0': ${(err as Error).message}\n${tail(d.stderr.slice(mark), 800)}`);
        }
      }
      await d.command(`clear ${n}`);
      await d.command('cont');
      const problem = await goesOn(d, d.cli.mark('stdout'), 'after cont');
      if (problem) throw new Error(`${problem}\n${tail(d.stderr, 800)}`);
    } finally {
      await d.stop();
    }
  }, 90000);

  // Bug 9: `retry` at a stop that is not an exception could wedge the session: the same late answer as
  // in bug 8 (Debugger.restartFrame's) made the session forget the pause, so its resume did nothing:
  // 'retrying weigh', the prompt open, the program stopped, and `p` never answered. At a breakpoint or
  // Ctrl+C, retry runs the function the program stopped in again from its start and goes on.
  if (paced(2)) test('bug 9: retry at a breakpoint (kept or cleared) and at Ctrl+C runs the function again and goes on', async () => {
    const dir = copyFixtureDir('robust/pause/worker');
    const d = new Driven([bin, 'worker.js'], dir);
    try {
      await d.until(() => /tick 3 /.test(d.stdout), WEDGE_MS);
      for (let i = 1; i <= 8; i++) {
        const keep = i % 2 === 0;
        const n = await stopAt(d, 'worker.js', 13, 'weigh', `try ${i}`);
        if (!keep) await d.command(`clear ${n}`);
        await sleep(500); // a person's pace
        const mark = d.cli.mark('stderr');
        const outFrom = d.cli.mark('stdout');
        try {
          const r = await d.command('retry', { timeout: 5000 });
          expect(said(r.text)).toMatch(/retrying weigh/);
          if (keep) {
            // the breakpoint stops the next tick: a new stop whose prompt answers
            await d.until(() => d.events(mark).some((e) => e.type === 'paused'), WEDGE_MS);
            await d.promptOpen(`try ${i}: the next tick's breakpoint`);
            expect(said((await d.command('p 6 * 7', { timeout: 5000 })).text)).toMatch(/^42$/m);
            await d.command(`clear ${n}`);
            await d.command('cont');
          }
          const problem = await goesOn(d, outFrom, 'after retry');
          if (problem) throw new Error(problem);
        } catch (err) {
          throw new Error(`try ${i} (breakpoint ${keep ? 'kept' : 'cleared'}): ${(err as Error).message}\n${tail(d.stderr.slice(mark), 800)}`);
        }
        await sleep(300);
      }
    } finally {
      await d.stop();
    }
  }, 120000);

  if (paced(3)) test('bug 9: retry at Ctrl+C in a hot loop runs the innermost function again; the program goes on and stops again', async () => {
    const dir = copyFixtureDir('robust/pause/spin');
    const d = new Driven([bin, 'spin.js'], dir);
    try {
      await d.until(() => /tick 20 /.test(d.stdout), WEDGE_MS);
      let retried = 0;
      for (let i = 1; i <= 8 && retried < 4; i++) {
        await d.interrupt(`try ${i}: Ctrl+C`);
        await sleep(500);
        const mark = d.cli.mark('stderr');
        const outFrom = d.cli.mark('stdout');
        try {
          const r = await d.command('retry', { timeout: 5000 });
          // Ctrl+C may land in node's own code (console.log's) under main: V8 then cannot restart main
          // ("a native call lies between"); that refusal is right, the prompt answers, and cont goes on
          if (r.kind === 'prompt' && /cannot be restarted \(a native call lies between/.test(said(r.text))) {
            expect(said((await d.command('p 6 * 7', { timeout: 5000 })).text)).toMatch(/^42$/m);
            await d.command('cont');
            const problem = await goesOn(d, outFrom, 'after a refused retry and cont');
            if (problem) throw new Error(problem);
            continue;
          }
          expect(r.kind).not.toBe('prompt');
          retried++;
          await d.until(() => /retrying \w+/.test(d.stderr.slice(mark)), WEDGE_MS);
          expect(said(d.stderr.slice(mark))).toMatch(/retrying (pace|work|main)\b/);
          const problem = await goesOn(d, outFrom, 'after retry');
          if (problem) throw new Error(problem);
        } catch (err) {
          throw new Error(`try ${i}: ${(err as Error).message}\n${tail(d.stderr.slice(mark), 800)}`);
        }
      }
      expect(retried).toBeGreaterThanOrEqual(2);
      await d.interrupt('Ctrl+C at the end');
      expect(said((await d.command('p 6 * 7', { timeout: 5000 })).text)).toMatch(/^42$/m);
    } finally {
      await d.stop();
    }
  }, 120000);

  // Bug 10: `out` (or `next`) across an `await` ends only when the async function goes on: V8 keeps
  // that step while another stop comes first (the breakpoint, in the next round's call), and a resume
  // from there does not cancel it. After `cont` the program then stopped on its own, with no
  // breakpoint and `catch none`, "at a debugger statement" that does not exist. The session now lets
  // such a leftover step go (docs/v8.md).
  if (paced(4)) test('bug 10: out from an async function at its first line answers, and nothing stops the program after cont', async () => {
    const dir = copyFixtureDir('robust/pause/jobs');
    const d = new Driven([bin, 'jobs.mjs'], dir);
    try {
      await d.until(() => /tick 3 /.test(d.stdout), WEDGE_MS);
      await d.interrupt('Ctrl+C');
      await d.command('catch none');
      await d.command('cont');
      const line = lineOf(dir, 'jobs.mjs', /^async function measure/);
      let crossed = 0;
      for (let i = 1; i <= 6; i++) {
        // odd tries: the breakpoint stays while `out` runs (the next round's call stops there first)
        const keep = i % 2 === 1;
        const n = await stopAt(d, 'jobs.mjs', line, 'measure', `try ${i}`);
        if (!keep) await d.command(`clear ${n}`);
        await sleep(500); // a person's pace
        const mark = d.cli.mark('stderr');
        let problem: string | null = null;
        try {
          const o = await d.command('out', { timeout: 6000 });
          let from = d.cli.mark('stderr');
          let outFrom = d.cli.mark('stdout');
          if (o.kind === 'prompt') {
            if (/breakpoint \d+ in measure/.test(said(o.text))) crossed++;
            else if (!/^work \(jobs\.mjs:/m.test(said(o.text))) throw new Error(`'out' stopped neither in work nor at the breakpoint:\n${said(o.text)}`);
            if (keep) await d.command(`clear ${n}`);
            await sleep(300);
            from = d.cli.mark('stderr'); // V8's leftover step stopped it within moments of the cont
            outFrom = d.cli.mark('stdout');
            await d.command('cont', { timeout: 5000 });
          } else if (keep) {
            throw new Error(`'out' let the program go with breakpoint ${n} kept`);
          }
          // A step left over ends when the async function it was in goes on, before that round prints
          // its tick: three more rounds, or a stop, settle it.
          const settled = await d.until(() => d.exit !== null || d.events(from).some((e) => e.type === 'paused') || d.stderr.indexOf('ec> ', from) >= 0
            || (d.stdout.slice(outFrom).match(/^tick \d+/gm) ?? []).length >= 3, STALL_MS);
          if (d.exit) problem = `the program ended (${JSON.stringify(d.exit)})`;
          else if (d.events(from).some((e) => e.type === 'paused')) problem = 'the program stopped again with no breakpoint and catch none';
          else if (!settled) problem = `the program made no progress for ${STALL_MS} ms after cont`;
          else if (d.stderr.indexOf('ec> ', from) >= 0) problem = 'the prompt opened again with no breakpoint';
        } catch (err) {
          problem = (err as Error).message;
        }
        if (problem) throw new Error(`try ${i} (breakpoint ${keep ? 'kept' : 'cleared'} during out): ${problem}\n${tail(d.stderr.slice(mark), 1500)}`);
      }
      // the case that left V8's step behind was reached (the breakpoint stopped the next round first)
      expect(crossed).toBeGreaterThan(0);
    } finally {
      await d.stop();
    }
  }, 120000);
});
