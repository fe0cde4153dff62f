// The swap engine end to end (docs/swap.md): the real CLI with EDIT_CONTINUE_ENGINE=swap (until the
// engine choice's --engine swap is merged), real node targets on every line and on node 26 with
// LiveEdit off, real saves. What only this engine can do is asserted as such: a suspended async
// function and a function running in a loop that never returns are swapped at once.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NODE_QUOTE, ask, cliPerTest, copyFixture, edit, exitedWithin, programDir, saveByRename, saveInPlace, type RunningCli, scratchDir } from '../helpers/cli';
import { testNodes, ROOT_DIR, type TestNode } from '../helpers/nodes';

const SWAP = { EDIT_CONTINUE_ENGINE: 'swap' };

/**
 * Node 26 with LiveEdit off and no way to turn it on (the stand-in for Node 27): a `node` wrapper that
 * drops --inspector-live-edit and makes v8.setFlagsFromString ignore it.
 */
function nodeWithoutLiveEdit(): TestNode | null {
  const node26 = path.join(ROOT_DIR, 'nodes', 'node_modules', 'node26', 'bin', 'node');
  if (!(process.env.EC_TEST_NODES ?? '20,22,24,26').split(',').map((s) => s.trim()).includes('26') || !fs.existsSync(node26)) return null;
  const dir = scratchDir('nolive');
  fs.writeFileSync(path.join(dir, 'refuse.js'), `const v8 = require('node:v8'); const set = v8.setFlagsFromString;
v8.setFlagsFromString = function (flags) { const rest = String(flags).split(/\\s+/).filter((f) => f && !/inspector[-_]live[-_]edit/.test(f)); if (rest.length) return set.call(this, rest.join(' ')); };\n`);
  const bin = path.join(dir, 'node');
  fs.writeFileSync(bin, `#!/usr/bin/env bash
args=(); for a in "$@"; do case "$a" in --inspector-live-edit*|--inspector_live_edit*) ;; *) args+=("$a") ;; esac; done
exec "${node26}" --require "${dir}/refuse.js" "\${args[@]}"\n`, { mode: 0o755 });
  return { major: 26, bin };
}

const lines: (TestNode & { label: string })[] = testNodes().map((n) => ({ ...n, label: `node ${n.major}` }));
const noLive = nodeWithoutLiveEdit();
if (noLive) lines.push({ ...noLive, label: 'node 26, LiveEdit off' });

async function patched(cli: RunningCli, from: number, re: RegExp, step: string): Promise<string> {
  return (await cli.waitFor(re, { stream: 'stderr', after: from, step }))[0];
}

describe.each(lines)('$label', ({ bin }) => {
  const start = cliPerTest();

  test('references taken before a save run the new code, with the same state; a swapped function swaps again', async () => {
    const dir = copyFixture('swap');
    const file = path.join(dir, 'app.js');
    const cli = start([bin, 'app.js'], dir, 'pipe', SWAP);
    await cli.waitFor(/ready/, { step: 'start' });
    await ask(cli, 'a', /add 1 items=1 total=10 price=10 count=1/, 'stdout');

    let mark = cli.mark('stderr');
    edit(file, 'item.qty * 10', 'item.qty * 7', saveByRename);
    await patched(cli, mark, /patched app\.js: price\n/, 'swap price');
    // priceOf was taken before the save; Cart.add calls price: both run the new code, total is kept
    await ask(cli, 'a', /add 2 items=2 total=17 price=7 count=2/, 'stdout');

    mark = cli.mark('stderr');
    edit(file, 'item.qty * 7', 'item.qty * 5', saveInPlace);
    await patched(cli, mark, /patched app\.js: price\n/, 'swap price again');
    await ask(cli, 'a', /add 3 items=3 total=22 price=5 count=3/, 'stdout');

    // a closure made before the save: new code, same captured variable (read and written)
    mark = cli.mark('stderr');
    edit(file, 'n += 1;', 'n += 100;', saveByRename);
    await patched(cli, mark, /patched app\.js: makeCounter\.next\n/, 'swap the closure');
    await ask(cli, 'a', /add 4 items=4 total=27 price=5 count=103/, 'stdout');

    // a method of an existing instance, with #private
    mark = cli.mark('stderr');
    edit(file, 'items=${this.#items.length}', 'n=${this.#items.length}!', saveByRename);
    await patched(cli, mark, /patched app\.js: Cart\.describe\n/, 'swap the method');
    await ask(cli, 'a', /add 5 n=5! total=32 price=5 count=203/, 'stdout');

    // stopped inside the swapped closure: its outer local reads, lists and sets by its own name (the
    // environment object it goes through, and the original function passing the call on, stay ours)
    mark = cli.mark('stderr');
    edit(file, 'n += 100;', 'n += 100; debugger;', saveByRename);
    await patched(cli, mark, /patched app\.js: makeCounter\.next\n/, 'swap the closure again');
    mark = cli.mark('stderr');
    cli.send('a\n');
    // at the column written (8:38), not one moved right by the `__ec$e.` the swapped-in code reads `n` through
    await cli.waitFor(/paused at a debugger statement in next \(app\.js:8:38\)[\s\S]*ec> $/, { stream: 'stderr', after: mark, step: 'stop in the swapped closure' });
    await ask(cli, 'p n', /(?:^|> )303$/m);
    let at = cli.mark('stderr');
    await ask(cli, 'locals', /n = 303 \(closure\)[\s\S]*ec> $/);
    expect(cli.stderr().slice(at)).not.toMatch(/__ec\$|sourceURL/);
    at = cli.mark('stderr');
    await ask(cli, 'bt', />#0 next \(app\.js:\d+:\d+\)\n[\s\S]*ec> $/);
    expect(cli.stderr().slice(at)).not.toMatch(/#1 next/);
    await ask(cli, 'set n = 1000', /(?:^|> )n = 1000/m);
    await ask(cli, 'p n + 1', /(?:^|> )1001$/m);
    const out = cli.mark('stdout');
    cli.send('cont\n');
    await cli.waitFor(/add 6 n=6! total=37 price=5 count=1000\n/, { after: out, step: 'the program sees the value set' });
    // no save was refused by the swap engine (its codes, and V8's)
    expect(cli.stderr()).not.toMatch(/EC21\d|EC3\d\d/);
  });

  test('a suspended async function is swapped at once, and its callee while it runs', async () => {
    const dir = copyFixture('swap');
    const file = path.join(dir, 'app.js');
    const cli = start([bin, 'app.js'], dir, 'pipe', SWAP);
    await cli.waitFor(/ready/, { step: 'start' });
    await ask(cli, 't', /ticks \d+ step=1/, 'stdout');
    // ticker is suspended at its await: LiveEdit waits for it (EC302, forever here); the swap applies now
    let mark = cli.mark('stderr');
    edit(file, 'ticks = tick(ticks);', 'ticks = tick(ticks) + 1000;');
    const line = await patched(cli, mark, /(patched|waiting|not patched) app\.js: [^\n]*\n/, 'swap ticker');
    expect(line).toBe('patched app.js: ticker\n');
    mark = cli.mark('stderr');
    edit(file, 'return t + 1;', 'return t + 2;');
    await patched(cli, mark, /patched app\.js: tick\n/, 'swap tick');
    // the running activation of ticker keeps its own code; tick's new code is used at once
    const first = Number((await ask(cli, 't', /ticks (\d+) step=2/, 'stdout'))[1]);
    let next = first;
    for (let i = 0; i < 200 && next === first; i++) next = Number((await ask(cli, 't', /ticks (\d+) step=2/, 'stdout'))[1]);
    // the suspended activation went on with its old code: + 2 per tick from tick's new code, no + 1000
    expect(next - first).toBeGreaterThan(0);
    expect(next - first).toBeLessThan(1000);
  });

  test('a loop that never returns calls the new code at once', async () => {
    const dir = copyFixture('swap');
    const file = path.join(dir, 'busy.js');
    const cli = start([bin, 'busy.js'], dir, 'pipe', SWAP);
    await cli.waitFor(/step 1\n/, { step: 'start' });
    const mark = cli.mark('stderr');
    const out = cli.mark('stdout');
    edit(file, 'return x + 1;', 'return x + 5;');
    await patched(cli, mark, /patched busy\.js: step\n/, 'swap step');
    await cli.waitFor(/step 5\n/, { after: out, step: 'the loop runs the new step' });
  });

  test('retry after a fix runs the new body; bt shows the file; a breakpoint in a swapped function stops in the new code; set is seen', async () => {
    const dir = copyFixture('swap');
    const file = path.join(dir, 'app.js');
    const cli = start([bin, 'app.js'], dir, 'pipe', SWAP);
    await cli.waitFor(/ready/, { step: 'start' });
    cli.send('w\n');
    await cli.waitFor(/TypeError: Cannot read properties of undefined \(reading 'weight'\)[\s\S]*ec> $/, { stream: 'stderr', step: 'stop at the exception' });
    let mark = cli.mark('stderr');
    edit(file, 'item.spec.weight', '(item.spec ?? { weight: 3 }).weight');
    await patched(cli, mark, /patched app\.js: work\n/, 'swap work while paused');
    await ask(cli, 'bt', /#0 work \(app\.js:28:\d+\)/);
    const out = cli.mark('stdout');
    cli.send('retry\n');
    await cli.waitFor(/work 3\n/, { after: out, step: 'the retried call returns the new result' });

    mark = cli.mark('stderr');
    edit(file, "const text = 'n' + n;", "const text = 'N' + n;");
    await patched(cli, mark, /patched app\.js: label\n/, 'swap label');
    // pause (Ctrl+C) to set the breakpoint: the ticker calls label every 10 ticks
    cli.kill('SIGINT');
    await cli.waitFor(/ec> $/, { stream: 'stderr', after: mark, step: 'pause for the prompt' });
    await ask(cli, 'break app.js:32', /breakpoint 1 at app\.js:32/);
    mark = cli.mark('stderr');
    cli.send('cont\n');
    // the code shown is the file's, at the line that runs
    await cli.waitFor(/breakpoint 1 in label \(app\.js:32:\d+\)[\s\S]*> 32 \|   return text;[\s\S]*ec> $/, { stream: 'stderr', after: mark, step: 'stop at the breakpoint in the swapped label' });
    await ask(cli, 'p text', /'N\d+0'/);
    await ask(cli, 'bt', /#0 label \(app\.js:32:\d+\)/);
    // `up` and `down` step over the dispatch frame that `bt` leaves out (label's original function)
    await ask(cli, 'up', /(?:^|> )#2 ticker \(app\.js:23:\d+\)/m);
    await ask(cli, 'down', /(?:^|> )#0 label \(app\.js:32:\d+\)/m);
    // the module's variables, not node's module wrapper, which the planted eval keeps in scope
    // (app.js names `require`, none of the others)
    const listed = cli.mark('stderr');
    await ask(cli, 'locals', /text = 'N\d+0'[\s\S]*total = \d+ \(closure\)[\s\S]*ec> $/);
    expect(cli.stderr().slice(listed)).toMatch(/require = /);
    expect(cli.stderr().slice(listed)).not.toMatch(/__dirname|__filename|exports|arguments|module = /);
    // `set` in the swapped body changes the module's variable: the program's own code reads it
    await ask(cli, 'set total = 1000', /total = 1000/);
    await ask(cli, 'p cart.describe()', /items=0 total=1000/);
    await ask(cli, 'clear 1', /removed breakpoint 1/);
    // a breakpoint on a line above a function that a save swaps: the new code's script has none of
    // that line, and V8 moves it onto the wrapper the install runs; the save still completes
    await ask(cli, 'break app.js:28', /breakpoint 2 at app\.js:28/);
    cli.send('cont\n');
    mark = cli.mark('stderr');
    edit(file, "const text = 'N' + n;", "const text = 'M' + n;");
    await patched(cli, mark, /patched app\.js: label\n/, 'swap label below a breakpoint');
    mark = cli.mark('stderr');
    cli.send('w\n');
    await cli.waitFor(/breakpoint 2 in work \(app\.js:28:\d+\)[\s\S]*ec> $/, { stream: 'stderr', after: mark, step: 'the breakpoint above stops where it was set' });
    await ask(cli, 'p label(1)', /'M1'/);
    await ask(cli, 'cont', /work 3\n/, 'stdout');
  });

  test('lines added above functions that did not change: they are placed again at their lines (the stop, bt, a breakpoint), with their state', async () => {
    const dir = copyFixture('swap');
    const file = path.join(dir, 'app.js');
    const cli = start([bin, 'app.js'], dir, 'pipe', SWAP);
    await cli.waitFor(/ready/, { step: 'start' });
    cli.send('a2\n');
    await cli.waitFor(/add 1 items=1 total=20 price=20 count=1\n/, { step: 'a first add' });
    let mark = cli.mark('stderr');
    // two comment lines near the top, saved by rename as many editors do: every function below moves
    saveByRename(file, fs.readFileSync(file, 'utf8').replace("const readline = require('node:readline');\n", "const readline = require('node:readline');\n// one\n// two\n"));
    await patched(cli, mark, /patched app\.js: no function changed \(comments or layout\)\n/, 'the functions that moved are placed again');
    expect(cli.stderr().slice(mark)).not.toMatch(/EC201/);
    cli.send('a3\n');
    // the class's method, the reference and the closure taken before: the same state
    await cli.waitFor(/add 2 items=2 total=50 price=30 count=2\n/, { step: 'state kept' });
    mark = cli.mark('stderr');
    cli.send('w\n');
    await cli.waitFor(/TypeError[\s\S]*> 30 \|   return item\.spec\.weight \* item\.qty;[\s\S]*ec> $/, { stream: 'stderr', after: mark, step: 'the stop shows the line work is at now' });
    await ask(cli, 'bt', /#0 work \(app\.js:30:\d+\)/);
    // label's `return text;` is at line 34 now; a breakpoint there stops in label
    await ask(cli, 'break app.js:34', /breakpoint 1 at app\.js:34/);
    mark = cli.mark('stderr');
    cli.send('skip\n');
    await cli.waitFor(/breakpoint 1 in label \(app\.js:34:\d+\)[\s\S]*> 34 \|   return text;[\s\S]*ec> $/, { stream: 'stderr', after: mark, step: 'stop at the breakpoint in label, moved' });
    await ask(cli, 'p text', /'n\d+0'/);
  });

  test('a new top-level function and the function that calls it: added; a throw in it stops there, and retry after a fix runs the new version', async () => {
    const dir = copyFixture('swap');
    const file = path.join(dir, 'app.js');
    const cli = start([bin, 'app.js'], dir, 'pipe', SWAP);
    await cli.waitFor(/ready/, { step: 'start' });
    let mark = cli.mark('stderr');
    const v1 = fs.readFileSync(file, 'utf8');
    const v2 = v1.replace("const text = 'n' + n;", 'const text = decorate(n);') + "function decorate(n) {\n  if (n === 7) throw new Error('seven');\n  return '<' + n + '>';\n}\n";
    saveInPlace(file, v2);
    await patched(cli, mark, /patched app\.js: label, decorate \(new\)\n/, 'the new function is added');
    await ask(cli, 'l5', /label <5> total=0\n/, 'stdout');
    cli.send('l7\n');
    await cli.waitFor(/Error: seven\n\s+at decorate \(app\.js:45:\d+\)\n\s+at label \(app\.js:31:\d+\)[\s\S]*> 45 \|   if \(n === 7\) throw[\s\S]*locals: n = 7\n[\s\S]*ec> $/, { stream: 'stderr', after: mark, step: 'stop in the new function' });
    // (its own dispatch's `arguments` is not a local of the user's)
    expect(cli.stderr().slice(mark)).not.toMatch(/locals: n = 7, arguments/);
    // the prompt calls it by name, though the running module has no binding of it (in its own frame,
    // and in its caller's, which names it in the code it runs)
    await ask(cli, 'p decorate(3)', /(?:^|> )'<3>'\n/m);
    await ask(cli, 'up', /label/);
    await ask(cli, 'p [decorate(4), n]', /(?:^|> )\[ '<4>', 7 \]\n/m);
    mark = cli.mark('stderr');
    saveInPlace(file, v2.replace("throw new Error('seven');", "return '(seven)';"));
    await patched(cli, mark, /patched app\.js: decorate\n/, 'the fix of the new function');
    await ask(cli, 'retry', /label \(seven\) total=0\n/, 'stdout');
    await ask(cli, 'l8', /label <8> total=0\n/, 'stdout');
  });

  test('a new method of a loaded class, called by a changed one: the instance made before has it; a later save changes it', async () => {
    const dir = copyFixture('swap');
    const file = path.join(dir, 'app.js');
    const cli = start([bin, 'app.js'], dir, 'pipe', SWAP);
    await cli.waitFor(/ready/, { step: 'start' });
    let mark = cli.mark('stderr');
    const v2 = fs.readFileSync(file, 'utf8')
      .replace('  describe() {', "  kind() { return 'shop'; }\n  describe() {")
      .replace('return `items=${this.#items.length} total=${total}`;', 'return `${this.kind()} items=${this.#items.length} total=${total}`;');
    saveInPlace(file, v2);
    await patched(cli, mark, /patched app\.js: Cart\.describe, Cart\.kind \(new\)\n/, 'the new method is added');
    await ask(cli, 'a2', /add 1 shop items=1 total=20 price=20 count=1\n/, 'stdout');
    mark = cli.mark('stderr');
    saveInPlace(file, v2.replace("return 'shop';", "return 'store';"));
    await patched(cli, mark, /patched app\.js: Cart\.kind\n/, 'a change of the added method');
    await ask(cli, 'a1', /add 2 store items=2 total=30/, 'stdout');
  });

  test('step into a swapped function stops at its first line in the new code; out goes back past the dispatch', async () => {
    const dir = copyFixture('pause');
    const file = path.join(dir, 'steps.js');
    const cli = start([bin, 'steps.js'], dir, 'pipe', SWAP);
    await cli.waitFor(/paused at a debugger statement in main \(steps\.js:8:\d+\)[\s\S]*ec> $/, { stream: 'stderr', step: 'debugger statement' });
    const mark = cli.mark('stderr');
    edit(file, 'const sum = a + b;', 'const sum = a + b * 10;');
    await patched(cli, mark, /patched steps\.js: add\n/, 'swap add while paused');
    await ask(cli, 'break steps.js:11', /breakpoint 1 at steps\.js:11/);
    await ask(cli, 'cont', /breakpoint 1 in main \(steps\.js:11:\d+\)/);
    await ask(cli, 'step', /add \(steps\.js:3:\d+\)/);
    await ask(cli, 'next', /add \(steps\.js:4:\d+\)/);
    await ask(cli, 'p sum', /(?:^|> )10$/m);
    await ask(cli, 'out', /main \(steps\.js:11:\d+\)/);
    await ask(cli, 'clear 1', /removed breakpoint 1/);
    cli.send('cont\n');
    await cli.waitFor(/total 60/, { step: 'the program finishes with the new add' });
  });

  test('restart N re-enters a swapped function: its first statement dispatches to the new body', async () => {
    const dir = copyFixture('pause');
    const file = path.join(dir, 'steps.js');
    const cli = start([bin, 'steps.js'], dir, 'pipe', SWAP);
    await cli.waitFor(/paused at a debugger statement in main \(steps\.js:8:\d+\)[\s\S]*ec> $/, { stream: 'stderr', step: 'debugger statement' });
    const mark = cli.mark('stderr');
    // main is running (it is the frame we stand in): the swap applies at once all the same
    edit(file, 'console.log(`total ${total}`);', 'console.log(`sum ${total * 100}`);');
    await patched(cli, mark, /patched steps\.js: main\n/, 'swap main while it runs');
    // the restarted main passes the call to the new main: restart steps through that dispatch and
    // stops at the new main's first line (its debugger statement), not on the function's own line
    await ask(cli, 'restart 0', /restarted frame 0; stopped at its start\nmain \(steps\.js:8:3\)\n[\s\S]*> +8 \|   debugger;/);
    cli.send('cont\n');
    await cli.waitFor(/sum 600\n/, { step: 'the new main ran' });
    expect(cli.stdout()).not.toMatch(/total/);
  });

  // the retry fixtures (docs/retry.md): under the swap engine the fix applies at once, and retry runs it
  test.each(['job.js', 'job-async.js', 'job-async.mjs'])('%s: the fix is swapped in at the exception, retry finishes the job with every item once', async (script) => {
    const dir = copyFixture('retry');
    const cli = start([bin, script], dir, 'pipe', SWAP);
    await cli.waitFor(/TypeError: Cannot read properties of undefined \(reading 'weight'\)[\s\S]*ec> $/, { stream: 'stderr', step: 'stop at item 4' });
    const mark = cli.mark('stderr');
    edit(path.join(dir, script), 'const spec = item.spec;', 'const spec = item.spec ?? { weight: 1 };', saveByRename);
    await patched(cli, mark, /patched job[\w-]*\.m?js: work\n/, 'swap work at the exception');
    // the stopped call keeps its code (`cont` would let the exception go on): the report says what runs the new code
    await patched(cli, mark, /patched job[\w-]*\.m?js: work\n.*the program is paused in work, which goes on with the code it started with: `retry` runs it again with the new code\n/, 'what runs the new code');
    cli.send('retry\n');
    await cli.waitFor(/total 754 processed 1,2,3,4,5,6/, { step: 'the job finishes' });
    expect((await cli.exited).code).toBe(0);
    expect(cli.stdout().match(/item 4 done/g)).toHaveLength(1);
  });

  test('a stop in a swapped one-line concise arrow is shown at the column written', async () => {
    const dir = programDir('swap-arrow', { 'arrow.js': [
      'const weigh = (item) => item.spec.weight * 2;',
      "require('node:readline').createInterface({ input: process.stdin }).on('line', (l) => console.log('weight ' + weigh(l === 'bad' ? {} : { spec: { weight: 1 } })));",
      "console.log('ready');",
      '',
    ].join('\n') });
    const file = path.join(dir, 'arrow.js');
    const cli = start([bin, 'arrow.js'], dir, 'pipe', SWAP);
    await cli.waitFor(/ready/, { step: 'start' });
    const mark = cli.mark('stderr');
    edit(file, 'weight * 2', 'weight * 3', saveByRename);
    await patched(cli, mark, /patched arrow\.js: weigh\n/, 'swap the arrow');
    await ask(cli, 'ok', /weight 3\n/, 'stdout');
    // column 35, `.weight` of `item.spec.weight`: not moved right by the `function(item){return(` it runs as
    cli.send('bad\n');
    await cli.waitFor(/at weigh \(arrow\.js:1:35\)[\s\S]*ec> $/, { stream: 'stderr', after: mark, step: 'the stop in the swapped arrow' });
    await ask(cli, 'bt', /#0 weigh \(arrow\.js:1:35\)/);
  });

  test('an uncaught error that ends the program: node quotes no line the engine wrote into (a dispatch, a swapped closure), and the rest of what it prints is plain node\'s', async () => {
    const dir = programDir('swap-uncaught', {
      // a concise arrow and a one-line function: their lines hold their dispatches
      'one.js': ['const get = (o) => o.a.b;', 'function run(o) { return get(o); }', 'setTimeout(() => run({}), 10);', ''].join('\n'),
      // (called from a timer: a stack shorter than Error.stackTraceLimit, which V8 counts the dispatch's frame in)
      'two.js': [
        'function make(n) {',
        '  return function step(o) {',
        '    return o.v.w + n;',
        '  };',
        '}',
        'const s = make(1);',
        "setInterval(() => { if (require('node:fs').existsSync('go')) console.log('got ' + s({})); }, 20);",
        "console.log('ready ' + s({ v: { w: 1 } }));",
        '',
      ].join('\n'),
    });
    const withoutQuote = (stderr: string) => stderr.replace(NODE_QUOTE, '');
    const plainOne = spawnSync(bin, ['one.js'], { cwd: dir, encoding: 'utf8' });
    expect(plainOne.stderr).toMatch(/^\/[^\n]*one\.js:1\nconst get = \(o\) => o\.a\.b;\n +\^/);
    const one = start(['--break-on', 'none', bin, 'one.js'], dir, 'pipe', SWAP);
    expect((await exitedWithin(one, 20_000, 'one.js ended')).code).toBe(plainOne.status);
    expect(one.stderr()).toBe(withoutQuote(plainOne.stderr));

    // a closure a save swapped, whose new code reads the enclosing function's `n` through its environment
    const two = start(['--break-on', 'none', bin, 'two.js'], dir, 'pipe', SWAP);
    await two.waitFor(/ready 2/, { step: 'start' });
    const mark = two.mark('stderr');
    edit(path.join(dir, 'two.js'), 'return o.v.w + n;', 'return o.v.w + n * 2;', saveInPlace);
    await patched(two, mark, /patched two\.js: make\.step\n/, 'swap the closure');
    fs.writeFileSync(path.join(dir, 'go'), '');
    const exit = await exitedWithin(two, 20_000, 'two.js ended');
    const plainTwo = spawnSync(bin, ['two.js'], { cwd: dir, encoding: 'utf8' });
    expect(plainTwo.stderr).toMatch(/two\.js:3\n    return o\.v\.w \+ n \* 2;\n/);
    expect(exit.code).toBe(plainTwo.status);
    expect(two.stderr().slice(mark).replace(/^\[ec\][^\n]*\n/gm, '')).toBe(withoutQuote(plainTwo.stderr));
  });

  test('a #private method swaps; a swapped method that uses #private names is retried in place after a throw; `#x in o` answers at its stop', async () => {
    const dir = scratchDir('swap-private');
    const file = path.join(dir, 'world.js');
    fs.writeFileSync(file, [
      'class Entity {',
      '  #hp = 3;',
      "  #secret() { return 's1'; }",
      '  reveal() { return this.#secret() + this.#hp; }',
      '}',
      'const e = new Entity();',
      "require('node:readline').createInterface({ input: process.stdin }).on('line', () => console.log('reveal ' + e.reveal()));",
      "console.log('ready');",
      '',
    ].join('\n'));
    const cli = start([bin, 'world.js'], dir, 'pipe', SWAP);
    await cli.waitFor(/ready/, { step: 'start' });
    await ask(cli, 'r', /reveal s13\n/, 'stdout');
    // a #private method is no key of an object literal: it was refused (EC303), and so was every later save of the file
    let mark = cli.mark('stderr');
    edit(file, "return 's1';", "return 's2';", saveByRename);
    await patched(cli, mark, /patched world\.js: Entity\.#secret\n/, 'swap the #private method');
    await ask(cli, 'r', /reveal s23\n/, 'stdout');
    // the swapped-in body of reveal uses #private names, so it only parses inside its class: the
    // retry found no boundary around the throw in it, stepped out of the whole call and lost it
    mark = cli.mark('stderr');
    edit(file, 'this.#secret() + this.#hp;', 'this.#secret() + this.#hp + this.nope();', saveByRename);
    await patched(cli, mark, /patched world\.js: Entity\.reveal\n/, 'swap reveal with a bug');
    mark = cli.mark('stderr');
    cli.send('r\n');
    await cli.waitFor(/TypeError: this\.nope is not a function[\s\S]*ec> $/, { stream: 'stderr', after: mark, step: 'stop in the swapped reveal' });
    // the swapped-in body stands outside the class, where V8 cannot compile `#hp in o`: the prompt
    // answers it (a field, a method, an object without them, inside a bigger expression)
    await ask(cli, 'p #hp in this', /^true\nec> $/m);
    await ask(cli, 'p #secret in this', /^true\nec> $/m);
    await ask(cli, 'p [#hp in {}, #secret in e, #nope in this]', /^\[ false, true, false \]\nec> $/m);
    await ask(cli, 'p #hp in 1', /TypeError: Cannot use 'in' operator to search for '#hp' in 1\nec> $/);
    mark = cli.mark('stderr');
    edit(file, ' + this.nope();', " + '!';", saveByRename);
    await patched(cli, mark, /patched world\.js: Entity\.reveal\n/, 'fix reveal while paused');
    const out = cli.mark('stdout');
    await ask(cli, 'retry', /retrying reveal/);
    await cli.waitFor(/reveal s23!\n/, { after: out, step: 'the retried call answers the line' });
    expect(cli.stderr()).not.toMatch(/EC3\d\d|could not be kept/);
  });

  test("a top-level value only the top level used is freed, as under plain node; a body that starts using it is refused (EC216), one using what functions use is swapped", async () => {
    // 3·10⁶ objects (~100 MB) that only the top level reads: freed once it has run, as plain node
    // frees them (the module's eval this engine once planted kept them for good: docs/swap.md)
    const dir = programDir('freed', { 'job.js': [
      "const readline = require('node:readline');",
      'const rows = Array.from({ length: 3e6 }, (_, i) => ({ i }));',
      'let count = rows.length;',
      "class Base { tag() { return 'base'; } }",
      // a class that extends another and has #private names: its swapped method reads super through
      // the class and #runs through accessors its static block made, no eval (which would keep rows)
      "class Job extends Base { #runs = 0; tag() { this.#runs++; return super.tag() + '/job'; } }",
      'const job = new Job();',
      'function report() { return `count=${count} ${job.tag()}`; }',
      "readline.createInterface({ input: process.stdin }).on('line', () => {",
      '  globalThis.gc(); globalThis.gc();',
      "  console.log(report(), 'heapMB=' + Math.round(process.memoryUsage().heapUsed / 1e6));",
      '});',
      "console.log('ready');",
      '',
    ].join('\n') });
    const file = path.join(dir, 'job.js');
    const cli = start([bin, '--expose-gc', 'job.js'], dir, 'pipe', SWAP);
    await cli.waitFor(/ready/, { step: 'start' });
    const heap = Number((await ask(cli, '', /count=3000000 base\/job heapMB=(\d+)/, 'stdout'))[1]);
    expect(heap).toBeLessThan(40);
    let mark = cli.mark('stderr');
    edit(file, "return super.tag() + '/job';", "return super.tag() + '/JOB' + this.#runs;", saveInPlace);
    await patched(cli, mark, /patched job\.js: Job\.tag\n/, 'swap the method that uses super and #private');
    await ask(cli, '', /count=3000000 base\/JOB2 heapMB=\d+/, 'stdout');
    mark = cli.mark('stderr');
    edit(file, 'return `count=${count} ${job.tag()}`;', 'return `count=${count} first=${rows[0].i}`;', saveByRename);
    await patched(cli, mark, /not patched job\.js: report not patched: it now uses rows, a top-level variable no function used when the file loaded[^\n]*EC216/, 'refused');
    mark = cli.mark('stderr');
    edit(file, 'return `count=${count} first=${rows[0].i}`;', 'count += 1; return `count is ${count}`;', saveInPlace);
    await patched(cli, mark, /patched job\.js: report\n/, 'swap report');
    await ask(cli, '', /count is 3000001 heapMB=\d+/, 'stdout');
  });

  test('a function in a block of the top level (a loop registering handlers) reads and writes its block\'s names after a save', async () => {
    // (its block's names are in no function's scope and not the module's: once reported patched, then ReferenceError)
    const dir = programDir('blocks', { 'routes.js': [
      "const readline = require('node:readline');",
      'const handlers = {};',
      "for (const name of ['a', 'b']) {",
      '  let calls = 0;',
      '  handlers[name] = () => `${name} ${++calls}`;',
      '}',
      "readline.createInterface({ input: process.stdin }).on('line', (l) => console.log(handlers[l.trim()]()));",
      "console.log('ready');",
      '',
    ].join('\n') });
    const file = path.join(dir, 'routes.js');
    const cli = start([bin, 'routes.js'], dir, 'pipe', SWAP);
    await cli.waitFor(/ready/, { step: 'start' });
    await ask(cli, 'a', /^a 1$/m, 'stdout');
    const mark = cli.mark('stderr');
    edit(file, '`${name} ${++calls}`', '`${name.toUpperCase()} ${calls += 10}`', saveByRename);
    await patched(cli, mark, /(?<!not )patched routes\.js: /, 'swap the handler');
    expect(cli.stderr().slice(mark)).not.toMatch(/EC\d{3}/);
    // each handler keeps its own iteration's name and count
    await ask(cli, 'a', /^A 11$/m, 'stdout');
    await ask(cli, 'b', /^B 10$/m, 'stdout');
  });

  test("class constructors swap: new instances run the new one (a derived one's code after its super call); a changed super call is refused (EC210)", async () => {
    const dir = programDir('ctors', { 'orders.js': [
      "const readline = require('node:readline');",
      "class Entity { #id; constructor(id) { this.#id = id; } id() { return this.#id; } }",
      'class Order extends Entity {',
      '  #total;',
      '  constructor(id, items) {',
      '    super(id);',
      '    this.#total = items.length;',
      '  }',
      '  describe() { return `${this.id()}:${this.#total}`; }',
      '}',
      'let n = 0;',
      'const kept = new Order(0, [1]);',
      "readline.createInterface({ input: process.stdin }).on('line', () => console.log(new Order(++n, [1, 2]).describe(), kept.describe()));",
      "console.log('ready');",
      '',
    ].join('\n') });
    const file = path.join(dir, 'orders.js');
    const cli = start([bin, 'orders.js'], dir, 'pipe', SWAP);
    await cli.waitFor(/ready/, { step: 'start' });
    await ask(cli, '', /^1:2 0:1$/m, 'stdout');
    let mark = cli.mark('stderr');
    edit(file, 'this.#total = items.length;', 'this.#total = items.reduce((a, b) => a + b, 0) * 100;', saveByRename);
    await patched(cli, mark, /patched orders\.js: Order\.constructor\n/, 'swap the derived constructor');
    await ask(cli, '', /^2:300 0:1$/m, 'stdout');
    mark = cli.mark('stderr');
    edit(file, 'constructor(id) { this.#id = id; }', 'constructor(id) { this.#id = `#${id}`; }', saveInPlace);
    await patched(cli, mark, /patched orders\.js: Entity\.constructor\n/, 'swap the base constructor');
    await ask(cli, '', /^#3:300 0:1$/m, 'stdout');
    mark = cli.mark('stderr');
    edit(file, '    super(id);', '    super(id * 2);', saveInPlace);
    await patched(cli, mark, /not patched orders\.js: Order\.constructor not patched: the swapped-in code of a derived class's constructor runs after its super\(…\) call[^\n]*EC210/, 'a changed super call is refused');
    await ask(cli, '', /^#4:300 0:1$/m, 'stdout');
  });

  test('a mixin applied to two parents: a save of its method with `super` is swapped, and each class, made before or after the save, calls its own parent', async () => {
    const dir = programDir('mixin', { 'mix.js': [
      "const readline = require('node:readline');",
      "class A { hi() { return 'a'; } }",
      "class B { hi() { return 'b'; } }",
      "class C { hi() { return 'c'; } }",
      'const Counted = (Base) => class extends Base { #n = 1; get() { return this.#n + super.hi(); } tag() { return super.hi() + Base.name; } };',
      'const all = [new (Counted(A))(), new (Counted(B))()];',
      "readline.createInterface({ input: process.stdin }).on('line', (l) => { if (l === 'c') all.push(new (Counted(C))()); console.log(all.map((o) => (l === 't' ? o.tag() : o.get())).join(' ')); });",
      "console.log('ready');",
      '',
    ].join('\n') });
    const file = path.join(dir, 'mix.js');
    const cli = start([bin, 'mix.js'], dir, 'pipe', SWAP);
    await cli.waitFor(/ready/, { step: 'start' });
    let mark = cli.mark('stderr');
    edit(file, 'return this.#n + super.hi();', 'return this.#n * 10 + super.hi();', saveByRename);
    await patched(cli, mark, /patched mix\.js: class\.get\n/, 'swapped');
    await ask(cli, '', /^10a 10b$/m, 'stdout');
    // the mixin applied to a third parent after the save
    await ask(cli, 'c', /^10a 10b 10c$/m, 'stdout');
    // a method with `super` that also reads the mixin's parameter (its environment)
    mark = cli.mark('stderr');
    edit(file, 'return super.hi() + Base.name;', "return super.hi() + Base.name + '!';", saveByRename);
    await patched(cli, mark, /patched mix\.js: class\.tag\n/, 'swap tag');
    await ask(cli, 't', /^aA! bB! cC!$/m, 'stdout');
    // a stop in it: the runtime's pick of the class's method is no frame of the user's; retry runs the fix
    mark = cli.mark('stderr');
    edit(file, 'return this.#n * 10 + super.hi();', 'return this.#n * 10 + super.hi() + this.nope();', saveByRename);
    await patched(cli, mark, /patched mix\.js: class\.get\n/, 'a bug');
    mark = cli.mark('stderr');
    cli.send('\n');
    await cli.waitFor(/TypeError: this\.nope is not a function[\s\S]*ec> $/, { stream: 'stderr', after: mark, step: 'stop in the picked method' });
    const bt = await ask(cli, 'bt', />#0 get \(mix\.js:5:\d+\)\n([\s\S]*?)ec> $/);
    expect(bt[1]).not.toMatch(/edit-continue|swap-runtime|mix\.js:5/);
    mark = cli.mark('stderr');
    edit(file, ' + this.nope();', " + '!';", saveByRename);
    await patched(cli, mark, /patched mix\.js: class\.get\n/, 'the fix, while paused');
    const out = cli.mark('stdout');
    await ask(cli, 'retry', /retrying get/);
    await cli.waitFor(/^10a! 10b! 10c!$/m, { after: out, step: 'the retried call answers with each parent' });
    expect(cli.stderr()).not.toMatch(/EC214/);
  });

  test('a curried arrow (`(k) => (x) => …`): what it makes is swapped, for closures made before and after; a change of its own parameters is refused (EC210)', async () => {
    const dir = programDir('curried', { 'curry.js': [
      "const readline = require('node:readline');",
      'const scale = (k) => (x) => x * k;',
      'const double = scale(2);',
      "readline.createInterface({ input: process.stdin }).on('line', () => console.log('out ' + double(5) + ' ' + scale(3)(5)));",
      "console.log('ready');",
      '',
    ].join('\n') });
    const file = path.join(dir, 'curry.js');
    const cli = start([bin, 'curry.js'], dir, 'pipe', SWAP);
    await cli.waitFor(/ready/, { step: 'start' });
    await ask(cli, '', /^out 10 15$/m, 'stdout');
    let mark = cli.mark('stderr');
    edit(file, '(x) => x * k;', '(x) => x * k + 1;', saveByRename);
    await patched(cli, mark, /patched curry\.js: scale\.\(anonymous:2\)\n/, 'the arrow it makes');
    await ask(cli, '', /^out 11 16$/m, 'stdout');
    mark = cli.mark('stderr');
    edit(file, 'const scale = (k) => (x) => x * k + 1;', 'const scale = (k = 1) => (x) => x * k + 1;', saveInPlace);
    await patched(cli, mark, /not patched curry\.js: scale not patched: an arrow that only makes a function has no dispatch of its own[^\n]*EC210/, 'its own parameters refused');
    await ask(cli, '', /^out 11 16$/m, 'stdout');
  });

  test('a class a factory makes again and again (#private state): a save serves the instances of every class made, before the save and after', async () => {
    const dir = programDir('factory', { 'shop.js': [
      "const readline = require('node:readline');",
      'function makeCounter(step) {',
      '  return class {',
      '    #n = 0;',
      '    tick() { this.#n += step; return this.#n; }',
      '  };',
      '}',
      'const counters = [new (makeCounter(1))(), new (makeCounter(2))()];',
      "readline.createInterface({ input: process.stdin }).on('line', () => {",
      '  counters.push(new (makeCounter(counters.length + 1))());',
      "  console.log('ticks ' + counters.map((c) => c.tick()).join(','));",
      '});',
      "console.log('ready');",
      '',
    ].join('\n') });
    const file = path.join(dir, 'shop.js');
    const cli = start([bin, 'shop.js'], dir, 'pipe', SWAP);
    await cli.waitFor(/ready/, { step: 'start' });
    await ask(cli, '', /^ticks 1,2,3$/m, 'stdout');
    const mark = cli.mark('stderr');
    edit(file, 'this.#n += step; return this.#n;', 'this.#n += step * 10; return this.#n;', saveByRename);
    await patched(cli, mark, /patched shop\.js: class\.tick\n/, 'swapped');
    // the classes made before the save and the one made now each keep their own #n
    await ask(cli, '', /^ticks 11,22,33,40$/m, 'stdout');
    expect(cli.stderr().slice(mark)).not.toMatch(/TypeError|EC214/);
  });

  test('an ES module: module state, a method with super and #private', async () => {
    const dir = copyFixture('swap');
    const file = path.join(dir, 'esm.mjs');
    const cli = start([bin, 'esm.mjs'], dir, 'pipe', SWAP);
    await cli.waitFor(/ready/, { step: 'start' });
    await ask(cli, 'x', /base hi x1 seen=1 x/, 'stdout');
    const mark = cli.mark('stderr');
    edit(file, '`${super.greet()} hi x${this.#times}`', '`${super.greet()} HELLO x${this.#times * 10}`');
    await patched(cli, mark, /patched esm\.mjs: Greeter\.greet\n/, 'swap greet');
    await ask(cli, 'y', /base HELLO x20 seen=2 y/, 'stdout');
  });
});

// Node 20 cannot run TypeScript: the lines that can (none when EC_TEST_NODES=20)
const tsLines = lines.filter((l) => l.major >= 22);
if (tsLines.length) describe.each(tsLines)('$label, TypeScript', ({ bin }) => {
  const start = cliPerTest();

  test('a .ts file: the saved text is type-stripped as the load hook did, and swapped', async () => {
    const dir = copyFixture('swap');
    const file = path.join(dir, 'typed.ts');
    const cli = start([bin, 'typed.ts'], dir, 'pipe', SWAP);
    await cli.waitFor(/ready/, { step: 'start' });
    await ask(cli, '', /price 20 served=1/, 'stdout');
    const mark = cli.mark('stderr');
    edit(file, 'return item.qty * 10;', 'return (item.qty as number) * 7;', saveByRename);
    await patched(cli, mark, /patched typed\.ts: price\n/, 'swap price');
    await ask(cli, '', /price 14 served=2/, 'stdout');
  });
});
