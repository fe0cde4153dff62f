// The pause prompt, end to end on every supported node line: the real CLI driven through its
// stdin/stderr, real programs stopped by exceptions and Ctrl+C, files fixed as a user would.
import * as fs from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import * as path from 'node:path';
import { PROMPT_END, ask, cliPerTest, copyFixture, edit, programDir, runningProgram, saveByRename, type RunningCli, scratchDir } from '../helpers/cli';
import { testConfigs, testNodes, useEngine } from '../helpers/nodes';

const FIX = ['const spec = item.spec;', 'const spec = item.spec ?? { weight: 1 };'] as const;
// 10·1 + 20·2 + 30·3 + 1·4 + 50·5 + 60·6, with the fix giving item 4 a weight of 1
const TOTAL = 'total 754 processed 1,2,3,4,5,6';

const prompt = (cli: RunningCli, after: number, step: string) => cli.waitFor(new RegExp(PROMPT_END), { stream: 'stderr', after, step });

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/**
 * Ctrl+C pauses the program once edit-continue has said `started` (the --json event); before that it
 * passes Ctrl+C on to the program, as node would. The program may print before then, so a test that
 * presses Ctrl+C after the program's first line waits for this first.
 */
const ready = (cli: RunningCli) => cli.waitFor(/\{"v":1,"type":"started"/, { stream: 'stderr', step: 'edit-continue started' });

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** The program: the node under our inspector running `script` in the test's own folder. */
function programPid(dir: string, script: string): number {
  const pid = runningProgram(dir, script);
  if (pid === null) throw new Error(`no program running ${script} in ${dir}`);
  return pid;
}

/** CPU time a process has used, user and system, in ms (/proc/<pid>/stat fields 14 and 15). */
function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
}

/**
 * Wait until the program has spent `ms` of CPU since now: a program that printed its last line and
 * went into a loop that prints nothing is then in that loop, past the console.log, and V8 has run it
 * hot enough to optimize it. CPU time, not wall time: on a loaded machine the wait is longer.
 */
async function busyFor(dir: string, script: string, ms: number): Promise<void> {
  const pid = programPid(dir, script);
  const from = cpuMs(pid);
  const end = Date.now() + 20000;
  while (cpuMs(pid) - from < ms) {
    if (Date.now() > end) throw new Error(`${script} did not run ${ms} ms of CPU within 20 s (it is not in its loop)`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(testConfigs())('$label', ({ bin, major, engine }) => { useEngine(engine);
  const start = cliPerTest();

  // CommonJS, async, an ES module, and TypeScript where node runs it (22+)
  const jobs = ['job.js', 'job-async.js', 'job-async.mjs', ...(major >= 22 ? ['job.ts'] : [])];
  test.each(jobs)('%s throws at item 4 of 6: fix the file, retry, and the job finishes with every item once', async (script) => {
    const dir = copyFixture('retry');
    const cli = start([bin, script], dir);
    await cli.waitFor(/item 3 done/, { step: 'items 1-3' });
    await cli.waitFor(/TypeError: Cannot read properties of undefined \(reading 'weight'\)\n\s+at work \(job[\w-]*\.[mc]?[jt]s:\d+:15\)/, { stream: 'stderr', step: 'exception shown' });
    await prompt(cli, 0, 'prompt');
    expect(cli.stderr()).toMatch(/> +\d+ \|   return spec\.weight \* item\.id;\n +\| +\^/);
    expect(cli.stderr()).toMatch(/locals: item = \{ id: 4, spec: undefined \}, spec = undefined/);

    const mark = cli.mark('stderr');
    edit(path.join(dir, script), FIX[0], FIX[1], saveByRename);
    if (engine === 'swap') {
      // the swap engine installs at once (new calls take the new code); retry calls work again
      await cli.waitFor(/patched job[\w-]*\.[mc]?[jt]s: work\n/, { stream: 'stderr', after: mark, step: 'save while paused applies' });
      await ask(cli, 'retry', /retrying work|calling work again/);
    } else {
      // LiveEdit cannot change a function on the stack: it waits (EC301), and retry applies it
      await cli.waitFor(/waiting job[\w-]*\.[mc]?[jt]s: work is running/, { stream: 'stderr', after: mark, step: 'save while paused waits' });
      const atRetry = cli.mark('stderr');
      await ask(cli, 'retry', /patched job[\w-]*\.[mc]?[jt]s: work/);
      await cli.waitFor(/retrying work|calling work again/, { stream: 'stderr', after: atRetry, step: 'retried' });
      // the patch is retry's, which runs work again with it: nothing says work goes on with the old code
      expect(cli.stderr().slice(atRetry)).not.toMatch(/goes on with the code it started with/);
    }
    await cli.waitFor(new RegExp(TOTAL), { step: 'job finishes' });
    const exit = await cli.exited;
    expect(exit.code).toBe(0);
    for (const id of [1, 2, 3, 4, 5, 6]) expect(count(cli.stdout(), `item ${id} done`)).toBe(1);
  });

  test('retry a method called from a timer, then an event handler: both run again and the timer goes on', async () => {
    const dir = copyFixture('retry');
    const file = path.join(dir, 'ticks.js');
    const cli = start([bin, 'ticks.js'], dir);
    await cli.waitFor(/TypeError: Cannot read properties of undefined \(reading 'v'\)\n\s+at record \(ticks\.js:11:/, { stream: 'stderr', step: 'method fails at tick 3' });
    await prompt(cli, 0, 'prompt 1');
    edit(file, 'this.readings.push(value.v);', 'this.readings.push((value ?? { v: 0 }).v);');
    let mark = cli.mark('stderr');
    await ask(cli, 'retry', /retrying record/);
    await cli.waitFor(/TypeError: Cannot read properties of null \(reading 'toUpperCase'\)\n\s+at Meter\.record|TypeError: Cannot read properties of null \(reading 'toUpperCase'\)/, { stream: 'stderr', after: mark, step: 'handler fails at tick 5' });
    mark = cli.mark('stderr');
    await prompt(cli, mark - 5, 'prompt 2');
    edit(file, 'seen.push(label.toUpperCase());', "seen.push((label ?? 'none').toUpperCase());", saveByRename);
    await ask(cli, 'retry', /retrying/);
    await cli.waitFor(/readings 1,2,0,4,5,6 seen T1,T2,T3,T4,NONE,T6/, { step: 'timer finishes' });
    expect((await cli.exited).code).toBe(0);
  });

  test.each(['job.js', 'job-async.js'])('%s: a retry that fails again stops again, and a second fix finishes the job', async (script) => {
    const dir = copyFixture('retry');
    const file = path.join(dir, script);
    const cli = start([bin, script], dir);
    await prompt(cli, 0, 'first stop');
    edit(file, FIX[0], 'const spec = item.spec.inner;');
    let mark = cli.mark('stderr');
    cli.send('retry\n');
    await cli.waitFor(/TypeError: Cannot read properties of undefined \(reading 'inner'\)[^\n]*\n\s+at work/, { stream: 'stderr', after: mark, step: 'the retried call fails again' });
    await prompt(cli, mark, 'second stop');
    // sync: stopped in the failing frame again; async: the failed call is over, its error is shown
    if (script === 'job.js') await ask(cli, 'p item.id', /(?:^|> )4$/m);
    else expect(cli.stderr().slice(mark)).toMatch(/> +8 \|   const spec = item\.spec\.inner;[\s\S]*`retry` to call it again/);
    edit(file, 'const spec = item.spec.inner;', FIX[1]);
    mark = cli.mark('stderr');
    await ask(cli, 'retry', /patched job[\w-]*\.[mc]?[jt]s: work/);
    await cli.waitFor(new RegExp(TOTAL), { step: 'job finishes' });
    expect((await cli.exited).code).toBe(0);
    for (const id of [1, 2, 3, 4, 5, 6]) expect(count(cli.stdout(), `item ${id} done`)).toBe(1);
  });

  test("an exception in a derived class's constructor: retry and restart 0 are refused (V8 would end the program), restart 1 runs the caller again with the fix", async () => {
    const dir = programDir('derived-ctor', { 'orders.js': [
      'class Entity { constructor(id) { this.id = id; } }',
      'class Order extends Entity {',
      '  constructor(id, items) {',
      '    super(id);',
      '    this.total = items.nope.length;',
      '  }',
      '}',
      'function place(n) { return new Order(n, [1, 2]); }',
      'setTimeout(() => { console.log(JSON.stringify(place(7))); }, 10);',
      '',
    ].join('\n') });
    const file = path.join(dir, 'orders.js');
    const cli = start([bin, 'orders.js'], dir);
    await cli.waitFor(/TypeError: Cannot read properties of undefined \(reading 'length'\)/, { stream: 'stderr', step: 'the constructor throws' });
    await prompt(cli, 0, 'prompt');
    edit(file, 'this.total = items.nope.length;', 'this.total = items.length * 10;', saveByRename);
    await cli.waitFor(/(waiting|patched) orders\.js: Order\.constructor/, { stream: 'stderr', step: 'the fix is seen' });
    await ask(cli, 'retry', /retry: frame \d \(Order\) is the constructor of a class that extends another, which V8 cannot run again from its start \(it would end the program\); restart the frame that called it \(new Order\) instead/);
    const bt = await ask(cli, 'bt', /#(\d) place \(orders\.js/);
    const caller = Number(bt[1]);
    await ask(cli, `restart ${caller - 1}`, /is the constructor of a class that extends another/);
    await ask(cli, `restart ${caller}`, /restart|place/);
    if (engine !== 'swap') await cli.waitFor(/patched orders\.js: Order\.constructor/, { stream: 'stderr', step: 'the fix applies once the constructor is off the stack' });
    cli.send('cont\n');
    await cli.waitFor(/\{"id":7,"total":20\}/, { step: 'the caller ran again with the fixed constructor' });
    expect((await cli.exited).code).toBe(0);
  });

  test('without boundaries, retry says why it cannot keep the frame; the program stays paused; quit ends it', async () => {
    const dir = copyFixture('retry');
    const cli = start(['--no-boundaries', bin, 'job.js'], dir);
    await prompt(cli, 0, 'prompt');
    await ask(cli, 'retry', /retry: no function on the stack has a retry boundary/);
    await ask(cli, 'p item.id', /(?:^|> )4$/m);
    cli.send('quit\n');
    const exit = await cli.exited;
    expect(exit.code).toBe(143);
    expect(cli.stdout()).not.toMatch(/item 4 done/);
  });

  test('at a terminal, quit asks first (run under a pseudo-terminal with script(1))', async () => {
    const dir = copyFixture('retry');
    const cmd = `NO_COLOR=1 ${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(__dirname, '..', '..', 'bin', 'edit-continue'))} ${JSON.stringify(bin)} job.js`;
    const child = spawn('script', ['-qefc', cmd, '/dev/null'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += String(d).replace(/\r/g, ''); });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const until = async (re: RegExp, step: string) => {
      for (let i = 0; i < 300 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 50));
      if (!re.test(out)) throw new Error(`${step}: no ${re} in:\n${out}`);
    };
    try {
      await until(/ec> $/, 'prompt');
      child.stdin.write('quit\n');
      await until(/end the program\? \(y\/N\) $/, 'asked');
      child.stdin.write('n\n');
      await until(/not ending it\nec> $/, 'kept');
      child.stdin.write('q\n');
      await until(/end the program\? \(y\/N\) $/, 'asked again');
      child.stdin.write('y\n');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), 15_000); });
      const code = await Promise.race([exited, late]).finally(() => clearTimeout(timer));
      if (code === 'late') throw new Error(`ended: no exit 15 s after the 'y', in:\n${out}`);
      expect(code).toBe(143);
      expect(out).toMatch(/ending the program/);
      expect(out).not.toMatch(/Check failed|Fatal error/);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('Ctrl+C twice within a second ends the program as Ctrl+C under node does', async () => {
    const dir = copyFixture('pause');
    const cli = start(['--json', bin, 'spin.js'], dir);
    await cli.waitFor(/looping/, { step: 'loop started' });
    await ready(cli);
    cli.kill('SIGINT');
    // the second once the first has been taken (edit-continue says so at once), well within a second
    await cli.waitFor(/pausing… \(Ctrl\+C again to end the program\)/, { stream: 'stderr', step: 'first Ctrl+C taken' });
    cli.kill('SIGINT');
    const exit = await cli.exited;
    expect(exit.code).toBe(130);
    expect(cli.stderr()).toMatch(/ending the program \(Ctrl\+C twice\)/);
  });

  test('a Ctrl+C after cont from a Ctrl+C stop is a first one again: it pauses, and does not end the program', async () => {
    const dir = copyFixture('pause');
    const cli = start(['--json', bin, 'spin.js'], dir);
    await cli.waitFor(/looping/, { step: 'loop started' });
    await ready(cli);
    cli.kill('SIGINT');
    await cli.waitFor(new RegExp(PROMPT_END), { stream: 'stderr', step: 'first stop' });
    const going = cli.mark('stderr');
    cli.send('cont\n');
    await cli.waitFor(/"type":"resumed"/, { stream: 'stderr', after: going, step: 'cont' });
    // well within a second of the first Ctrl+C, but the user has seen its stop and gone on
    cli.kill('SIGINT');
    await cli.waitFor(new RegExp(`paused in [^\\n]*\\(spin\\.js[^]*${PROMPT_END}`), { stream: 'stderr', after: going, step: 'second stop' });
    expect(cli.stderr()).not.toMatch(/ending the program/);
    await ask(cli, 'p 6 * 7', /(?:^|> )42$/m);
  });

  // Node 20 and 22 end the program (SIGSEGV) or corrupt it when code evaluated at a stop inside a
  // regular expression's match runs one that backtracks (docs/v8.md; scripts/v8/regexp-at-pause.js)
  test.each(['cold', 'hot'])('Ctrl+C inside a match that never ends (%s): an expression that may run a regular expression is refused on node 20 and 22, run on 24+; plain reads and sets work; the program lives', async (mode) => {
    const dir = copyFixture('pause');
    const cli = start(['--json', bin, 'match.js', mode], dir);
    await cli.waitFor(/matching/, { step: 'match started' });
    await ready(cli);
    await busyFor(dir, 'match.js', 200); // inside the match, which never ends
    cli.kill('SIGINT');
    await cli.waitFor(/paused in matches \(match\.js:9:\d+\)/, { stream: 'stderr', step: 'stop inside the match' });
    await prompt(cli, 0, 'prompt');
    await ask(cli, 'p rounds', /(?:^|> )1$/m);
    const risky = 'p ["x-y", "aab"].map((s) => /(a|aa)*c/.test(s.repeat(12))).length';
    if (major < 24) {
      await ask(cli, risky, /not evaluated: the program stopped inside a regular expression's match \(in matches, match\.js:9\)[^\n]*V8 before 13[^\n]*`next` lets the match finish first/);
      await ask(cli, 'set rounds = /x/.test("x") ? 5 : 6', /nothing changed: not evaluated: the program stopped inside a regular expression's match/);
    } else {
      await ask(cli, risky, /(?:^|> )2$/m);
    }
    await ask(cli, 'set rounds = rounds + 1', /rounds = 2/);
    await ask(cli, 'p rounds * 10', /(?:^|> )20$/m);
    expect(runningProgram(dir, 'match.js')).not.toBeNull();
    expect(cli.stderr()).not.toMatch(/Check failed|Fatal error|SIGSEGV|SIGBUS/);
  });

  test('Ctrl+C in a hot loop opens the prompt; set a variable; cont changes what the program does', async () => {
    const dir = copyFixture('pause');
    const cli = start(['--json', bin, 'spin.js'], dir);
    await cli.waitFor(/looping/, { step: 'loop started' });
    await ready(cli);
    await busyFor(dir, 'spin.js', 300); // past console.log, into the loop
    cli.kill('SIGINT');
    await cli.waitFor(/paused in loop \(spin\.js:\d+:\d+\)/, { stream: 'stderr', step: 'interrupt pause' });
    await prompt(cli, 0, 'prompt');
    await ask(cli, 'p rounds > 0', /(?:^|> )true$/m);
    await ask(cli, 'set stop = true', /stop = true/);
    cli.send('cont\n');
    await cli.waitFor(/stopped after some rounds/, { step: 'loop ends after set' });
    expect((await cli.exited).code).toBe(0);
  });

  test("Ctrl+C in a loop with no call in it stops at the loop's head: its let is said not live there, and next steps in where it is", async () => {
    const dir = copyFixture('pause');
    const cli = start(['--json', bin, 'tight.js'], dir);
    await cli.waitFor(/looping/, { step: 'loop started' });
    await ready(cli);
    await busyFor(dir, 'tight.js', 300);
    cli.kill('SIGINT');
    await cli.waitFor(/paused in main \(tight\.js:7:\d+\)[\s\S]*locals: \(none\) \(i of the loop at line 7: not live at the loop's head, between two iterations; `next` steps in\)/, { stream: 'stderr', step: 'the stop at the head' });
    await prompt(cli, 0, 'prompt');
    await ask(cli, 'p i', /i is declared in main itself \(let, the scope starting at line 7\), but main is stopped where that scope is not live/);
    await ask(cli, 'next', /main \(tight\.js:[78]:\d+\)/); // (the loop's test, or its body)
    await ask(cli, 'p i >= 0', /(?:^|> )true$/m);
    await ask(cli, 'set stop = true', /stop = true/);
    cli.send('cont\n');
    await cli.waitFor(/stopped after (some|none) rounds/, { step: 'loop ends after set' });
    expect((await cli.exited).code).toBe(0);
  });

  // Under --break-on unhandled every exception stops V8, and the session lets go unseen of those the
  // program catches. A Ctrl+C that came while V8 stood at one asked nothing (V8 was stopped), and one
  // that came just before was taken by it: '[ec] pausing…', and the program ran on (the pause fuzz,
  // node 22, either engine, about 1 run in 9). The pause is now asked again until a stop is shown.
  test('Ctrl+C while caught exceptions stop V8 and go on unseen: the program pauses', async () => {
    const dir = copyFixture('robust/pause/spin');
    const cli = start(['--json', bin, 'spin.js'], dir, 'pipe', { EDIT_CONTINUE_DEBUG: 'pause' });
    await ready(cli);
    await cli.waitFor(/tick 3 /, { step: 'loop started' });
    const mark = cli.mark('stderr');
    fs.writeFileSync(path.join(dir, 'boom'), ''); // work() throws, main() catches, every 20 ms
    // the Ctrl+C goes out as V8 stands at a caught exception (the debug log says so as the session gets it)
    await cli.waitFor(/\[ec:pause\] paused exception/, { stream: 'stderr', after: mark, step: 'a caught exception stops V8' });
    const sigint = cli.mark('stderr');
    cli.kill('SIGINT');
    await cli.waitFor(/paused in \S+ \(spin\.js:\d+:\d+\)[^]*?ec> /, { stream: 'stderr', after: sigint, step: 'the Ctrl+C pauses the program' });
    await ask(cli, 'p 6 * 7', /(?:^|> )42$/m);
  });

  test('Ctrl+C in a hot optimized function: fix it, restart 0, and it finishes with the new code', async () => {
    const dir = copyFixture('pause');
    const cli = start(['--json', bin, 'hot.js'], dir);
    await cli.waitFor(/summing/, { step: 'sum started' });
    await ready(cli);
    await busyFor(dir, 'hot.js', 300); // let V8 optimize the loop
    cli.kill('SIGINT');
    await cli.waitFor(/paused in sum \(hot\.js:\d+:\d+\)/, { stream: 'stderr', step: 'interrupt pause' });
    await prompt(cli, 0, 'prompt');
    const mark = cli.mark('stderr');
    edit(path.join(dir, 'hot.js'), 'i !== limit', 'i < limit');
    // LiveEdit waits for the running sum (EC301); the swap engine installs at once, and the activation
    // stopped here finishes the code it started with unless it is restarted
    if (engine === 'swap') await cli.waitFor(/patched hot\.js: sum\n/, { stream: 'stderr', after: mark, step: 'save applies' });
    else await cli.waitFor(/waiting hot\.js: sum is running/, { stream: 'stderr', after: mark, step: 'save waits' });
    await ask(cli, 'restart 0', /restarted frame 0; stopped at its start/);
    expect(cli.stderr().slice(mark)).toMatch(/patched hot\.js: sum/);
    cli.send('cont\n');
    await cli.waitFor(/sum 500001/, { step: 'new code runs' });
    expect((await cli.exited).code).toBe(0);
  });

  // A step that does not end soon (`next` over a call that loops) lets the program run for up to 3 s
  // while the prompt waits. Ctrl+C then said "the program is paused", which was not true, and it was
  // not stopped (the pause fuzz, hot loop, node 20, seed 3413870873: the commands typed meanwhile
  // waited behind the step). It now stops the program, and the step ends there. (`out` of a function
  // that loops cannot be stopped on node 22: V8 answers nothing until it returns; docs/v8.md.)
  test('Ctrl+C while a step runs on: the program pauses where it is, and the step ends there', async () => {
    const dir = copyFixture('pause');
    const cli = start(['--json', bin, 'long-call.js'], dir, 'pipe', { EDIT_CONTINUE_DEBUG: 'pause' });
    await cli.waitFor(new RegExp(String.raw`paused at a debugger statement in main[^]*?` + PROMPT_END), { stream: 'stderr', step: 'the debugger statement' });
    await ask(cli, 'next', new RegExp(String.raw`main \(long-call\.js:10:\d+\)[^]*?` + PROMPT_END));
    const mark = cli.mark('stderr');
    cli.send('next\n'); // over spin(), which never returns: the step never ends by itself
    // V8 has left the stop: the step is on its way and the program runs (the debug log says so)
    await cli.waitFor(/\[ec:pause\] resumed \(quiet\)/, { stream: 'stderr', after: mark, step: 'the step runs' });
    cli.kill('SIGINT');
    await cli.waitFor(new RegExp(String.raw`paused \(Ctrl\+C\) before the step ended[^]*?spin \(long-call\.js:\d+:\d+\)[^]*?` + PROMPT_END), { stream: 'stderr', after: mark, step: 'Ctrl+C ends the step' });
    const answer = cli.stderr().slice(mark);
    expect(answer).not.toMatch(/the program is paused: cont to go on/);
    expect(answer).not.toMatch(/the step did not stop within 3 s/);
    await ask(cli, 'p s > 0', /(?:^|> )true$/m);
    cli.send('quit\n');
    expect((await cli.exited).code).toBe(143);
  });

  test('Ctrl+C in a hot function, fix, retry: it runs again from its start with the new code and goes on', async () => {
    const dir = copyFixture('pause');
    const cli = start(['--json', bin, 'hot.js'], dir);
    await cli.waitFor(/summing/, { step: 'sum started' });
    await ready(cli);
    await busyFor(dir, 'hot.js', 200); // in sum()'s loop
    cli.kill('SIGINT');
    await prompt(cli, 0, 'prompt');
    edit(path.join(dir, 'hot.js'), 'i !== limit', 'i < limit', saveByRename);
    await ask(cli, 'retry', /retrying sum/);
    await cli.waitFor(/sum 500001/, { step: 'new code runs' });
    expect((await cli.exited).code).toBe(0);
  });

  test('p, locals, bt, up, break, and edit with $EDITOR at the prompt', async () => {
    const dir = copyFixture('retry');
    const editor = `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(dir, 'fix-editor.js'))}`;
    const cli = start([bin, 'job.js'], dir, 'pipe', { EDITOR: editor, VISUAL: '' });
    await prompt(cli, 0, 'prompt at the exception');
    await ask(cli, 'p item.id', /(?:^|> )4$/m);
    await ask(cli, 'locals', /item = \{ id: 4, spec: undefined \}[\s\S]*processed = \[ 1, 2, 3 \] \(closure\)/);
    await ask(cli, 'bt', />#0 work \(job\.js:7:15\)\n #1 main \(job\.js:13:14\)/);
    await ask(cli, 'up', /#1 main \(job\.js:13:14\)/);
    await ask(cli, 'p total', /(?:^|> )140$/m);
    await ask(cli, 'set total = 141', /total = 141$/m);
    await ask(cli, 'set total = 140', /total = 140$/m);
    await ask(cli, 'frame 0', /#0 work/);
    await ask(cli, 'set spec = { weight: 5 }', /spec = \{ weight: 5 \} \(note: spec is declared const; the program assumed it would not change\)/);
    await ask(cli, 'list', />  ?7 \|   return spec\.weight \* item\.id;/);
    await ask(cli, 'break job.js:15', /breakpoint 1 at job\.js:15/);
    await ask(cli, 'up', /#1 main/);
    await ask(cli, 'down', /#0 work/);
    await ask(cli, 'edit', /fix-editor: fixed job\.js \(opened at line 7\)[\s\S]*(waiting|patched) job\.js/);
    expect(fs.readFileSync(path.join(dir, 'job.js'), 'utf8')).toContain(FIX[1]);
    // the retry patches job.js, which drops V8's breakpoints in it: ours must be set again
    await ask(cli, 'retry', /breakpoint 1 in main \(job\.js:15:\d+\)/);
    await ask(cli, 'p item.id', /(?:^|> )4$/m);
    await ask(cli, 'breakpoints', /1  job\.js:15/);
    await ask(cli, 'clear 1', /removed breakpoint 1/);
    cli.send('cont\n');
    await cli.waitFor(new RegExp(TOTAL), { step: 'job finishes' });
    expect((await cli.exited).code).toBe(0);
  });

  test('a debugger statement stops; break with a condition, cont, step, out, next, Enter repeats', async () => {
    const dir = copyFixture('pause');
    const cli = start([bin, 'steps.js'], dir);
    await cli.waitFor(/paused at a debugger statement in main \(steps\.js:8:\d+\)/, { stream: 'stderr', step: 'debugger statement' });
    await prompt(cli, 0, 'prompt');
    await ask(cli, 'break steps.js:11', /breakpoint 1 at steps\.js:11/);
    await ask(cli, 'cont', /breakpoint 1 in main \(steps\.js:11:\d+\)/);
    await ask(cli, 'step', /add \(steps\.js:3:\d+\)/);
    await ask(cli, 'out', /main \(steps\.js:11:\d+\)/);
    await ask(cli, 'clear 1', /removed breakpoint 1/);
    await ask(cli, 'break steps.js:4 if b === 3', /breakpoint 2 at steps\.js:4 if b === 3/);
    await ask(cli, 'cont', /breakpoint 2 in add \(steps\.js:4:\d+\)/);
    await ask(cli, 'p sum', /(?:^|> )6$/m);
    await ask(cli, '', /(?:^|> )6$/m); // Enter repeats `p sum`
    await ask(cli, 'next', /steps\.js:(5|11):\d+\)/);
    cli.send('cont\n');
    await cli.waitFor(/total 6/, { step: 'program finishes' });
    expect((await cli.exited).code).toBe(0);
  });

  test('--break-on all stops at a caught exception (not at node\'s own); catch none; cont', async () => {
    const dir = copyFixture('pause');
    const plain = start([bin, 'caught.js'], dir);
    await plain.waitFor(/ok 2/, { step: 'uncaught mode runs through' });
    expect((await plain.exited).code).toBe(0);
    const cli = start(['--break-on', 'all', bin, 'caught.js'], dir);
    await cli.waitFor(/SyntaxError: Unexpected token[^\n]*\(caught\)/, { stream: 'stderr', step: 'caught exception stops' });
    await prompt(cli, 0, 'prompt');
    expect(cli.stderr()).toMatch(/at parseAll \(caught\.js:8:\d+\)/);
    await ask(cli, 'catch none', /stopping at no exception/);
    cli.send('cont\n');
    await cli.waitFor(/bad line\nok 2/, { step: 'runs on' });
    expect((await cli.exited).code).toBe(0);
  });

  test('bad commands and bad expressions get clear errors and the session goes on', async () => {
    const dir = copyFixture('retry');
    const cli = start([bin, 'job.js'], dir);
    await prompt(cli, 0, 'prompt');
    await ask(cli, 'contt', /unknown command 'contt': did you mean 'cont'\?/);
    await ask(cli, 'p nosuch.x', /error: ReferenceError: nosuch is not defined/);
    await ask(cli, 'p item.', /error: SyntaxError/);
    await ask(cli, 'frame 99', /there is no frame 99 \(0 to \d+\)/);
    await ask(cli, 'down', /already at frame 0, the innermost/);
    await ask(cli, 'set 1x = 2', /usage: set NAME = EXPR/);
    await ask(cli, 'restart', /usage: restart N/);
    await ask(cli, 'break nosuch.js:3', /no file 'nosuch\.js'/);
    // a line past the end of a loaded file (a typo): refused, not kept as if the file were to load
    await ask(cli, 'break 999', /no breakpoint: job\.js has no code at line 999 or after it \(it has 20 lines\)/);
    await ask(cli, 'break 9', /breakpoint 1 at job\.js:9\n/); // (the numbers are not used up by a refusal)
    await ask(cli, 'clear 1', /removed breakpoint 1/);
    await ask(cli, 'clear 7', /there is no breakpoint 7/);
    await ask(cli, 'catch sometimes', /usage: catch unhandled\|uncaught\|all\|none \(now: unhandled\)/);
    await ask(cli, 'help', /retry +apply pending edits/);
    await ask(cli, 'repl', /evaluating in the selected frame/);
    await ask(cli, 'item.id * 2', /(?:^|> )8$/m);
    await ask(cli, 'nosuch', /error: ReferenceError: nosuch is not defined/);
    cli.send('.exit\n');
    await ask(cli, 'contt', /unknown command 'contt'/); // back at the command prompt
    // still paused, still able to fix: set the missing spec on the item (the object the loop holds) and retry
    await ask(cli, 'set item.spec = { weight: 2 }', /(?:^|> )item\.spec = \{ weight: 2 \}\n/m);
    await ask(cli, 'p item', /\{ id: 4, spec: \{…\} \}/);
    await ask(cli, 'retry', /retrying work/);
    await cli.waitFor(/total 758 processed 1,2,3,4,5,6/, { step: 'job finishes with the set value' });
    expect((await cli.exited).code).toBe(0);
  });

  test('stopped in a helper of a loop: p and set of a name only the caller has point to its frame (no new global); set there is seen', async () => {
    const dir = scratchDir('caller-local');
    fs.writeFileSync(path.join(dir, 'loop.js'), [
      'function weight(i) {',
      '  if (i === 3) debugger;',
      '  return 1;',
      '}',
      'function crunch() {',
      '  let acc = 0;',
      '  for (let i = 1; i <= 5; i++) { const w = weight(i); acc += w; }',
      '  console.log(`acc=${acc} global=${typeof globalThis.acc}`);',
      '}',
      'crunch();',
      '',
    ].join('\n'));
    const cli = start([bin, 'loop.js'], dir);
    await cli.waitFor(/paused at a debugger statement in weight/, { stream: 'stderr', step: 'stop in the helper' });
    await prompt(cli, 0, 'prompt');
    await ask(cli, 'p acc', /ReferenceError: acc is not defined in weight \(frame 0\); crunch \(frame 1\) has a local acc: `frame 1`, then `p` it\n/);
    await ask(cli, 'set acc = 100', /set: nothing changed: acc is not in scope in weight \(frame 0\); crunch \(frame 1\) has a local acc: `frame 1`, then set it\n/);
    await ask(cli, 'frame 1', /#1 crunch/);
    await ask(cli, 'set acc = 100', /(?:^|> )acc = 100\n/m);
    cli.send('cont\n');
    await cli.waitFor(/acc=103 global=undefined\n/, { step: 'the loop goes on from the value set, and no global was made' });
    expect((await cli.exited).code).toBe(0);
  });

  test('a library that catches, cleans up and throws again: cont, then the stop again says so, and cont ends the program as node would', async () => {
    const dir = scratchDir('rethrow');
    fs.mkdirSync(path.join(dir, 'node_modules', 'runner'), { recursive: true });
    // as node's readline does at a terminal (emitKeypressEvents' onData): restart its state, throw again
    fs.writeFileSync(path.join(dir, 'node_modules', 'runner', 'index.js'), 'exports.run = function run(cb) { try { return cb(); } catch (err) { exports.resets = (exports.resets || 0) + 1; throw err; } };\n');
    fs.writeFileSync(path.join(dir, 'job.js'), "const { run } = require('runner');\nfunction step() { return null.level; }\nsetTimeout(() => run(step), 10);\n");
    const cli = start([bin, 'job.js'], dir);
    await cli.waitFor(/TypeError: Cannot read properties of null \(reading 'level'\) \(your code does not catch it; a library does, in run \(frame 1\)[^\n]*\n\s+at step \(job\.js:2:/, { stream: 'stderr', step: 'stop at the throw' });
    await prompt(cli, 0, 'prompt');
    const mark = cli.mark('stderr');
    cli.send('cont\n');
    // the same exception, uncaught now: shown once more, and the heading says it is the one let go
    await cli.waitFor(/TypeError: Cannot read properties of null \(reading 'level'\) \(the exception shown before: the code that caught it threw it again, and nothing catches it now: `cont` ends the program, as under node; `skip` runs on without it\)/, { stream: 'stderr', after: mark, step: 'the stop again' });
    await prompt(cli, mark, 'prompt again');
    cli.send('cont\n');
    const exit = await cli.exited;
    expect(exit.code).toBe(1);
  });

  test('cont at an uncaught exception ends the program as node would', async () => {
    const dir = copyFixture('retry');
    const cli = start([bin, 'job.js'], dir);
    await prompt(cli, 0, 'prompt');
    cli.send('cont\n');
    const exit = await cli.exited;
    expect(exit.code).toBe(1);
    expect(cli.stderr()).toMatch(/TypeError: Cannot read properties of undefined \(reading 'weight'\)\n\s+at work/);
  });
});

// On every line once, with the swap engine: its patch runs code in the program (a LiveEdit patch
// runs none, so V8 cannot stop in it).
describe.each(testNodes())('$label', ({ bin }) => {
  const start = cliPerTest();

  // Frames in code that is no file of the program's were all "node internal": a vm script, node's own
  // modules and an eval could not be told apart (nor, in a test, node's code from edit-continue's).
  test("frames in no file of the program's are named as node's traces name them: a vm script's filename, node:…, <anonymous>", async () => {
    const dir = programDir('other-code', { 'app.js': "const vm = require('vm');\nfunction go() {\n  vm.runInThisContext('debugger;', { filename: 'gen.vm' });\n  eval('debugger;');\n}\ngo();\nconsole.log('done');\n" });
    const cli = start([bin, 'app.js'], dir);
    await cli.waitFor(/paused at a debugger statement/, { stream: 'stderr', step: 'the vm script stops' });
    await prompt(cli, 0, 'the prompt');
    await ask(cli, 'frame 0', /(?:^|> )#0 \(anonymous\) \(gen\.vm:1:1\)\n> 1 \| debugger;/m);
    // the call that ran it: node's vm module, as node's own stack traces name it
    await ask(cli, 'bt', /#\d+ go \(app\.js:3:\d+\)/);
    await ask(cli, 'frame 1', /(?:^|> )#1 \S+ \(node:vm:\d+:\d+\)$/m);
    const mark = cli.mark('stderr');
    cli.send('cont\n');
    await cli.waitFor(/paused at a debugger statement/, { stream: 'stderr', after: mark, step: 'the eval stops' });
    await prompt(cli, mark, 'the prompt again');
    await ask(cli, 'frame 0', /(?:^|> )#0 \S+ \(<anonymous>:1:1\)$/m);
    cli.send('cont\n');
    await cli.waitFor(/done\n/, { step: 'the program finishes' });
    expect((await cli.exited).code).toBe(0);
  });

  // A save's patch that went out right behind the Ctrl+C's pause request took V8's stop at its first
  // call: the prompt said "paused in (anonymous) (node internal:1:1)" and the patch waited for cont.
  // The no-op that stops an idle program now goes first, once the request has settled
  // (cdp/pause-settle.ts), and the patch is applied at the stop.
  test('Ctrl+C, and a save right behind it, the program idle: the stop is not in the patch code, and the save is patched at it', async () => {
    // idle: it runs only when told (SIGUSR2), so the one stop a Ctrl+C can give is the idle one
    const dir = programDir('idle-save', { 'app.js': "function value() { return 1; }\nprocess.on('SIGUSR2', () => console.log(`value ${value()}`));\nsetInterval(() => {}, 60000);\nconsole.log('ready');\n" });
    const cli = start(['--json', '--engine', 'swap', bin, 'app.js'], dir);
    await cli.waitFor(/ready/, { step: 'start' });
    await ready(cli);
    const mark = cli.mark('stderr');
    // the save right behind the Ctrl+C: its patch is on its way while V8 has the stop queued
    cli.kill('SIGINT');
    await cli.waitFor(/pausing…/, { stream: 'stderr', after: mark, step: 'pausing' });
    edit(path.join(dir, 'app.js'), 'return 1;', 'return 2;', saveByRename);
    const stop = (await cli.waitFor(/paused (?:in|while) [^\n]*\n/, { stream: 'stderr', after: mark, step: 'the stop' }))[0];
    // idle, or (under load the Ctrl+C can come while the start still runs: node finishing its own
    // ticks, or app.js's top level returning from the console.log whose 'ready' we saw) in node's code
    // or in app.js: never in the patch's own code, which has no URL ("(anonymous) (<anonymous>:1:1)");
    // node's own code is named as node's traces name it (node:internal/timers)
    expect(stop).toMatch(/^paused (?:while the program was idle|in [\w.$<> ()]+ \((?:node:[\w/]+|app\.js):\d+:\d+\))\n$/);
    await cli.waitFor(/patched app\.js: value\n/, { stream: 'stderr', after: mark, step: 'the patch' });
    await prompt(cli, mark, 'the prompt');
    const out = cli.mark('stdout');
    cli.send('cont\n');
    await cli.waitFor(/\{"v":1,"type":"resumed"/, { stream: 'stderr', after: mark, step: 'cont' });
    process.kill(programPid(dir, 'app.js'), 'SIGUSR2');
    await cli.waitFor(/value 2\n/, { after: out, step: 'the new code runs' });
    cli.kill('SIGTERM');
    await cli.exited;
  });
});
