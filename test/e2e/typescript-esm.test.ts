// TypeScript ES modules (issue 14): a "type": "module" program whose .ts files a loader compiles
// through its module hooks (tsx, `--loader ts-node/esm`, a register() of ts-node/esm, a loader of the
// program's own like @swc-node's), on every node line, with real saves. A save is
// compiled by the program's own loader chain (src/inject/compile-hooks.ts): an edit of a decorated
// method of a class with parameter properties, beside an enum and a module that reads import.meta and
// awaits at its top level, is patched with the program's state kept, a stop and a breakpoint speak in
// .ts lines, a fix while stopped and retry run the method again, and a broken save says why.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ask, cliPerTest, copyFixture, edit, saveByRename, saveInPlace } from '../helpers/cli';
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
  // files older than the start, as a project's are: no save to look at when their watch starts, so
  // the first compile is the one edit-continue asks for while the program runs (which lets Node 20
  // and 22 compile the fix saved while the program is stopped)
  const past = new Date(Date.now() - 3600_000);
  for (const name of fs.readdirSync(path.join(dir, 'src'))) fs.utimesSync(path.join(dir, 'src', name), past, past);
  return dir;
}

describe.each(testNodes())('$label', ({ bin }) => {
  const start = cliPerTest();

  test.each(PROGRAMS)('$name: a .ts save is patched with state kept; a stop, bt and a breakpoint speak in .ts lines; fix and retry; a broken save says why', async ({ run, engine, env }) => {
    const dir = fixture();
    const file = path.join(dir, 'src', 'price.ts');
    const cli = start([...engine, '--break-on', 'uncaught', bin, ...run], dir, 'pipe', env);
    await cli.waitFor(/ready price\.ts/, { step: 'start' });
    await ask(cli, 'p', /price 10 total 10 calls 1 tier Gold/, 'stdout');

    let mark = cli.mark('stderr');
    edit(file, 'return qty * this.rate;', 'return qty * this.rate + 1;', saveByRename);
    await cli.waitFor(/patched src\/price\.ts: Pricer\.price\n/, { stream: 'stderr', after: mark, step: 'patch price' });
    await ask(cli, 'p', /price 21 total 31 calls 2 tier Gold/, 'stdout');

    // a stop shows the .ts file and line; a breakpoint is set on a .ts line; a fix saved while
    // stopped, and retry
    mark = cli.mark('stderr');
    cli.send('w\n');
    await cli.waitFor(/at weight \(src\/price\.ts:18:\d+\)[\s\S]*> 18 \|     const kg = spec\.kg;[\s\S]*ec> $/, { stream: 'stderr', after: mark, step: 'stop at the .ts line' });
    await ask(cli, 'bt', /#0 weight \(src\/price\.ts:18:\d+\)\n #1 \(anonymous\) \(src\/index\.ts:16:\d+\)/);
    await ask(cli, 'break src/index.ts:13', /breakpoint 1 at src\/index\.ts:13\n/);
    // and one inside the method the first save patched (under the swap engine: code swapped in)
    await ask(cli, 'break src/price.ts:14', /breakpoint 2 at src\/price\.ts:14\n/);
    mark = cli.mark('stderr');
    edit(file, 'const kg = spec.kg;', 'const kg = spec?.kg ?? 2;', saveByRename);
    await cli.waitFor(/(patched|waiting) src\/price\.ts: Pricer\.weight/, { stream: 'stderr', after: mark, step: 'fix weight' });
    await ask(cli, 'retry', /weight 20 calls 2\n/, 'stdout');

    mark = cli.mark('stderr');
    cli.send('p\n');
    await cli.waitFor(/breakpoint 2 in price \(src\/price\.ts:14:\d+\)[\s\S]*> 14 \|     return qty \* this\.rate \+ 1;[\s\S]*ec> $/, { stream: 'stderr', after: mark, step: 'breakpoint in the patched method' });
    await ask(cli, 'p qty', /^3$/m);
    await ask(cli, 'clear 2', /breakpoint 2/);
    mark = cli.mark('stderr');
    cli.send('cont\n');
    await cli.waitFor(/\(src\/index\.ts:13:\d+\)[\s\S]*> 13 \|     total \+= p;[\s\S]*ec> $/, { stream: 'stderr', after: mark, step: 'breakpoint on the .ts line' });
    await ask(cli, 'p p', /^31$/m);
    await ask(cli, 'clear 1', /cleared breakpoint 1|breakpoint 1/);
    await ask(cli, 'cont', /price 31 total 62 calls 3 tier Gold/, 'stdout');

    mark = cli.mark('stderr');
    edit(file, 'return qty * this.rate + 1;', 'return qty * this.rate * 3;', saveInPlace);
    await cli.waitFor(/patched src\/price\.ts: Pricer\.price\n/, { stream: 'stderr', after: mark, step: 'patch price again' });
    await ask(cli, 'p', /price 120 total 182 calls 4 tier Gold/, 'stdout');

    mark = cli.mark('stderr');
    edit(file, 'return qty * this.rate * 3;', 'return qty * * this.rate;', saveInPlace);
    await cli.waitFor(/not patched src\/price\.ts: .*(Expected|expression expected|Unexpected)/i, { stream: 'stderr', after: mark, step: 'syntax error' });
    await ask(cli, 'p', /price 150 total 332 calls 5 tier Gold/, 'stdout');
  });
});
