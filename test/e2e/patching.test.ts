// Live patching on save, end to end: the real CLI, real node targets on every supported line,
// real files saved in place and by rename.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROMPT_END, ask as command, assertNoV8Abort, cliPerTest, copyFixture, edit, programDir, runCli, saveByRename, saveInPlace, type RunningCli } from '../helpers/cli';
import { testConfigs, useEngine } from '../helpers/nodes';
import { httpBody } from '../helpers/http';


/** Send a line and wait for the answer that comes after it. */
async function ask(cli: RunningCli, line: string, expect: RegExp): Promise<RegExpMatchArray> {
  const from = cli.mark();
  cli.send(line + '\n');
  return cli.waitFor(expect, { after: from, step: `answer to '${line}'` });
}

async function patched(cli: RunningCli, from: number, re: RegExp, step: string): Promise<void> {
  await cli.waitFor(re, { stream: 'stderr', after: from, step });
}

// The order behind a false 'patched' the edit fuzz reported once (it read the report before its
// 'not applied' lines came: test/robust/reports.ts): a refused save, then a save made while stopped
// in f that waits for f to return. The save that goes in is planned against what V8 runs, so both
// of its changes run, and nothing is said not applied.
async function refusedThenWaiting(start: ReturnType<typeof cliPerTest>, bin: string, engine: string, main: 'app.js' | 'app.ts'): Promise<void> {
  const esc = main.replace('.', '\\.');
  const dir = copyFixture('refused-then-waiting');
  const file = path.join(dir, main);
  const original = fs.readFileSync(file, 'utf8');
  const cli = start(['--json', bin, main], dir);
  await cli.waitFor(/tick f=f1 g=g1/, { step: 'program runs' });
  let mark = cli.mark('stderr');
  saveByRename(file, '');
  await patched(cli, mark, new RegExp(`not patched ${esc}: the file is empty \\(emptied, or still being written\\): the running code stays as it was[^\\n]*EC203\\n`), 'empty save refused');
  mark = cli.mark('stderr');
  cli.kill('SIGINT');
  await cli.waitFor(new RegExp(String.raw`paused[\s\S]*` + PROMPT_END), { stream: 'stderr', after: mark, step: 'interrupt pause' });
  await command(cli, `break ${main}:10`, new RegExp(`breakpoint 1 at ${esc}:10`));
  await command(cli, 'cont', new RegExp(`breakpoint 1 in f \\(${esc}:10:\\d+\\)[\\s\\S]*` + PROMPT_END));
  mark = cli.mark('stderr');
  saveByRename(file, original.replace("'f1'", "'f2'").replace("'g1'", "'g2'"));
  // LiveEdit cannot change f while it is on the stack: the save waits. The swap engine installs at
  // once (the stopped call finishes the code it started with).
  if (engine !== 'swap') await patched(cli, mark, new RegExp(`waiting ${esc}: [^\\n]*running; will apply when it returns`), 'waits: f is on the stack');
  await command(cli, 'clear 1', /removed breakpoint 1/);
  const ticks = cli.mark();
  cli.send('cont\n');
  // the report's JSON event comes after its text lines: the whole of what was said
  const event = JSON.parse((await cli.waitFor(/\{"v":1,"type":"patched",[^\n]*\}\n/, { stream: 'stderr', after: mark, step: 'applied' }))[0]) as { functions: { name: string }[]; notApplied: unknown[]; warnings: unknown[]; afterWaiting: boolean };
  expect({ ...event, functions: event.functions.map((x) => x.name).sort() }).toMatchObject({ functions: ['f', 'g'], notApplied: [], warnings: [], afterWaiting: engine !== 'swap' });
  await cli.waitFor(/tick f=f2 g=g2/, { after: ticks, step: 'f and g (called through its reference from load) run new code' });
}

describe.each(testConfigs())('$label', ({ bin, engine }) => { useEngine(engine);
  const start = cliPerTest();

  test('a stateful HTTP server is patched while it serves: state and pid kept', async () => {
    const dir = copyFixture('server');
    const file = path.join(dir, 'server.js');
    const cli = start([bin, 'server.js', '0'], dir);
    const port = Number((await cli.waitFor(/listening (\d+)/, { step: 'server start' }))[1]);
    const before = await httpBody(port, '/put?k=a&v=1');
    expect(before).toMatch(/^hello v1 hits=1 store=1 pid=(\d+)/);
    const pid = before.match(/pid=(\d+)/)![1];

    let mark = cli.mark('stderr');
    edit(file, 'hello v1', 'hello v2', saveByRename);
    await patched(cli, mark, /patched server\.js: render/, 'patch render (rename save)');
    expect(await httpBody(port)).toBe(`hello v2 hits=2 store=1 pid=${pid}\n`);

    mark = cli.mark('stderr');
    edit(file, 'hits += 1;', 'hits += 10;', saveInPlace);
    await patched(cli, mark, /patched server\.js: handle/, 'patch handle (in-place save)');
    expect(await httpBody(port)).toBe(`hello v2 hits=12 store=1 pid=${pid}\n`);

    // a second rename save keeps working (Deno's watcher stops after the first)
    mark = cli.mark('stderr');
    edit(file, 'hello v2', 'hello v3', saveByRename);
    await patched(cli, mark, /patched server\.js: render/, 'second rename save');
    expect(await httpBody(port)).toBe(`hello v3 hits=22 store=1 pid=${pid}\n`);

    cli.kill('SIGTERM');
    const exit = await cli.exited;
    expect(cli.stdout()).toMatch(/closed/); // the program's own SIGTERM handler ran
    expect(exit.code).toBe(0);
  });

  test('closures, methods of existing objects and stdin all keep working across patches', async () => {
    const dir = copyFixture('stateful');
    const file = path.join(dir, 'app.js');
    const cli = start([bin, 'app.js'], dir);
    await cli.waitFor(/ready/, { step: 'start' });
    const first = await ask(cli, 'a', /v1:A count=1 hello ada pid=(\d+)/);

    let mark = cli.mark('stderr');
    edit(file, "'v1:'", "'v2:'");
    await patched(cli, mark, /patched app\.js: describe/, 'patch describe');
    await ask(cli, 'b', /v2:B count=2 hello ada/);

    // the closure `counter` was created before this patch: it keeps n and runs the new code
    mark = cli.mark('stderr');
    edit(file, 'n += 1;', 'n += 10;', saveByRename);
    await patched(cli, mark, /patched app\.js: makeCounter\.next/, 'patch closure');
    await ask(cli, 'c', /v2:C count=12 hello ada/);

    // a method on an instance created at startup
    mark = cli.mark('stderr');
    edit(file, "'hello ' + this.name", "'hi ' + this.name.toUpperCase()");
    await patched(cli, mark, /patched app\.js: Greeter\.greet/, 'patch method');
    const last = await ask(cli, 'd', /v2:D count=22 hi ADA pid=(\d+)/);
    expect(last[1]).toBe(first[1]);

    cli.send('quit\n');
    cli.child.stdin!.end(); // as with plain node, a piped stdin keeps the program alive until it ends
    const exit = await cli.exited;
    expect(cli.stdout()).toMatch(/bye/);
    expect(exit.code).toBe(7);
  });

  test('a syntax error is refused with a code frame, and the next good save applies', async () => {
    const dir = copyFixture('stateful');
    const file = path.join(dir, 'app.js');
    const cli = start([bin, 'app.js'], dir);
    await cli.waitFor(/ready/);
    let mark = cli.mark('stderr');
    edit(file, "return 'v1:' + line.toUpperCase();", "return 'v2:' + line.toUpperCase(;");
    const m = await cli.waitFor(/not patched app\.js: SyntaxError[^\n]*\n([\s\S]*?>\s*\d+ \|[^\n]*)/, { stream: 'stderr', after: mark, step: 'syntax error reported' });
    expect(m[1]).toContain("line.toUpperCase(;");
    await ask(cli, 'a', /v1:A count=1/); // still running the old code

    mark = cli.mark('stderr');
    edit(file, 'toUpperCase(;', 'toUpperCase();');
    await patched(cli, mark, /patched app\.js: describe/, 'good save after the error');
    await ask(cli, 'b', /v2:B count=2/);
  });

  test('20 saves in a burst settle on the last one', async () => {
    const dir = copyFixture('stateful');
    const file = path.join(dir, 'app.js');
    const original = fs.readFileSync(file, 'utf8');
    const cli = start([bin, 'app.js'], dir);
    await cli.waitFor(/ready/);
    const mark = cli.mark('stderr');
    for (let i = 1; i <= 20; i++) {
      const text = original.replace("'v1:'", `'burst${i}:'`);
      if (i % 2) saveInPlace(file, text);
      else saveByRename(file, text);
    }
    await patched(cli, mark, /patched app\.js: describe/, 'burst applied');
    // let any trailing event settle, then the program must run the last version
    await new Promise((r) => setTimeout(r, 300));
    await ask(cli, 'x', /burst20:X count=1/);
    const patches = cli.stderr().slice(mark).match(/patched app\.js/g) ?? [];
    expect(patches.length).toBeLessThanOrEqual(5);
  });

  test('top-level changes are not applied and say why; body edits in the same save still apply', async () => {
    const dir = copyFixture('stateful');
    const file = path.join(dir, 'app.js');
    const cli = start([bin, 'app.js'], dir);
    await cli.waitFor(/ready/);
    let mark = cli.mark('stderr');
    // a new top-level function used by describe: V8 would answer Ok and change nothing, so LiveEdit
    // refuses it; the swap engine adds it (docs/swap.md, "Functions a save adds")
    edit(file, "function describe(line) {\n  return 'v1:' + line.toUpperCase();", "function tag() { return 'T'; }\n\nfunction describe(line) {\n  return tag() + line.toUpperCase();");
    if (engine === 'swap') {
      await patched(cli, mark, /patched app\.js: describe, tag \(new\)\n/, 'new function added');
      await ask(cli, 'a', /TA count=1/);
    } else {
      await cli.waitFor(/not patched app\.js: .*new top-level function tag.*EC202/, { stream: 'stderr', after: mark, step: 'new declaration refused' });
      await cli.waitFor(/EC204 describe not patched: it uses tag/, { stream: 'stderr', after: mark });
      await ask(cli, 'a', /v1:A count=1/);
    }

    // move the helper inside: now it applies
    mark = cli.mark('stderr');
    edit(file, "function tag() { return 'T'; }\n\nfunction describe(line) {\n", "function describe(line) {\n  function tag() { return 'T:'; }\n");
    await patched(cli, mark, /patched app\.js: describe/, 'helper inside applies');
    await ask(cli, 'b', /T:B count=2/);

    // a top-level statement changes together with a method body: the method applies, the statement is reported
    mark = cli.mark('stderr');
    edit(file, "new Greeter('ada')", "new Greeter('bob')");
    edit(file, "'hello ' + this.name", "'hey ' + this.name");
    await cli.waitFor(/patched app\.js: Greeter\.greet[\s\S]*EC201/, { stream: 'stderr', after: mark, step: 'method applied, top level reported' });
    await ask(cli, 'c', /count=3 hey ada/);
  });

  test('an edit to a function that is running waits and applies once it returns', async () => {
    const dir = copyFixture('busy');
    const file = path.join(dir, 'busy.js');
    const cli = start([bin, 'busy.js'], dir);
    await cli.waitFor(/ready/);
    const from = cli.mark();
    cli.send('2500\n');
    await cli.waitFor(/started/, { after: from, step: 'slow started' });
    const mark = cli.mark('stderr');
    edit(file, "'slow v1'", "'slow v2'");
    if (engine === 'swap') {
      // the swap engine installs at once: the running call finishes the code it started with, the next takes the new
      await patched(cli, mark, /patched busy\.js: slow\n/, 'applied at once');
      await cli.waitFor(/slow v1/, { after: from, step: 'first call returns old value', timeout: 20000 });
    } else {
      await cli.waitFor(/waiting busy\.js: slow is running; will apply when it returns/, { stream: 'stderr', after: mark, step: 'reported as waiting' });
      await cli.waitFor(/slow v1/, { after: from, step: 'first call returns old value', timeout: 20000 });
      await patched(cli, mark, /patched busy\.js: slow \(was waiting\)/, 'applied after return');
    }
    await ask(cli, '1', /slow v2/);
  });

  test('an empty save is refused; a save of f and g made while stopped in f goes in, and both run new code', () => refusedThenWaiting(start, bin, engine, 'app.js'));

  test("the program's own stack traces after saves read as plain node's on the saved files (functions that moved too): no frame of ours, callers named as called, awaiting callers kept; import() in a patched function works", async () => {
    const dir = copyFixture('own-stack');
    const app = path.join(dir, 'app.js');
    const lib = path.join(dir, 'lib.mjs');
    const commands = ['sync', 'gen', 'async', 'esm', 'arrow'];
    const cli = start([bin, 'app.js'], dir);
    await cli.waitFor(/ready/, { step: 'start' });
    const answer = async (command: string): Promise<string> => {
      const from = cli.mark();
      cli.send(command + '\n');
      return (await cli.waitFor(new RegExp(`^${command}: [\\s\\S]*?\\n--\\n`, 'm'), { after: from, step: `answer to ${command}` }))[0];
    };
    expect(await answer('esm')).toBe('esm: no error\n--\n'); // (lib.mjs loaded, and watched)
    // before any save: one-line arrows, where the swap engine's text has its dispatch in front
    const plainOf = (input: string[]) => execFileSync(bin, ['app.js'], { cwd: dir, input: input.join('\n') + '\n', encoding: 'utf8' });
    const answerIn = (out: string, c: string) => new RegExp(`^${c}: [\\s\\S]*?\\n--\\n`, 'm').exec(out)?.[0];
    expect(await answer('arrow')).toBe(answerIn(plainOf(['arrow']), 'arrow'));
    // a line added in Shape.area moves every function below it (the swap engine compiles them again
    // at their new lines); the next saves change functions on their lines
    let mark = cli.mark('stderr');
    edit(app, '    return n * 2;', "    if (n) throw new Error('area ' + n);\n    return n * 2;", saveByRename);
    await patched(cli, mark, /patched app\.js: Shape\.area\n/, 'area');
    mark = cli.mark('stderr');
    const text = fs.readFileSync(app, 'utf8')
      .replace('  yield n;', "  if (n) throw new Error('steps ' + n); yield n;")
      .replace('  return n + 1;', "  if (n) throw new Error('later ' + n); return n + 1;")
      .replace("  return import('./lib.mjs');", "  return import('./lib' + '.mjs');");
    saveInPlace(app, text);
    await patched(cli, mark, /patched app\.js: steps, later, loadLib\n/, 'steps, later, loadLib');
    mark = cli.mark('stderr');
    edit(lib, '  return n;', "  if (n) throw new Error('check ' + n);\n  return n;");
    await patched(cli, mark, /patched lib\.mjs: check\n/, 'check');
    const seen: string[] = [];
    for (const c of commands) seen.push(await answer(c));
    // plain node on the files as saved: the same answers, frame for frame, line and column
    const plain = plainOf(commands);
    for (const [i, c] of commands.entries()) expect(seen[i]).toBe(answerIn(plain, c));
    expect(seen[0]).toMatch(/^sync: Error: area 1\n {4}at Shape\.area \(app\.js:\d+:\d+\)\n {4}at inner /);
    expect(seen[2]).toMatch(/\n {4}at async /);
    expect(seen[3]).toMatch(/^esm: Error: check 1\n {4}at check \(lib\.mjs:\d+:\d+\)\n {4}at Module\.run /);
    expect(seen[4]).toMatch(/^arrow: TypeError: [^\n]*\n {4}at pick \(app\.js:\d+:\d+\)\n {4}at app\.js:\d+:\d+\n/);
  });

  test('ES modules: function bodies patch, top-level changes are reported', async () => {
    const dir = copyFixture('esm');
    const cli = start([bin, 'app.mjs'], dir);
    await cli.waitFor(/ready/);
    await ask(cli, 'a', /v1 A seen=1/);
    let mark = cli.mark('stderr');
    edit(path.join(dir, 'lib.mjs'), 's.toUpperCase()', "s.toUpperCase() + '!'", saveByRename);
    await patched(cli, mark, /patched lib\.mjs: shout/, 'patch imported module');
    mark = cli.mark('stderr');
    edit(path.join(dir, 'app.mjs'), '`v1 ', '`v2 ');
    await patched(cli, mark, /patched app\.mjs: answer/, 'patch main module');
    await ask(cli, 'b', /v2 B! seen=2/);
    mark = cli.mark('stderr');
    edit(path.join(dir, 'app.mjs'), 'let seen = 0;', 'let seen = 100;\nconst extra = 1;');
    await cli.waitFor(/not patched app\.mjs: .*extra/, { stream: 'stderr', after: mark, step: 'top-level ESM change refused' });
    await ask(cli, 'c', /v2 C! seen=3/);
  });

  test('ES modules: a one-line function saved on several lines and back patches with its lines, and nothing at the top level is left out', async () => {
    // (LiveEdit's text marks a one-line function's line for node's print of an uncaught error: the
    // mark stands inside the function, so adding or dropping it is no change of the module's own code)
    const dir = programDir('esm-one-line', {
      'app.mjs': [
        'export function price(q) { return q * 10; }',
        "import * as readline from 'node:readline';",
        "readline.createInterface({ input: process.stdin }).on('line', (l) => console.log('price ' + price(Number(l))));",
        "console.log('ready');",
        '',
      ].join('\n'),
    });
    const file = path.join(dir, 'app.mjs');
    const cli = start([bin, 'app.mjs'], dir);
    await cli.waitFor(/ready/);
    await ask(cli, '2', /price 20\n/);
    let mark = cli.mark('stderr');
    edit(file, '{ return q * 10; }', '{\n  const k = 7;\n  return q * k;\n}', saveByRename);
    await patched(cli, mark, /patched app\.mjs: price\n/, 'one line to four');
    await ask(cli, '2', /price 14\n/);
    expect(cli.stderr().slice(mark)).not.toMatch(/EC201|left out/);
    mark = cli.mark('stderr');
    edit(file, '{\n  const k = 7;\n  return q * k;\n}', '{ return q * 5; }', saveInPlace);
    await patched(cli, mark, /patched app\.mjs: price\n/, 'four lines to one');
    await ask(cli, '2', /price 10\n/);
    expect(cli.stderr().slice(mark)).not.toMatch(/EC201|left out/);
  });
});

// Node 20 cannot run .ts files at all; type stripping starts with Node 22.
const tsNodes = testConfigs().filter((n) => n.major >= 22);
if (tsNodes.length) describe.each(tsNodes)('$label (TypeScript)', ({ bin, engine }) => { useEngine(engine);
  const start = cliPerTest();

  test('an empty save is refused; a save of f and g made while stopped in f goes in, and both run new code', () => refusedThenWaiting(start, bin, engine, 'app.ts'));

  test('a .ts program run with type stripping is patched', async () => {
    const dir = copyFixture('typed');
    const file = path.join(dir, 'app.ts');
    const cli = runCli([bin, 'app.ts'], { cwd: dir });
    try {
      await cli.waitFor(/ready/, { step: 'start' });
      await ask(cli, 'pen', /v1 pen x1 total=1/);
      let mark = cli.mark('stderr');
      edit(file, 'return `v1 ${item.name} x${item.qty}`;', 'const shown: string = item.name.toUpperCase();\n  return `v2 ${shown} x${item.qty}`;', saveByRename);
      await patched(cli, mark, /patched app\.ts: label/, 'patch typed function');
      await ask(cli, 'ink', /v2 INK x2 total=2/);
      mark = cli.mark('stderr');
      edit(file, 'const shown: string', 'const shown: = ');
      await cli.waitFor(/not patched app\.ts: .*EC101/, { stream: 'stderr', after: mark, step: 'TS syntax error refused' });
      await ask(cli, 'cap', /v2 CAP x3 total=3/);
      assertNoV8Abort(cli);
    } finally {
      cli.kill('SIGKILL');
      await cli.exited;
    }
  });
});
