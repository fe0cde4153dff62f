// TypeScript as people run it (issue 14): a program started with a loader (tsx, ts-node/register, the
// tsx binary) or compiled by tsc, on every node line, with real saves of its .ts files. The loader compiles the save in the program
// itself (src/loaders/transform.ts); an edit of a decorated method of a class with parameter
// properties, beside an enum, is patched with the program's state kept, and again; a save the
// loader cannot compile says why and the program goes on. Node 20 without a loader is refused in one line.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ask, cliPerTest, copyFixture, edit, interruptOutside, resumedInFile, saveByRename, saveInPlace, scratchDir } from '../helpers/cli';
import { tsScenario, writeTsModules } from '../helpers/typescript-scenario';
import { testNodes, ROOT_DIR } from '../helpers/nodes';
import { transpileLikeTsc } from '../../src/loaders/tsc';

// The tsx binary starts a node of its own: edit-continue runs its loader in the node it starts instead.
// `--engine auto` takes the swap engine under tsx (it writes modules on one line, which LiveEdit
// cannot patch) and LiveEdit under ts-node where the node has it; ts-node runs with the swap engine too.
// A tsc project runs dist/index.js; a save of src/price.ts patches dist/price.js.
const TS_NODE = { TS_NODE_TRANSPILE_ONLY: '1' };
const PROGRAMS = [
  { name: 'tsx (auto: swap)', run: ['--import', 'tsx', 'src/index.ts'], engine: [], env: {}, build: false },
  { name: 'ts-node (auto: LiveEdit)', run: ['-r', 'ts-node/register', 'src/index.ts'], engine: [], env: TS_NODE, build: false },
  { name: 'the tsx binary (its loader in our node; auto: swap)', run: ['node_modules/.bin/tsx', 'src/index.ts'], engine: [], env: {}, build: false },
  { name: 'ts-node, swap', run: ['-r', 'ts-node/register', 'src/index.ts'], engine: ['--engine', 'swap'], env: TS_NODE, build: false },
  { name: 'tsc --sourceMap, node dist/index.js', run: ['dist/index.js'], engine: [], env: {}, build: true },
  { name: 'tsc --sourceMap, swap', run: ['dist/index.js'], engine: ['--engine', 'swap'], env: {}, build: true },
];

/** The fixture compiled as its build would (tsc with source maps into dist/): once, then copied. */
let builtOnce: string | null = null;
function build(dir: string): void {
  if (!builtOnce) {
    builtOnce = fixture();
    execFileSync(process.execPath, [path.join(ROOT_DIR, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: builtOnce, stdio: 'pipe' });
    // what a save is compiled to is what tsc wrote, and its map (so an unchanged save changes nothing)
    for (const name of ['index', 'price']) {
      const ts = path.join(builtOnce, 'src', `${name}.ts`);
      const js = path.join(builtOnce, 'dist', `${name}.js`);
      expect(transpileLikeTsc(ts, fs.readFileSync(ts, 'utf8'), js)).toEqual({ ok: true, text: fs.readFileSync(js, 'utf8'), map: fs.readFileSync(js + '.map', 'utf8') });
    }
  }
  fs.cpSync(path.join(builtOnce, 'dist'), path.join(dir, 'dist'), { recursive: true });
}

function fixture(): string {
  const dir = copyFixture('typescript');
  fs.symlinkSync(path.join(ROOT_DIR, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** src/NAME.ts run the three ways people do: tsx, ts-node, and tsc's output (dist/NAME.js, written by writeTs). */
function threeWays(name: string) {
  return [
    { name: 'tsx', run: ['--import', 'tsx', `src/${name}.ts`], env: {}, compiled: false },
    { name: 'ts-node', run: ['-r', 'ts-node/register', `src/${name}.ts`], env: TS_NODE, compiled: false },
    { name: 'tsc --sourceMap', run: [`dist/${name}.js`], env: {}, compiled: true },
  ];
}

/** Write src/NAME.ts and, for a tsc project, dist/NAME.js and its map as tsc writes them; the .ts path. */
function writeTs(dir: string, name: string, text: string, compiled: boolean): string {
  const file = path.join(dir, 'src', `${name}.ts`);
  fs.writeFileSync(file, text);
  if (compiled) {
    const js = path.join(dir, 'dist', `${name}.js`);
    const out = transpileLikeTsc(file, text, js);
    if (!out.ok) throw new Error(`tsc: ${JSON.stringify(out)}`);
    fs.mkdirSync(path.dirname(js), { recursive: true });
    fs.writeFileSync(js, out.text);
    fs.writeFileSync(js + '.map', out.map!);
  }
  return file;
}

describe.each(testNodes())('$label', ({ bin, major, noLiveEdit }) => {
  const start = cliPerTest();

  test.each(PROGRAMS)('$name: a .ts save is patched with state kept; a stop, bt and a breakpoint speak in .ts lines; fix and retry; a broken save says why', async ({ run, engine, env, build: compiled }) => {
    const dir = fixture();
    if (compiled) build(dir);
    // --break-on uncaught: the loaders throw and catch exceptions as they resolve files, which are not
    // this suite's subject
    const cli = start([...engine, '--break-on', 'uncaught', bin, ...run], dir, 'pipe', env);
    await cli.waitFor(/ready/, { step: 'start' });
    await tsScenario(cli, dir);
  });

  // tsx writes a module on one line: a save's method is swapped in as a copy of that line's code, so a
  // breakpoint on a .ts line must reach it (set after the save, and set before), and a stop there
  // must show the .ts line and column, mapped through the new output's own map

  // tsx's require hook compiles each .ts file with esbuild's synchronous API, which posts to esbuild's
  // worker and waits (Atomics.wait), and node runs our evaluates in an interrupt there. A compile made
  // there was a second esbuild call inside the first: each read the other's answer and both threw
  // ("Expected id 98 but got id 97"), the program's inside its require (node 24), or the program hung
  // (node 20). Saves made while the program requires module after module in one synchronous loop are
  // patched, and every module loads.
  // tsx writes modules on one line, which LiveEdit cannot patch once a line is long: however tsx is
  // started, `auto` takes the swap engine (the binary's loader is a file of tsx's package, which was
  // not recognized: LiveEdit ran, and a save of a long module answered EC208)
  test.each([
    ['--import tsx', ['--import', 'tsx']],
    ['the tsx binary', ['node_modules/.bin/tsx']],
    ['its loader file', ['--import', './node_modules/tsx/dist/loader.mjs']],
  ])('auto takes the swap engine under tsx: %s', async (_name, how) => {
    const dir = fixture();
    const cli = start(['-v', '--break-on', 'uncaught', bin, ...how, 'src/index.ts'], dir);
    await cli.waitFor(/ready/, { step: 'start' });
    // (-v's line comes once the program runs, which may print first: V8's code cache starts tsx faster)
    await cli.waitFor(/\(engine: (\w+); probe: /, { stream: 'stderr', step: 'the engine line' });
    expect(cli.stderr()).toMatch(/\(engine: swap; probe: /);
  });

  test('tsx: saves while the program requires module after module are patched, and its loading goes on', async () => {
    const dir = fixture();
    writeTsModules(dir, 1000);
    // (no cache: each module is compiled by esbuild as the program requires it)
    const cli = start([bin, '--import', 'tsx', 'src/index.ts'], dir, 'pipe', { TSX_DISABLE_CACHE: '1' });
    await cli.waitFor(/ready/, { step: 'start' });
    const file = path.join(dir, 'src', 'price.ts');
    cli.send('load 1000\n');
    for (let k = 1; k <= 3; k++) {
      const mark = cli.mark('stderr');
      edit(file, /return qty \* this\.rate(?: \+ \d+)?;/, `return qty * this.rate + ${k};`, saveInPlace);
      await cli.waitFor(/patched src\/price\.ts: Pricer\.price\n/, { stream: 'stderr', after: mark, step: `save ${k} while loading` });
    }
    await cli.waitFor(/^loaded 1000 sum 500500$/m, { stream: 'stdout', step: 'the loading goes on' });
    await ask(cli, 'p', /price 13 total 13 calls 1 tier Gold/, 'stdout');
  });
  test('tsx (swap): breakpoints set before and after a save stop in the swapped-in method at the .ts line and column', async () => {
    const dir = fixture();
    const file = path.join(dir, 'src', 'price.ts');
    const cli = start(['--break-on', 'uncaught', bin, '--import', 'tsx', 'src/index.ts'], dir, 'pipe');
    await cli.waitFor(/ready/, { step: 'start' });
    // stdin is the program's while it runs: stop it (Ctrl+C) to set the first breakpoint, then let it go
    let mark = cli.mark('stderr');
    cli.kill('SIGINT');
    await cli.waitFor(/paused (?:in|while) [\s\S]*ec> $/, { stream: 'stderr', after: mark, step: 'Ctrl+C' });
    await ask(cli, 'break src/price.ts:14', /breakpoint 1 at src\/price\.ts:14\n/);
    mark = cli.mark('stderr');
    cli.send('cont\np\n');
    // the column V8 stops at in the code loaded at start: a stop in swapped-in code must show the same
    const column = (await cli.waitFor(/breakpoint 1 in price \(src\/price\.ts:14:(\d+)\)[\s\S]*ec> $/, { stream: 'stderr', after: mark, step: 'breakpoint in the code loaded at start' }))[1];
    await ask(cli, 'break src/price.ts:19', /breakpoint 2 at src\/price\.ts:19\n/);
    await ask(cli, 'cont', /price 10 total 10 calls 1 tier Gold/, 'stdout');

    // a breakpoint set before the save stops in the swapped-in method
    mark = cli.mark('stderr');
    edit(file, 'return qty * this.rate;', 'return qty * this.rate + 1;', saveByRename);
    await cli.waitFor(/patched src\/price\.ts: Pricer\.price\n/, { stream: 'stderr', after: mark, step: 'patch price' });
    mark = cli.mark('stderr');
    cli.send('p\n');
    const stop = `price \\(src/price\\.ts:14:${column}\\)[\\s\\S]*> 14 \\|     return qty \\* this\\.rate \\+ 1;[\\s\\S]*ec> $`;
    await cli.waitFor(new RegExp(`breakpoint 1 in ${stop}`), { stream: 'stderr', after: mark, step: 'breakpoint from before the save, in the swapped-in method' });
    await ask(cli, 'p qty', /^2$/m);
    await ask(cli, 'cont', /price 21 total 31 calls 2 tier Gold/, 'stdout');

    // one set after the save, too
    mark = cli.mark('stderr');
    cli.send('w\n');
    await cli.waitFor(/at weight \(src\/price\.ts:18:\d+\)[\s\S]*ec> $/, { stream: 'stderr', after: mark, step: 'stop in weight' });
    await ask(cli, 'clear 1', /breakpoint 1/);
    await ask(cli, 'break src/price.ts:14', /breakpoint 3 at src\/price\.ts:14\n/);

    // and the breakpoint set before weight's save stops in its new code
    mark = cli.mark('stderr');
    edit(file, 'const kg = spec.kg;', 'const kg = spec?.kg ?? 2;', saveInPlace);
    await cli.waitFor(/(patched|waiting) src\/price\.ts: Pricer\.weight/, { stream: 'stderr', after: mark, step: 'fix weight' });
    mark = cli.mark('stderr');
    cli.send('retry\n');
    await cli.waitFor(/breakpoint 2 in weight \(src\/price\.ts:19:\d+\)[\s\S]*> 19 \|     return kg \* this\.rate;[\s\S]*ec> $/, { stream: 'stderr', after: mark, step: 'breakpoint from before the save, in the new code' });
    await ask(cli, 'p kg', /^2$/m);
    await ask(cli, 'cont', /weight 20 calls 2\n/, 'stdout');

    mark = cli.mark('stderr');
    cli.send('p\n');
    await cli.waitFor(new RegExp(`breakpoint 3 in ${stop}`), { stream: 'stderr', after: mark, step: 'breakpoint after the save, in the swapped-in method' });
    await ask(cli, 'p qty', /^3$/m);
    await ask(cli, 'cont', /price 31 total 62 calls 3 tier Gold/, 'stdout');
  });

  // A save moves .ts lines without moving tsx's output: a comment or a type is dropped (the same code,
  // another map), and a line added in a method moves the code after it along the module's one line.
  // Code the save left alone keeps running with the map it loaded with: the program's own error.stack
  // (node's source map cache), a stop's frames and node's print of an uncaught error named the old
  // lines until a restart (src/loaders/save-maps.ts). A method swapped in has a map of its own.
  // ts-node (LiveEdit by default) keeps lines and comments, and its own source-map-support prints the
  // program's traces from the output it compiled last: which our compile of a save went through
  test.each([
    { name: 'tsx (auto: swap)', run: ['--import', 'tsx', 'src/index.ts'], engine: [], env: {} },
    { name: 'ts-node (auto)', run: ['-r', 'ts-node/register', 'src/index.ts'], engine: [], env: TS_NODE },
    { name: 'ts-node, swap', run: ['-r', 'ts-node/register', 'src/index.ts'], engine: ['--engine', 'swap'], env: TS_NODE },
  ])('$name: after saves that move lines, the program\'s own error.stack, a stop and the uncaught error\'s print name the .ts lines the code is on now', async ({ run, engine, env }) => {
    const dir = fixture();
    const file = path.join(dir, 'src', 'price.ts');
    const cli = start([...engine, '--break-on', 'uncaught', bin, ...run], dir, 'pipe', env);
    await cli.waitFor(/ready/, { step: 'start' });
    const lineOf = (text: string) => fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;
    const stackLine = async (step: string) => {
      const m = await ask(cli, 's', /^stack at [^\n]*src\/price\.ts:(\d+):\d+\)?$/m, 'stdout');
      expect({ step, line: Number(m[1]) }).toEqual({ step, line: lineOf("new Error('here')") });
    };
    await stackLine('as loaded');
    let mark = cli.mark('stderr');
    edit(file, '// An enum', '// Two lines\n// of comment\n// An enum', saveByRename);
    await cli.waitFor(/patched src\/price\.ts: no function changed \(comments or layout\)\n/, { stream: 'stderr', after: mark, step: 'comments added' });
    await stackLine('comment lines added above');
    mark = cli.mark('stderr');
    edit(file, 'return qty * this.rate;', 'const r = this.rate;\n    return qty * r;', saveInPlace);
    await cli.waitFor(/patched src\/price\.ts: Pricer\.price\n/, { stream: 'stderr', after: mark, step: 'a line added in price' });
    await stackLine('a line added in a method above');
    await ask(cli, 'p', /price 10 total 10 calls 1 tier Gold/, 'stdout');
    mark = cli.mark('stderr');
    edit(file, "const e = new Error('here');", "const tag = 'where';\n    const e = new Error(tag);", saveByRename);
    await cli.waitFor(/patched src\/price\.ts: Pricer\.where\n/, { stream: 'stderr', after: mark, step: 'where changed' });
    {
      const m = await ask(cli, 's', /^stack at [^\n]*src\/price\.ts:(\d+):\d+\)?$/m, 'stdout');
      // (a function swapped in under tsx has a map of its own that node keeps: not on node 20 and 22,
      // where node's hook for it would run a regular expression wherever the program was, which can end
      // it: cdp/regexp-guard.ts; its line is then read through the module's map)
      if (major >= 24 || !run.includes('tsx')) expect(Number(m[1])).toBe(lineOf('const e = new Error(tag);'));
    }
    // a stop in code loaded at start: its frame and code frame, then node's own print of the error
    mark = cli.mark('stderr');
    cli.send('w\n');
    const kg = lineOf('const kg = spec.kg;');
    await cli.waitFor(new RegExp(`at weight \\(src/price\\.ts:${kg}:\\d+\\)[\\s\\S]*> ${kg} \\|     const kg = spec\\.kg;[\\s\\S]*ec> $`), { stream: 'stderr', after: mark, step: 'the stop in weight' });
    await ask(cli, 'bt', new RegExp(`#0 weight \\(src/price\\.ts:${kg}:\\d+\\)`));
    mark = cli.mark('stderr');
    cli.send('cont\n');
    await cli.waitFor(new RegExp(`src/price\\.ts:${kg}\\n[^\\n]*const kg = spec\\.kg;[\\s\\S]*TypeError[^\\n]*\\n\\s+at Pricer\\.weight \\([^\\n]*src/price\\.ts:${kg}:\\d+\\)`), { stream: 'stderr', after: mark, step: "node's print of the uncaught error" });
    expect((await cli.exited).code).toBe(1);
  });

  // tsx writes `__name(fmt,"fmt");` after each function (esbuild's keepNames), and a CommonJS module
  // inside its wrapper `(()=>{ … })()`: a new top-level function is added there as in a .js file (it
  // was refused, and before that its caller was swapped in to throw ReferenceError)
  test('tsx: a new helper function and the method that calls it are patched; a later change of the helper too; a new method of a class; a new const arrow', async () => {
    const dir = fixture();
    const file = path.join(dir, 'src', 'price.ts');
    const cli = start(['--break-on', 'uncaught', bin, '--import', 'tsx', 'src/index.ts'], dir, 'pipe');
    await cli.waitFor(/ready/, { step: 'start' });
    await ask(cli, 'p', /price 10 total 10 calls 1 tier Gold/, 'stdout');
    let mark = cli.mark('stderr');
    // (one save)
    saveByRename(file, fs.readFileSync(file, 'utf8').replace('export class Pricer {', 'function bonus(qty: number): number {\n  return qty * 100;\n}\n\nexport class Pricer {').replace('return qty * this.rate;', 'return qty * this.rate + bonus(qty);'));
    await cli.waitFor(/(?<!not )patched src\/price\.ts: (?:Pricer\.price, bonus \(new\)|bonus \(new\), Pricer\.price)\n/, { stream: 'stderr', after: mark, step: 'a new function and its caller' });
    await ask(cli, 'p', /price 220 total 230 calls 2 tier Gold/, 'stdout');
    mark = cli.mark('stderr');
    edit(file, 'return qty * 100;', 'return qty * 1000;', saveInPlace);
    await cli.waitFor(/(?<!not )patched src\/price\.ts: bonus\n/, { stream: 'stderr', after: mark, step: 'the new function changed' });
    await ask(cli, 'p', /price 3030 total 3260 calls 3 tier Gold/, 'stdout');
    // a method added to the class (in the module tsx wraps), with the method that calls it
    mark = cli.mark('stderr');
    saveByRename(file, fs.readFileSync(file, 'utf8').replace('  weight(spec', '  extra(qty: number): number {\n    return qty * 2;\n  }\n\n  weight(spec').replace('+ bonus(qty);', '+ bonus(qty) + this.extra(qty);'));
    await cli.waitFor(/(?<!not )patched src\/price\.ts: (?:Pricer\.price, Pricer\.extra \(new\)|Pricer\.extra \(new\), Pricer\.price)\n/, { stream: 'stderr', after: mark, step: 'a new method and its caller' });
    await ask(cli, 'p', /price 4048 total 7308 calls 4 tier Gold/, 'stdout');
    // a `const` holding an arrow (tsx writes `const half=__name(…,"half")`)
    mark = cli.mark('stderr');
    saveByRename(file, fs.readFileSync(file, 'utf8').replace('export class Pricer {', 'const half = (q: number): number => q / 2;\n\nexport class Pricer {').replace('+ this.extra(qty);', '+ this.extra(qty) + half(qty);'));
    await cli.waitFor(/(?<!not )patched src\/price\.ts: (?:Pricer\.price, half \(new\)|half \(new\), Pricer\.price)\n/, { stream: 'stderr', after: mark, step: 'a new const arrow and its caller' });
    await ask(cli, 'p', /price 5062\.5 total 12370\.5 calls 5 tier Gold/, 'stdout');
  });

  // tsx compiles a save with esbuild's sync API, which posts to esbuild's worker thread and waits for
  // its answer (Atomics.wait), here inside our compile, while the worker's inspector traffic passes
  // through the main thread. The program hung (the save stayed "still patching") when that worker
  // stopped at the exception it throws and catches for a syntax error (--break-on unhandled), or was
  // started by our compile and waited for us before its first line (cdp/worker-wait.ts)
  test.each([
    { name: 'a worker the program started', warm: false },
    { name: "a worker our compile starts (tsx's cache warm)", warm: true },
  ])('tsx: a syntax error compiled by $name is refused with the loader\'s error, and the program runs on', async ({ warm }) => {
    const dir = fixture();
    const file = path.join(dir, 'src', 'price.ts');
    if (warm) {
      // a first run that ends on its own (stdin closed) fills tsx's cache for these files: the second
      // one starts no esbuild worker until a compile misses it
      const first = start([bin, '--import', 'tsx', 'src/index.ts'], dir, 'pipe');
      await first.waitFor(/ready/, { step: 'first start' });
      first.child.stdin!.end();
      expect((await first.exited).code).toBe(0);
    }
    const cli = start([bin, '--import', 'tsx', 'src/index.ts'], dir, 'pipe');
    await cli.waitFor(/ready/, { step: 'start' });
    const mark = cli.mark('stderr');
    edit(file, 'return qty * this.rate;', 'return qty * * this.rate;', saveInPlace);
    await cli.waitFor(/not patched src\/price\.ts: .*Unexpected.* EC101/, { stream: 'stderr', after: mark, step: "refused with the loader's error" });
    await ask(cli, 'p', /price 10 total 10 calls 1 tier Gold/, 'stdout');
    // the next save compiles; a top-level function is named as written, not after the function tsx
    // wraps the module in (it read `(anonymous:1).logged`)
    const next = cli.mark('stderr');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('return qty * * this.rate;', 'return qty * this.rate;').replace('const orig = desc.value', 'if (!desc) return;\n  const orig = desc.value'));
    await cli.waitFor(/patched src\/price\.ts: logged\n/, { stream: 'stderr', after: next, step: 'a good save after it' });
    await ask(cli, 'p', /price 20 total 30 calls 2 tier Gold/, 'stdout');
  });

  // tsx writes each module as `__filename="…";(()=>{ … })()`: what the user wrote at the top level is
  // the body of that arrow. A change there is the file's top level (EC201), never "patched (anonymous:1)"
  test('tsx (swap): a top-level change inside the module tsx wraps is not patched (EC201); a handler change beside it is, and may use a top-level name; an idle stop reads the top level', async () => {
    const dir = fixture();
    const file = path.join(dir, 'src', 'index.ts');
    // (events to a file, to see when the program runs again after a cont)
    const events = path.join(scratchDir('tsx-events'), 'events.jsonl');
    const cli = start(['--break-on', 'uncaught', `--json=${events}`, bin, '--import', 'tsx', 'src/index.ts'], dir, 'pipe');
    await cli.waitFor(/ready/, { step: 'start' });
    let mark = cli.mark('stderr');
    edit(file, "console.log('ready');", "console.log('ready!');", saveInPlace);
    await cli.waitFor(/not patched src\/index\.ts: top-level code changed: it ran once when the module loaded and is not run again EC201/, { stream: 'stderr', after: mark, step: 'top-level change refused' });
    expect(cli.stderr().slice(mark)).not.toMatch(/\bpatched src\/index\.ts: \(anonymous/);
    await ask(cli, 'p', /price 10 total 10 calls 1 tier Gold/, 'stdout');
    mark = cli.mark('stderr');
    edit(file, 'console.log(`price ${p}', 'console.log(`PRICE ${p}', saveByRename);
    await cli.waitFor(/(?<!not )patched src\/index\.ts: [^\n]*\n[^]*EC201 top-level code changed/, { stream: 'stderr', after: mark, step: 'the handler patched, the top level still not' });
    expect(cli.stderr().slice(mark)).not.toMatch(/patched src\/index\.ts: [^\n]*\(anonymous:1\)/);
    await ask(cli, 'p', /PRICE 20 total 30 calls 2 tier Gold/, 'stdout');
    // the module's scope stands inside tsx's wrapper: the handler may start using a module it imports
    // that no function used (readline: top-level code alone used it; a module is kept, as the module
    // cache keeps it anyway), and an idle stop reads the top level
    mark = cli.mark('stderr');
    edit(file, "if (line === 'w')", "if (line === 'r') console.log('readline ' + typeof readline.createInterface);\n  if (line === 'w')", saveInPlace);
    await cli.waitFor(/(?<!not )patched src\/index\.ts: /, { stream: 'stderr', after: mark, step: 'a new use of a top-level name' });
    expect(cli.stderr().slice(mark)).not.toMatch(/EC212/);
    await ask(cli, 'r', /readline function/, 'stdout');
    // (the line is printed while the handler still returns: a Ctrl+C may stop in it)
    await interruptOutside(cli, 'src/index.ts', resumedInFile(events));
    await ask(cli, 'p calls', /(?:^|> )2\n[^\n]*\(read in the top level of src\/index\.ts/);
  });

  // A retried async call that fails again is over when it is shown: its place comes from the error's
  // own stack, which node (or the loader's source-map-support) already gave in .ts lines; it was read
  // as lines of the loader's JavaScript, and the code frame showed that JavaScript (tsx's one line and
  // its inline map). tsc's output names dist/job.js, whose .ts is shown.
  const JOB_TS = [
    '// a job whose async step fails at item 3',
    'type Item = { n: number };',
    '',
    'export async function step(item: Item): Promise<number> {',
    '  await new Promise((r) => setTimeout(r, 5));',
    "  if (item.n === 3) throw new Error('bad item ' + item.n);",
    '  return item.n * 2;',
    '}',
    '',
    'async function main(): Promise<void> {',
    "  for (let n = 1; n <= 4; n++) console.log('item', n, await step({ n }));",
    '}',
    'main();',
    '',
  ].join('\n');
  test.each(threeWays('job'))('$name: an async call retried that fails again is shown at its .ts line with the .ts code; fixed, retry finishes the job', async ({ run, env, compiled }) => {
    const dir = fixture();
    const file = writeTs(dir, 'job', JOB_TS, compiled);
    const cli = start(['--break-on', 'uncaught', bin, ...run], dir, 'pipe', env);
    await cli.waitFor(/Error: bad item 3[\s\S]*ec> $/, { stream: 'stderr', step: 'the stop' });
    let mark = cli.mark('stderr');
    cli.send('retry\n');
    const again = (await cli.waitFor(/the retried call failed too\)\n[\s\S]*ec> $/, { stream: 'stderr', after: mark, step: 'the retried call fails again' }))[0];
    expect(again).toMatch(/^ +at step \(src\/job\.ts:6:\d+\)$/m);
    expect(again).toMatch(/^> 6 \|   if \(item\.n === 3\) throw new Error\('bad item ' \+ item\.n\);$/m);
    expect(again).not.toMatch(/sourceMappingURL|__name|job\.js/);
    mark = cli.mark('stderr');
    edit(file, 'item.n === 3', 'item.n === 30', saveByRename);
    await cli.waitFor(/(?<!not )patched src\/job\.ts: step/, { stream: 'stderr', after: mark, step: 'the fix' });
    cli.send('retry\n');
    await cli.waitFor(/item 3 6\nitem 4 8\n/, { step: 'the job finishes' });
    expect((await cli.exited).code).toBe(0);
  });

  // A callback passed to a function the file imports is compiled as an argument of `(0, import_lines.onLine)(…)`
  // (esbuild), `(0, lines_1.onLine)(…)` (tsc): the save's report and the stop name it `onLine() callback`,
  // as it was written, where they read `0,import_lines.onLine() callback`
  const APP_TS = [
    '// a program whose handler is passed to a function it imports',
    "import * as readline from 'node:readline';",
    "import { onLine } from './lines';",
    '',
    'let n = 0;',
    'onLine(readline.createInterface({ input: process.stdin }), (line: string) => {',
    '  n++;',
    "  if (line === 'boom') throw new Error('boom at ' + n);",
    '  console.log(`got ${line} ${n}`);',
    '});',
    "console.log('ready');",
    '',
  ].join('\n');
  const LINES_TS = "import type { Interface } from 'node:readline';\nexport function onLine(rl: Interface, fn: (line: string) => void): void {\n  rl.on('line', fn);\n}\n";
  test.each(threeWays('app'))('$name: a callback passed to an imported function is named as written in the save report and the stop', async ({ run, env, compiled }) => {
    const dir = fixture();
    writeTs(dir, 'app', APP_TS, compiled);
    writeTs(dir, 'lines', LINES_TS, compiled);
    const cli = start(['--break-on', 'uncaught', bin, ...run], dir, 'pipe', env);
    await cli.waitFor(/ready/, { step: 'start' });
    await ask(cli, 'a', /got a 1/, 'stdout');
    const mark = cli.mark('stderr');
    edit(path.join(dir, 'src', 'app.ts'), 'console.log(`got', 'console.log(`GOT', saveByRename);
    await cli.waitFor(/(?<!not )patched src\/app\.ts: onLine\(\) callback\n/, { stream: 'stderr', after: mark, step: 'the callback patched' });
    await ask(cli, 'b', /GOT b 2/, 'stdout');
    cli.send('boom\n');
    await cli.waitFor(/Error: boom at 3[\s\S]*at onLine\(\) callback \(src\/app\.ts:8:\d+\)[\s\S]*ec> $/, { stream: 'stderr', after: mark, step: 'the stop names the callback' });
    expect(cli.stderr().slice(mark)).not.toMatch(/import_lines|lines_1|0,/);
  });

  // (not defined for the Node 27 stand-in: it has no LiveEdit to refuse with; engine.test.ts covers --engine liveedit there)
  if (!noLiveEdit) test('tsx with --engine liveedit: a save LiveEdit cannot patch is refused, not reported as patched', async () => {
    const dir = fixture();
    const file = path.join(dir, 'src', 'price.ts');
    const cli = start(['--engine', 'liveedit', '--break-on', 'uncaught', bin, '--import', 'tsx', 'src/index.ts'], dir, 'pipe');
    await cli.waitFor(/ready/, { step: 'start' });
    const mark = cli.mark('stderr');
    edit(file, 'return qty * this.rate;', 'return qty * this.rate + 1;', saveInPlace);
    await cli.waitFor(/not patched src\/price\.ts: .*800\+ characters.*--engine swap.* EC208/, { stream: 'stderr', after: mark, step: 'refused' });
    await ask(cli, 'p', /price 10 total 10 calls 1 tier Gold/, 'stdout');
  });

  // (the Node 27 stand-in has no LiveEdit) V8 patches a class's field initializer on Node 20 and 22
  // when it gets the module's text: the text sent keeps the running field, as the report says
  if (!noLiveEdit) test("tsx with --engine liveedit, CommonJS: a class field's changed initializer is said not to apply, and does not; a method beside it is patched", async () => {
    const dir = fs.realpathSync(scratchDir('ts-fields'));
    fs.symlinkSync(path.join(ROOT_DIR, 'node_modules'), path.join(dir, 'node_modules'));
    fs.writeFileSync(path.join(dir, 'package.json'), '{}\n');
    const file = path.join(dir, 'bot.ts');
    fs.writeFileSync(file, [
      'class Bot {',
      '  private extra: number = 1;',
      "  label(): string { return 'v1'; }",
      '  get(): number { return this.extra; }',
      '}',
      "require('node:readline').createInterface({ input: process.stdin }).on('line', () => { const b = new Bot(); console.log(`out ${b.get()} ${b.label()}`); });",
      "console.log('ready');",
      '',
    ].join('\n'));
    const cli = start(['--engine', 'liveedit', bin, '--import', 'tsx', 'bot.ts'], dir, 'pipe');
    await cli.waitFor(/ready/, { step: 'start' });
    await ask(cli, 'x', /out 1 v1/, 'stdout');
    const mark = cli.mark('stderr');
    saveInPlace(file, fs.readFileSync(file, 'utf8').replace('number = 1;', 'number = 2;').replace("return 'v1';", "return 'v2';"));
    await cli.waitFor(/patched bot\.ts: Bot\.label\n/, { stream: 'stderr', after: mark, step: 'label patched' });
    await cli.waitFor(/EC205 the initializer of field Bot\.extra changed/, { stream: 'stderr', after: mark, step: 'the field said' });
    expect(cli.stderr().slice(mark)).not.toMatch(/EC201/);
    await ask(cli, 'x', /out 1 v2/, 'stdout');
  });

  // (the Node 27 stand-in has no LiveEdit)
  // tsx's output of a save that adds only comments is the same code: LiveEdit has nothing to send, and
  // the lines moved all the same
  if (!noLiveEdit) test('tsx with --engine liveedit: comment lines added are "no function changed", and the program\'s error.stack and a stop name the new lines', async () => {
    const dir = fixture();
    const file = path.join(dir, 'src', 'price.ts');
    const cli = start(['--engine', 'liveedit', '--break-on', 'uncaught', bin, '--import', 'tsx', 'src/index.ts'], dir, 'pipe');
    await cli.waitFor(/ready/, { step: 'start' });
    const lineOf = (text: string) => fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;
    const mark = cli.mark('stderr');
    edit(file, '// An enum', '// Two lines\n// of comment\n// An enum', saveByRename);
    await cli.waitFor(/patched src\/price\.ts: no function changed \(comments or layout\)\n/, { stream: 'stderr', after: mark, step: 'comments added' });
    const m = await ask(cli, 's', /^stack at [^\n]*src\/price\.ts:(\d+):\d+\)?$/m, 'stdout');
    expect(Number(m[1])).toBe(lineOf("new Error('here')"));
    cli.send('w\n');
    const kg = lineOf('const kg = spec.kg;');
    await cli.waitFor(new RegExp(`at weight \\(src/price\\.ts:${kg}:\\d+\\)[\\s\\S]*> ${kg} \\|     const kg = spec\\.kg;[\\s\\S]*ec> $`), { stream: 'stderr', after: mark, step: 'the stop in weight' });
  });

  if (major < 22) {
    test('a .ts program without a loader is refused in one line that says what to use', async () => {
      const dir = fixture();
      const cli = start([bin, 'src/index.ts'], dir, 'pipe');
      const exit = await cli.exited;
      expect(exit.code).not.toBe(0);
      expect(cli.stderr().trim().split('\n')).toHaveLength(1);
      expect(cli.stderr()).toMatch(/cannot run TypeScript by itself: .*--import tsx/);
    });
  }
});
