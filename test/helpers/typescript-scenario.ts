// The scenario both TypeScript suites run on their fixture's program (src/index.ts and src/price.ts,
// CommonJS in fixtures/typescript, ES modules in fixtures/typescript-esm), once it printed `ready`: a
// method edit patched with state kept; a stop, `bt` and breakpoints in .ts lines (one inside the method
// the first save patched); a fix saved while stopped and retry; a second save in place; a syntax error.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ask, edit, saveByRename, saveInPlace, type RunningCli } from './cli';

export async function tsScenario(cli: RunningCli, dir: string): Promise<void> {
  const file = path.join(dir, 'src', 'price.ts');
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
  await ask(cli, 'bt', /#0 weight \(src\/price\.ts:18:\d+\)\n #1 readline\.createInterface\(…\)\.on\('line'\) callback \(src\/index\.ts:16:\d+\)/);
  // `locals` lists the names of price.ts; those its compiler added (esbuild's __defProp, tsc's
  // __decorate, exports) only by name, on a line of their own
  const locals = (await ask(cli, 'locals', /(?:^|\n|ec> ) {2}spec = undefined\n[\s\S]*ec> $/))[0];
  const written = fs.readFileSync(file, 'utf8');
  const inFile = (name: string) => new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(written);
  for (const [, name] of locals.matchAll(/(?:^|ec> ) {2}([\w$]+) = /gm)) expect({ name, inFile: inFile(name) }).toEqual({ name, inFile: true });
  const added = /^ {2}\(and (?:a name|\d+ names) the compiler added, not in src\/price\.ts: ([^)]*)\)$/m.exec(locals);
  for (const name of added?.[1].split(', ') ?? []) expect({ name, inFile: inFile(name) }).toEqual({ name, inFile: false });
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
}

/**
 * `count` modules src/gen/m1.ts … mN.ts, each `export const v = i`, that the fixtures' `load N`
 * command loads one after another; older than the start (no save to look at when their watch starts).
 */
export function writeTsModules(dir: string, count: number): void {
  fs.mkdirSync(path.join(dir, 'src', 'gen'));
  const past = new Date(Date.now() - 3600_000);
  for (let i = 1; i <= count; i++) {
    const file = path.join(dir, 'src', 'gen', `m${i}.ts`);
    fs.writeFileSync(file, `export const v: number = ${i};\nexport function f(x: number): number { return x + v; }\n`);
    fs.utimesSync(file, past, past);
  }
}
