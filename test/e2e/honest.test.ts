// "patched" is always true, and no file gets stuck (issue 12, item 1). The fixtures call every
// function through references taken when the file loaded, so an edit V8 takes but does not apply
// shows as old output. A save that would change which variables a scope keeps in a context (V8
// answers Ok and keeps the old code, docs/v8.md section 4) is refused with EC207/EC204, the rest of
// the save is applied, and the file keeps taking later saves.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ask, assertNoV8Abort, cliPerTest, copyFixture, edit, saveByRename, saveInPlace, type RunningCli, scratchDir } from '../helpers/cli';
import { engineOf, testNodes, type TestNode } from '../helpers/nodes';

async function saved(cli: RunningCli, file: string, from: string, to: string, expect: RegExp, step: string, save = saveInPlace): Promise<string> {
  const mark = cli.mark('stderr');
  edit(file, from, to, save);
  await cli.waitFor(expect, { stream: 'stderr', after: mark, step });
  return cli.stderr().slice(mark);
}

/** The greet fixture's steps, for any of its three forms. */
async function greetSteps(cli: RunningCli, file: string, name: string): Promise<void> {
  const n = name.replace('.', '\\.');
  await cli.waitFor(/ready/, { step: 'start' });
  await ask(cli, 'x', /out 1 hello 1 3 hey!/, 'stdout');

  // the issue: hello stops using greeting, the last function that did
  let out = await saved(cli, file, "return greeting + ' ' + n;", "return 'bye ' + n;",
    new RegExp(`not patched ${n}: hello not patched: it no longer uses greeting[^\\n]*EC207`), 'hello refused');
  expect(out).not.toMatch(/EC304/);
  await ask(cli, 'x', /out 2 hello 2 3 hey!/, 'stdout');

  // the next save still applies what it can: tick
  out = await saved(cli, file, 'n += 1;', 'n += 10;', new RegExp(`patched ${n}: tick\\n[\\s\\S]*EC207 hello not patched`), 'tick patched, hello still refused', saveByRename);
  await ask(cli, 'x', /out 12 hello 12 3 hey!/, 'stdout');

  // an enclosing function's variable: the closure made at load stops using a
  out = await saved(cli, file, 'return () => a + b;', 'return () => 10 * b;',
    new RegExp(`not patched ${n}: make not patched: its closure make\\.\\(anonymous:\\d+\\) no longer captures a of make[^\\n]*EC207\\n.*EC207 hello not patched`), 'closure refused');
  await ask(cli, 'x', /out 22 hello 22 3 hey!/, 'stdout');

  // putting the uses back patches both, and dropping the last-declared captured variable (suffix)
  // keeps every other slot in place, which V8 applies
  const text = fs.readFileSync(file, 'utf8')
    .replace("return 'bye ' + n;", "return greeting + ' again ' + n;")
    .replace('return () => 10 * b;', 'return () => 100 + a + b;')
    .replace("return 'hey' + suffix;", "return 'HEY';");
  const mark = cli.mark('stderr');
  saveInPlace(file, text);
  await cli.waitFor(new RegExp(`patched ${n}: hello, shout, make\\.\\(anonymous:\\d+\\)\\n`), { stream: 'stderr', after: mark, step: 'all patched' });
  expect(cli.stderr().slice(mark)).not.toMatch(/EC20[47]/);
  await ask(cli, 'x', /out 32 hello again 32 103 HEY/, 'stdout');

  // V8 now runs a text in which no function uses suffix: using it again would reshape the top level
  const text2 = fs.readFileSync(file, 'utf8').replace("return 'HEY';", "return 'hey' + suffix;").replace('n += 10;', 'n += 100;');
  const mark2 = cli.mark('stderr');
  saveByRename(file, text2);
  await cli.waitFor(new RegExp(`patched ${n}: tick\\n.*not applied:\\n.*EC204 shout not patched: it now uses top-level suffix`), { stream: 'stderr', after: mark2, step: 'suffix refused, tick patched' });
  await ask(cli, 'x', /out 132 hello again 132 103 HEY/, 'stdout');
  assertNoV8Abort(cli);
}

/**
 * The same saves under the swap engine (docs/swap.md): it compiles each changed function in its scope,
 * so none of LiveEdit's context traps exist; every save applies, and the program runs the new code
 * through the references it took at load (the closure made by make() included).
 */
async function greetStepsSwap(cli: RunningCli, file: string, name: string): Promise<void> {
  const n = name.replace('.', '\\.');
  await cli.waitFor(/ready/, { step: 'start' });
  await ask(cli, 'x', /out 1 hello 1 3 hey!/, 'stdout');
  let out = await saved(cli, file, "return greeting + ' ' + n;", "return 'bye ' + n;", new RegExp(`patched ${n}: hello\\n`), 'hello patched');
  expect(out).not.toMatch(/EC\d{3}/);
  await ask(cli, 'x', /out 2 bye 2 3 hey!/, 'stdout');
  out = await saved(cli, file, 'n += 1;', 'n += 10;', new RegExp(`patched ${n}: tick\\n`), 'tick patched', saveByRename);
  expect(out).not.toMatch(/EC\d{3}/);
  await ask(cli, 'x', /out 12 bye 12 3 hey!/, 'stdout');
  // the closure made at load stops using a: it reads b through the environment its dispatch passes
  out = await saved(cli, file, 'return () => a + b;', 'return () => 10 * b;', new RegExp(`patched ${n}: make\\.\\(anonymous:\\d+\\)\\n`), 'closure patched');
  expect(out).not.toMatch(/EC\d{3}/);
  await ask(cli, 'x', /out 22 bye 22 20 hey!/, 'stdout');
  const text = fs.readFileSync(file, 'utf8')
    .replace("return 'bye ' + n;", "return greeting + ' again ' + n;")
    .replace('return () => 10 * b;', 'return () => 100 + a + b;')
    .replace("return 'hey' + suffix;", "return 'HEY';");
  const mark = cli.mark('stderr');
  saveInPlace(file, text);
  await cli.waitFor(new RegExp(`patched ${n}: hello, shout, make\\.\\(anonymous:\\d+\\)\\n`), { stream: 'stderr', after: mark, step: 'all patched' });
  await ask(cli, 'x', /out 32 hello again 32 103 HEY/, 'stdout');
  // a top-level name no function used before (LiveEdit: EC204) is in the module's scope all the same
  const text2 = fs.readFileSync(file, 'utf8').replace("return 'HEY';", "return 'hey' + suffix;").replace('n += 10;', 'n += 100;');
  const mark2 = cli.mark('stderr');
  saveByRename(file, text2);
  await cli.waitFor(new RegExp(`patched ${n}: tick, shout\\n`), { stream: 'stderr', after: mark2, step: 'suffix used again, tick patched' });
  expect(cli.stderr().slice(mark2)).not.toMatch(/EC\d{3}/);
  await ask(cli, 'x', /out 132 hello again 132 103 hey!/, 'stdout');
  assertNoV8Abort(cli);
}

describe.each(testNodes())('node $major', (config) => {
  const { bin } = config;
  const start = cliPerTest();
  // LiveEdit answers Ok and keeps old code for these saves (docs/v8.md): the planner refuses them.
  // The swap engine has no such trap: the same saves apply, and the program runs them.
  const swap = engineOf(config) === 'swap';
  const steps = swap ? greetStepsSwap : greetSteps;

  test('CommonJS: a save that changes what the top level or a function keeps in a context is refused, the rest applies, the file is never stuck', async () => {
    const dir = copyFixture('honest');
    const cli = start([bin, 'greet.js'], dir);
    await steps(cli, path.join(dir, 'greet.js'), 'greet.js');
  });

  test('ES module: the same saves (no EC304: nothing that would reshape the module is sent)', async () => {
    const dir = copyFixture('honest');
    const cli = start([bin, 'greet.mjs'], dir);
    await steps(cli, path.join(dir, 'greet.mjs'), 'greet.mjs');
  });

  test('eval, this from an arrow, super: refused (swap: applied); a plain edit and an empty function filled in, in the same save, apply', async () => {
    const dir = copyFixture('honest');
    const file = path.join(dir, 'shapes.js');
    const cli = start([bin, 'shapes.js'], dir);
    await cli.waitFor(/ready/, { step: 'start' });
    await ask(cli, 'x', /out 2 5 2 p1 undefined/, 'stdout');
    const text = fs.readFileSync(file, 'utf8')
      .replace('return () => w;', 'return () => w + this.v * 100;')
      .replace('function evalUser() { return base + k; }', "function evalUser() { return eval('base') + k + 1; }")
      .replace('class C extends B { m() { return 2; } }', 'class C extends B { m() { return 2 + super.m(); } }')
      .replace("return 'p1';", "return 'p2';")
      .replace('function stub() {}', "function stub() { return 's1'; }");
    const mark = cli.mark('stderr');
    saveInPlace(file, text);
    if (swap) {
      // the swap engine compiles each in its own scope: the arrow gets the `this` its original passes
      // on (o), super the class's parent; the closure made at load runs it. A direct eval would not
      // see the module's names from code compiled apart from the module: refused (EC214)
      await cli.waitFor(/patched shapes\.js: o\.m\.\(anonymous:5\), C\.m, plain, stub\n/, { stream: 'stderr', after: mark, step: 'four patched' });
      await cli.waitFor(/EC214 evalUser not patched: a swapped-in body is compiled apart from its module, so a direct eval in it would not see the module's variables/, { stream: 'stderr', after: mark, step: 'eval refused' });
      expect(cli.stderr().slice(mark).match(/EC\d{3}/g)).toEqual(['EC214']);
      await ask(cli, 'x', /out 102 5 3 p2 s1/, 'stdout');
      assertNoV8Abort(cli);
      return;
    }
    await cli.waitFor(/patched shapes\.js: plain, stub\n/, { stream: 'stderr', after: mark, step: 'plain and stub patched' });
    await cli.waitFor(/EC207 C\.m not patched: it now uses `super`/, { stream: 'stderr', after: mark, step: 'super refused' });
    const out = cli.stderr().slice(mark);
    expect(out).toMatch(/EC207 o\.m not patched: its closure o\.m\.\(anonymous:\d+\) now captures `this` of o\.m/);
    // its direct eval also costs it the retry boundary it loaded with, which moves its end (docs/v8.md)
    expect(out).toMatch(/EC201 evalUser not patched: with this edit it can no longer have a retry boundary/);
    await ask(cli, 'x', /out 2 5 2 p2 s1/, 'stdout');
    assertNoV8Abort(cli);
  });

  test('a save that takes a refused change back out says the file is back to the code that runs', async () => {
    const dir = fs.realpathSync(scratchDir('honest-back'));
    const file = path.join(dir, 'port.js');
    const original = "const PORT = 3000;\nfunction port() { return PORT; }\nsetInterval(() => {}, 1000);\nconsole.log('ready', port());\n";
    fs.writeFileSync(file, original);
    const cli = start([bin, 'port.js'], dir);
    await cli.waitFor(/ready 3000/, { step: 'start' });
    // the same words and line under both engines
    await saved(cli, file, 'const PORT = 3000;', 'const PORT = 3001;', /not patched port\.js: top-level code changed \(line 1\): it ran once when the module loaded and is not run again EC201/, 'the top-level change is refused');
    const back = await saved(cli, file, 'const PORT = 3001;', 'const PORT = 3000;', /port\.js: back to the code that runs, nothing to patch/, 'taken back out');
    expect(back).not.toMatch(/not patched/);
    // and an ordinary save after it is reported as ever
    await saved(cli, file, 'return PORT;', 'return PORT + 1;', /patched port\.js: port\n/, 'a plain edit');
  });

  test('a method that calls a member its class gains in the same save is refused (EC204), the other edits apply, and the program keeps working', async () => {
    const dir = fs.realpathSync(scratchDir('honest-members'));
    const file = path.join(dir, 'world.js');
    fs.writeFileSync(file, [
      'class World {',
      '  constructor() { this.n = 0; }',
      '  reveal() { return `n=${this.n}`; }',
      "  label() { return 'v1'; }",
      '}',
      'const w = new World();',
      "require('node:readline').createInterface({ input: process.stdin }).on('line', () => { w.n++; console.log(`out ${w.reveal()} ${w.label()}`); });",
      "console.log('ready');",
      '',
    ].join('\n'));
    const cli = start([bin, 'world.js'], dir);
    await cli.waitFor(/ready/, { step: 'start' });
    await ask(cli, 'x', /out n=1 v1/, 'stdout');
    const text = fs.readFileSync(file, 'utf8')
      // (a #private method: the swap engine adds a new public one to a loaded class, docs/swap.md)
      .replace('  reveal() { return `n=${this.n}`; }', '  #extra() { return 100; }\n  reveal() { return `n=${this.n + this.#extra()}`; }')
      .replace("return 'v1';", "return 'v2';");
    const mark = cli.mark('stderr');
    saveInPlace(file, text);
    await cli.waitFor(/patched world\.js: World\.label\n/, { stream: 'stderr', after: mark, step: 'label patched' });
    await cli.waitFor(/EC204 World\.reveal not patched: it uses World\.#extra, which is new in its class/, { stream: 'stderr', after: mark, step: 'reveal refused' });
    expect(cli.stderr().slice(mark)).toMatch(/EC205/);
    // the running reveal, which works: no TypeError, no stop
    await ask(cli, 'x', /out n=2 v2/, 'stdout');
    expect(cli.stderr().slice(mark)).not.toMatch(/is not a function|ec> /);
    assertNoV8Abort(cli);
  });

  test('a JSON file the program loaded: its first save says node read it once (EC106), a later one is unchanged; the program runs on, and a save of its code patches', async () => {
    const dir = scratchDir('json-data');
    fs.writeFileSync(path.join(dir, 'conf.json'), '{ "rate": 2 }\n');
    fs.writeFileSync(path.join(dir, 'd.json'), '{ "n": 1 }\n');
    fs.writeFileSync(path.join(dir, 'app.mjs'), [
      "import { createRequire } from 'node:module';",
      "import d from './d.json' with { type: 'json' };",
      "const conf = createRequire(import.meta.url)('./conf.json');",
      'function rate() { return conf.rate; }',
      "process.stdin.on('data', () => console.log('rate ' + rate() + ' n ' + d.n));",
      "console.log('ready');",
      '',
    ].join('\n'));
    const cli = start(['-v', bin, 'app.mjs'], dir);
    await cli.waitFor(/ready/, { step: 'start' });
    await ask(cli, 'x', /rate 2 n 1\n/, 'stdout');
    const conf = path.join(dir, 'conf.json');
    let out = await saved(cli, conf, '"rate": 2', '"rate": 3', /not patched conf\.json: node read this JSON file once, when the program loaded it \(restart to use the change[^\n]*EC106 \(\d+ ms\)\n/, 'the first save of conf.json');
    expect(out).not.toMatch(/patched app\.mjs/);
    await ask(cli, 'x', /rate 2 n 1\n/, 'stdout');
    out = await saved(cli, conf, '"rate": 3', '"rate": 4', /unchanged conf\.json/, 'a later save of conf.json', saveByRename);
    expect(out).not.toMatch(/EC106/);
    // the code that reads it: patched as any
    await saved(cli, path.join(dir, 'app.mjs'), 'return conf.rate;', 'return conf.rate * 10;', /patched app\.mjs: rate \(\d+ ms\)\n/, 'rate patched');
    await ask(cli, 'x', /rate 20 n 1\n/, 'stdout');
    // an import of JSON goes through node's load hooks on Node 22+ (Node 20's ES module loader has a thread of its own)
    if (config.major >= 22) await saved(cli, path.join(dir, 'd.json'), '"n": 1', '"n": 2', /not patched d\.json: node read this JSON file once[^\n]*EC106 \(\d+ ms\)\n/, 'a save of the imported JSON');
    await ask(cli, 'x', /rate 20 n 1\n/, 'stdout');
  });

  test("a class's field: a changed initializer is said not to apply with its own reason (it runs at each new, not once), and new instances show it is true", async () => {
    const dir = fs.realpathSync(scratchDir('honest-fields'));
    const file = path.join(dir, 'fields.js');
    fs.writeFileSync(file, [
      'class Bot {',
      '  extra = 1;',
      '  static made = 0;',
      "  label() { return 'v1'; }",
      '}',
      "require('node:readline').createInterface({ input: process.stdin }).on('line', () => { const b = new Bot(); console.log(`out ${b.extra} ${b.label()} ${Bot.made}`); });",
      "console.log('ready');",
      '',
    ].join('\n'));
    const cli = start([bin, 'fields.js'], dir);
    await cli.waitFor(/ready/, { step: 'start' });
    await ask(cli, 'x', /out 1 v1 0/, 'stdout');
    const out = await saved(cli, file, 'extra = 1;', 'extra = 2;', /not patched fields\.js: the initializer of field Bot\.extra changed: the running class still gives new instances the old value[^\n]*EC205/, 'initializer refused');
    expect(out).not.toMatch(/EC201|ran once/);
    await ask(cli, 'x', /out 1 v1 0/, 'stdout');
    // (the report's lines come one by one: wait for the last)
    await saved(cli, file, "return 'v1';", "return 'v2';", /patched fields\.js: Bot\.label\n[\s\S]*EC205 the initializer of field Bot\.extra changed/, 'a method beside it', saveByRename);
    await ask(cli, 'x', /out 1 v2 0/, 'stdout');
    await saved(cli, file, 'made = 0;', 'made = 5;', /EC201 the initializer of static field Bot\.made changed: it ran once, when the class was defined, and is not run again/, 'static initializer');
    await ask(cli, 'x', /out 1 v2 0/, 'stdout');
    // a method turned into an arrow field: said as a change of kind (LiveEdit sent a text that did not parse)
    const kind = await saved(cli, file, "  label() { return 'v2'; }", "  label = () => { return 'v3'; };", /EC211 Bot\.label not patched: it changed from a method to an arrow function/, 'a method turned into an arrow field');
    expect(kind).not.toMatch(/EC303|could not compile/);
    // and said once: its lines are no 'top-level code changed' (EC201) beside it
    expect(kind).not.toMatch(/top-level code changed/);
    await ask(cli, 'x', /out 1 v2 0/, 'stdout');
    assertNoV8Abort(cli);
  });
});

describe.each(testNodes())('node $major: messages (issue 12, items 5 and 7)', ({ bin }: TestNode) => {
  const start = cliPerTest();

  test('-v says how many files are watched; a code frame has [ec] on every line; --json ms is whole milliseconds', async () => {
    const dir = copyFixture('honest');
    const file = path.join(dir, 'greet.js');
    fs.writeFileSync(path.join(dir, 'two.js'), "require('./greet.js');\n");
    const log = path.join(dir, 'events.jsonl');
    const cli = start(['-v', `--json=${log}`, bin, 'two.js'], dir);
    await cli.waitFor(/ready/, { step: 'start' });
    await cli.waitFor(/^\[ec\] watching 2 file\(s\)$/m, { stream: 'stderr', step: '-v count' });

    const out = await saved(cli, file, "return greeting + ' ' + n;", "return greeting + ' ' + ;", /\^\n/, 'syntax error reported');
    const frame = out.slice(out.lastIndexOf('\n', out.indexOf('not patched greet.js')) + 1);
    const lines = frame.slice(0, frame.indexOf('^') + 1).split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(4); // the report, two lines of code, the caret
    for (const line of lines) expect(line).toMatch(/^\[ec\] /);
    expect(lines.some((l) => /^\[ec\] +> *4 \| function hello\(\)/.test(l))).toBe(true);

    await saved(cli, file, "return greeting + ' ' + ;", "return greeting + ' bye ' + n;", /patched greet\.js: hello/, 'fixed', saveByRename);
    // the JSON lines go to their own file: wait for the patched event to be written there
    const read = () => fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; ms?: number });
    for (const end = Date.now() + 10000; !read().some((e) => e.type === 'patched') && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
    const timed = read().filter((e) => e.type === 'patched' || e.type === 'not-patched');
    expect(timed.map((e) => e.type)).toEqual(['not-patched', 'patched']);
    for (const e of timed) expect(Number.isInteger(e.ms)).toBe(true);
    assertNoV8Abort(cli);
  });

  test('a save of a file only a worker thread loaded is said, and patched in that worker', async () => {
    const dir = copyFixture('honest');
    const cli = start([bin, 'threads.js'], dir);
    await cli.waitFor(/ready/, { step: 'start' });
    await ask(cli, 'a', /worker says v1 a/, 'stdout');
    await saved(cli, path.join(dir, 'worker.js'), 'v1', 'v2', /patched worker\.js: answer \(worker \d+\)/, 'worker-only save said');
    await ask(cli, 'b', /worker says v2 b/, 'stdout');
    cli.send('quit\n');
    expect((await cli.exited).code).toBe(0);
    assertNoV8Abort(cli);
  });
});

// Node 20 cannot run .ts files; type stripping starts with Node 22.
const tsNodes = testNodes().filter((n) => n.major >= 22);
if (tsNodes.length) describe.each(tsNodes)('node $major (TypeScript)', (config) => {
  const { bin } = config;
  const start = cliPerTest();

  test('TypeScript: the same saves on the type-stripped text', async () => {
    const dir = copyFixture('honest');
    const cli = start([bin, 'greet.ts'], dir);
    await (engineOf(config) === 'swap' ? greetStepsSwap : greetSteps)(cli, path.join(dir, 'greet.ts'), 'greet.ts');
  });
});

// Controller logic, the same on every line: one node (the one running the tests).
describe('reports as the program ends', () => {
  const start = cliPerTest();

  test('files written just before the start, still being checked when the program ends, make no "not patched" lines', async () => {
    // a build or a checkout just before the start: every file is newer than the start, so each is
    // read and compared with what V8 runs; the program ends while those checks are on their way,
    // which failed them with "connection closed" (one "not patched … save again" line per file)
    const dir = scratchDir('fresh');
    const count = 1000;
    fs.mkdirSync(path.join(dir, 'mods'));
    for (let i = 0; i < count; i++) fs.writeFileSync(path.join(dir, 'mods', `m${i}.js`), `exports.f = function f${i}(x) { return x + ${i}; };\n`);
    fs.writeFileSync(path.join(dir, 'main.js'), `let s = 0;\nfor (let i = 0; i < ${count}; i++) s += require('./mods/m' + i + '.js').f(1);\nconsole.log('sum', s);\nsetTimeout(() => {}, 250);\n`);
    const cli = start(['main.js'], dir, 'ignore');
    expect((await cli.exited).code).toBe(0);
    expect(cli.stdout()).toBe(`sum ${count + (count * (count - 1)) / 2}\n`);
    expect(cli.stderr()).not.toMatch(/not patched/);
    assertNoV8Abort(cli);
  });
});
