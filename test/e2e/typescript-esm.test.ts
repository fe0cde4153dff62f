// TypeScript ES modules (issue 14): a "type": "module" program whose .ts files a loader compiles
// through its module hooks (tsx, `--loader ts-node/esm`, a register() of ts-node/esm, a loader of the
// program's own like @swc-node's), on every node line, with real saves. A save is
// compiled by the program's own loader chain (src/inject/compile-hooks.ts): an edit of a decorated
// method of a class with parameter properties, beside an enum and a module that reads import.meta and
// awaits at its top level, is patched with the program's state kept, a stop and a breakpoint speak in
// .ts lines, a fix while stopped and retry run the method again, and a broken save says why.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ask, cliPerTest, copyFixture, edit, saveByRename, saveInPlace, until } from '../helpers/cli';
import { tsScenario, writeTsModules } from '../helpers/typescript-scenario';
import { testNodes, ROOT_DIR } from '../helpers/nodes';

const TS_NODE = { TS_NODE_TRANSPILE_ONLY: '1' };
const PROGRAMS = [
  { name: 'tsx (auto: swap)', run: ['--import', 'tsx', 'src/index.ts'], engine: [], env: {} },
  { name: 'ts-node/esm (auto)', run: ['--loader', 'ts-node/esm', 'src/index.ts'], engine: [], env: TS_NODE },
  // a loader of the program's own made like @swc-node/register/esm-register (fixtures/typescript-esm/loader)
  { name: 'a register() loader of its own (as @swc-node/register/esm-register)', run: ['--import', './loader/register.mjs', 'src/index.ts'], engine: [], env: {} },
  // the --import that node's warning for --loader suggests
  { name: 'ts-node/esm by register(), swap', run: ['--import', 'data:text/javascript,import { register } from "node:module"; import { pathToFileURL } from "node:url"; register("ts-node/esm", pathToFileURL("./"));', 'src/index.ts'], engine: ['--engine', 'swap'], env: TS_NODE },
];

function fixture(): string {
  const dir = copyFixture('typescript-esm');
  fs.symlinkSync(path.join(ROOT_DIR, 'node_modules'), path.join(dir, 'node_modules'));
  // files older than the start, as a project's are: no save to look at when their watch starts
  const past = new Date(Date.now() - 3600_000);
  for (const name of fs.readdirSync(path.join(dir, 'src'))) fs.utimesSync(path.join(dir, 'src', name), past, past);
  return dir;
}

/** Lines of edit-continue's debug log `file` that match `re`. */
function logLines(file: string, re: RegExp): string[] {
  try { return fs.readFileSync(file, 'utf8').split('\n').filter((l) => re.test(l)); } catch { return []; }
}


describe.each(testNodes())('$label', ({ bin }) => {
  const start = cliPerTest();

  test.each(PROGRAMS)('$name: a .ts save is patched with state kept; a stop, bt and a breakpoint speak in .ts lines; fix and retry; a broken save says why', async ({ run, engine, env }) => {
    const dir = fixture();
    const cli = start([...engine, '--break-on', 'uncaught', bin, ...run], dir, 'pipe', env);
    await cli.waitFor(/ready price\.ts/, { step: 'start' });
    await tsScenario(cli, dir);
  });

  // A program stopped at its start, before the controller's first compile could run (it needs the
  // program running on Node 20 and 22): a fix saved then was left waiting for the loader for as long
  // as the program stayed stopped (EC307), and retry ran the old code. The save is now compiled at
  // once through the loader's chain as the program's own load of the file went through it.
  test.each(PROGRAMS.slice(0, 2))('$name: a fix saved while the program is stopped at its start is compiled at once, and retry runs it', async ({ run, engine, env }) => {
    const dir = fixture();
    fs.writeFileSync(path.join(dir, 'src', 'early.ts'), [
      "import { step } from './step.ts';",
      'let done: number = 0;',
      'function run(items: number[]): void {',
      '  for (const x of items) done += step(x);',
      "  console.log('done', done);",
      '}',
      'run([1, 2, 0, 4]);',
      '',
    ].join('\n'));
    const step = path.join(dir, 'src', 'step.ts');
    fs.writeFileSync(step, "export function step(x: number): number {\n  if (x === 0) throw new Error('zero');\n  return 12 / x;\n}\n");
    const past = new Date(Date.now() - 3600_000);
    for (const f of ['early.ts', 'step.ts']) fs.utimesSync(path.join(dir, 'src', f), past, past);
    const cli = start([...engine, bin, ...run.slice(0, -1), 'src/early.ts'], dir, 'pipe', env);
    await cli.waitFor(/Error: zero[\s\S]*ec> $/, { stream: 'stderr', step: 'the stop at the start' });
    const mark = cli.mark('stderr');
    edit(step, "if (x === 0) throw new Error('zero');", 'if (x === 0) return 100;', saveByRename);
    // compiled at once: patched (swap), or waiting for the running step to return (LiveEdit), which retry applies
    await cli.waitFor(/patched src\/step\.ts: step\n|waiting src\/step\.ts: step is running; will apply when it returns EC301/, { stream: 'stderr', after: mark, step: 'the fix is compiled while stopped' });
    expect(cli.stderr().slice(mark)).not.toMatch(/EC307/);
    await ask(cli, 'retry', /^done 121$/m, 'stdout');
  });

  // The program's main thread waiting in a synchronous request to its loader's thread (each module
  // it loads through an off-thread loader is one on Node 22+, beside in-thread hooks): node runs our
  // evaluate there, on top of the wait, and a compile made there is a second request inside the
  // first, which took the first one's answer or lost its own: the program's module loading and every
  // later save hung (fresh-clone CI, node 24: a start check made while the program loaded modules).
  // A compile asked there runs once the wait is over (a wait longer than the loader is waited for
  // leaves the save waiting, EC307, applied when the loader answers); saves made while the program
  // imports module after module are patched, and its loading goes on.
  test('ts-node/esm: a save while the program waits on its loader thread is compiled after the wait; saves while it loads modules are patched', async () => {
    const dir = fixture();
    writeTsModules(dir, 300);
    const log = path.join(dir, 'ec-debug.log');
    const cli = start([bin, '--loader', 'ts-node/esm', '--import', './loader/hold.mjs', 'src/index.ts'], dir, 'pipe', { ...TS_NODE, EDIT_CONTINUE_DEBUG: 'patch,watch,app', EDIT_CONTINUE_DEBUG_FILE: log });
    await cli.waitFor(/ready price\.ts/, { step: 'start' });
    await ask(cli, 'p', /price 10 total 10 calls 1 tier Gold/, 'stdout');
    const file = path.join(dir, 'src', 'price.ts');

    cli.send('hold\n');
    await cli.waitFor(/^holding$/m, { stream: 'stdout', step: 'hold' });
    const busy = /inside a synchronous request or a regular expression: asking again/;
    const before = logLines(log, busy).length;
    let mark = cli.mark('stderr');
    edit(file, 'return qty * this.rate;', 'return qty * this.rate + 1;', saveByRename);
    // the compile is not made inside the program's request (which waits for the test): asked again
    await until(() => logLines(log, busy).length > before, 'the compile to be asked again after the wait');
    expect(cli.stderr().slice(mark)).not.toMatch(/patched src\/price\.ts/);
    // held longer than the loader is waited for (8 s): the save is said to wait, and is not lost
    await cli.waitFor(/waiting src\/price\.ts: the program's loader did not answer in 8 s: .*; will apply when it answers EC307/, { stream: 'stderr', after: mark, step: 'the save waits', timeout: 20_000 });
    expect(cli.stderr().slice(mark)).not.toMatch(/patched src\/price\.ts|not patched/);
    fs.writeFileSync(path.join(dir, 'release'), '');
    await cli.waitFor(/^released hold:released$/m, { stream: 'stdout', step: 'release' });
    await cli.waitFor(/patched src\/price\.ts: Pricer\.price \(was waiting\)/, { stream: 'stderr', after: mark, step: 'patched after the wait' });
    await ask(cli, 'p', /price 21 total 31 calls 2 tier Gold/, 'stdout');

    // saves while the program imports 300 modules one after another
    cli.send('load 300\n');
    for (let k = 2; k <= 4; k++) {
      mark = cli.mark('stderr');
      edit(file, /return qty \* this\.rate \+ \d+;/, `return qty * this.rate + ${k};`, saveInPlace);
      await cli.waitFor(/patched src\/price\.ts: Pricer\.price\n/, { stream: 'stderr', after: mark, step: `save ${k} while loading` })
        .catch((err: Error) => { throw new Error(`${err.message}\n--- debug log ---\n${logLines(log, /./).slice(-80).join('\n')}`); });
    }
    await cli.waitFor(/^loaded 300 sum 45150$/m, { stream: 'stdout', step: 'the loading goes on' });
    await ask(cli, 'p', /price 34 total 65 calls 3 tier Gold/, 'stdout');
  });

  // tsx (Node 22+) registers its hooks above ours and asks for each .ts file's text through them: ours
  // below it must leave that text to it (its output gets the transform above), not parse TypeScript
  // and fail, which stopped the program for an exception once per file (and counted towards giving
  // up the stops at unhandled exceptions)
  test('tsx: the .ts modules load without an exception stop (ours leave the TypeScript to tsx)', async () => {
    const dir = fixture();
    const log = path.join(dir, 'ec-debug.log');
    // tsx's own cache misses throw and catch (a read of a missing file): no cache
    const cli = start([bin, ...PROGRAMS[0].run], dir, 'pipe', { EDIT_CONTINUE_DEBUG: 'pause', EDIT_CONTINUE_DEBUG_FILE: log, TSX_DISABLE_CACHE: '1' });
    await cli.waitFor(/ready price\.ts/, { step: 'start' });
    await ask(cli, 'p', /price 10 total 10 calls 1 tier Gold/, 'stdout');
    const stops = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter((l) => /paused exception/.test(l)) : [];
    expect(stops).toEqual([]);
  });
});
