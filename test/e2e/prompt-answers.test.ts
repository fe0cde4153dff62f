// The prompt's answers are true (issue 12, items 2, 3, 4, 6 and 7's retry line), end to end on every
// supported node line with both engines: the real CLI driven through its stdin/stderr, real programs.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ask, cliPerTest, copyFixture, edit, interruptOutside, programDir, resumedOnStderr, type RunningCli } from '../helpers/cli';
import { ROOT_DIR, engineOf, testConfigs, useEngine } from '../helpers/nodes';
import { httpBody } from '../helpers/http';

const prompt = (cli: RunningCli, after: number, step: string) => cli.waitFor(/ec> $/, { stream: 'stderr', after, step });

/** Library code for framework.js: calls what it is given, and catches what it throws, as a framework does. */
const FAKELIB = `exports.each = (items, fn) => { for (const x of items) fn(x); };
exports.run = (fn) => {
  try { return fn(); } catch (err) { console.log(\`fakelib caught \${err.name}\`); }
};
exports.probe = () => {
  try { throw new Error('probe'); } catch { return 'caught inside'; }
};
`;


describe.each(testConfigs())('$label', (config) => {
  const { bin } = config;
  useEngine(config.engine);
  const start = cliPerTest();
  const services: ChildProcess[] = [];
  afterEach(() => { for (const s of services.splice(0)) s.kill('SIGKILL'); });

  test('set on a top-level let the paused function does not use changes that binding (not a global); p reads it and says where', async () => {
    const dir = copyFixture('answers');
    const cli = start([bin, 'running.js'], dir);
    await cli.waitFor(/looping/, { step: 'loop started' });
    // Ctrl+C lands in spin nearly always; when it lands at the top level (the loop, or the log just
    // before it), a breakpoint in spin brings the program there
    const mark = cli.mark('stderr');
    cli.kill('SIGINT');
    const m = await cli.waitFor(/paused in (\S+) \(running\.js/, { stream: 'stderr', after: mark, step: 'interrupt' });
    await prompt(cli, mark, 'prompt');
    if (m[1] !== 'spin') {
      await ask(cli, 'break running.js:9', /breakpoint 1 at running\.js:9/);
      await ask(cli, 'cont', /breakpoint 1 in spin/);
      await ask(cli, 'clear 1', /removed breakpoint 1/);
    }
    // both engines: no function uses `running`, so V8 keeps it only in the top level's frame (the swap
    // engine's module scope keeps what functions use: docs/swap.md)
    await ask(cli, 'p running', /(?:^|> )true\n\(read in frame 1, \(anonymous\) at running\.js:14: spin does not use it/m);
    await ask(cli, 'set running = false', /(?:^|> )running = false \(in frame 1, \(anonymous\) at running\.js:14, which holds it: spin does not use it\)$/m);
    expect(cli.stderr()).not.toMatch(/\(global\)/);
    await ask(cli, 'p running', /(?:^|> )false\n/m);
    await ask(cli, 'p globalThis.running', /(?:^|> )undefined$/m);
    cli.send('cont\n');
    await cli.waitFor(/stopped after some rounds/, { step: 'the loop sees running = false' });
    expect((await cli.exited).code).toBe(0);
  });

  test("retry of an inline async handler whose rejection nothing catches does not suggest cont (which would end the program)", async () => {
    const dir = programDir('async-inline', { 'bus.js': [
      "const { EventEmitter } = require('node:events');",
      'const bus = new EventEmitter();',
      "bus.on('job', async (n) => { if (n === 2) throw new Error('bad job ' + n); console.log('job', n); });",
      "let n = 0; setInterval(() => bus.emit('job', ++n), 50);",
      '',
    ].join('\n') });
    const cli = start([bin, 'bus.js'], dir);
    await cli.waitFor(/bad job 2/, { stream: 'stderr', step: 'the stop' });
    await cli.waitFor(/ec> $/, { stream: 'stderr', step: 'prompt' });
    const answer = await ask(cli, 'retry', /retry: .*\n/);
    expect(answer[0]).toMatch(/Nothing catches this exception: `cont` ends the program/);
    expect(answer[0]).not.toMatch(/fix the code and `cont`/);
    await ask(cli, 'p n', /(?:^|> )2$/m); // still stopped, the program alive
  });

  test('retry of a function that throws inside its own loop says that the loop starts over; retry of its callee does not', async () => {
    const dir = programDir('loop-retry', { 'batch.js': [
      'const done = [];',
      'function weigh(item) { return item.spec.weight; }',
      "const label = (id) => 'item ' + id;",
      'function runAll(items) {',
      '  for (const item of items) {',
      '    const w = item.id === 3 ? item.spec.weight : weigh(item);',
      '    done.push(label(item.id).slice(5) + ":" + w);',
      '  }',
      '  return done.join(" ");',
      '}',
      "const items = [{ id: 1, spec: { weight: 5 } }, { id: 2 }, { id: 3 }];",
      "console.log('done', runAll(items));",
      '',
    ].join('\n') });
    const cli = start([bin, 'batch.js'], dir);
    // item 2 fails in weigh, called from the loop: weigh runs again, the loop goes on where it was
    await cli.waitFor(/reading 'weight'[\s\S]*ec> $/, { stream: 'stderr', step: 'the stop in weigh' });
    await ask(cli, 'p item.spec = { weight: 7 }', /(?:^|> )\{ weight: 7 \}$/m);
    const mark = cli.mark('stderr');
    await ask(cli, 'retry', /retrying weigh\n/);
    // item 3 fails in runAll itself, inside its loop: the loop starts over, and says so
    await cli.waitFor(/reading 'weight'[\s\S]*ec> $/, { stream: 'stderr', after: mark, step: 'the stop in runAll' });
    await ask(cli, 'p item.id', /(?:^|> )3$/m);
    // an arrow shows its own name, as util.inspect gives it, in locals and p
    await ask(cli, 'locals', /^ {2}label = \[Function: label\] \(closure\)$/m);
    await ask(cli, 'p label', /(?:^|> )\[Function: label\]$/m);
    await ask(cli, 'p item.spec = { weight: 9 }', /(?:^|> )\{ weight: 9 \}$/m);
    await ask(cli, 'retry', /retrying runAll; it starts from its first line, so the loop it was in \(line 5\) starts over, and the rounds it finished run again\n/);
    // the rounds run again: item 1, item 2 (its spec kept from the set), and item 3 with the spec set
    await cli.waitFor(/done 1:5 2:7 1:5 2:7 3:9\n/, { step: 'the loop ran again from its first item' });
  });

  test('at a Ctrl+C of an idle program, p and set of its variable reach its top level under the swap engine, and say where to reach it under LiveEdit; set makes no global', async () => {
    // nothing of the program runs after its start: the stop is in node's code or in edit-continue's no-op
    const dir = programDir('idle-set', {
      'idle.js': "let processed = 41;\nconst LIMIT = 100;\nlet shared = 1;\nconst boot = 'b';\nfunction report() { return 'processed ' + processed + '/' + LIMIT + '/' + shared; }\nrequire('./lib.js');\nsetInterval(() => { processed++; }, 600000);\nconsole.log('waiting', boot);\n",
      'lib.js': 'let shared = 2;\nmodule.exports = () => shared;\n',
    });
    const cli = start(['--json', bin, 'idle.js'], dir);
    await cli.waitFor(/waiting/, { step: 'start' });
    // 'waiting' is written while the program's last line still runs: a Ctrl+C that comes then stops in
    // idle.js, where the variable is in scope (CI, node 20, once): after the last line nothing of the
    // program ever runs again
    await interruptOutside(cli, 'idle.js', resumedOnStderr(cli));
    if (engineOf(config) === 'swap') {
      // the swap engine's scope object of idle.js (docs/swap.md) reads and writes its top level, where
      // the program's own functions see the same variable
      await ask(cli, 'p processed', /(?:^|> )41\n[^\n]*\(read in the top level of idle\.js: no frame of your program is on the stack\)/);
      await ask(cli, 'set processed = 7', /(?:^|> )processed = 7 \(in the top level of idle\.js\)$/m);
      await ask(cli, 'p report()', /(?:^|> )'processed 7\/100\/1'\n/);
      await ask(cli, 'set LIMIT = 1', /set: V8 could not set LIMIT in idle\.js: TypeError: Assignment to constant variable\./);
      // two files declare it: which one is meant is not guessed
      await ask(cli, 'p shared', /ReferenceError: shared is not defined: .*shared is declared at the top level of 2 modules \((idle\.js, lib\.js|lib\.js, idle\.js)\); stop in your code to read it/);
      // a top-level value no function uses was freed, as under plain node: said so
      await ask(cli, 'p boot', /ReferenceError: boot is not defined: .*boot is a top-level variable of idle\.js that no function there uses: its value was freed once the top level ran/);
    } else {
      await ask(cli, 'p processed', /ReferenceError: processed is not defined: .*(node's code|idle).*stop in your code to read it: `break FILE:LINE` and `cont`/);
      await ask(cli, 'set processed = 0', /set: nothing changed: .*processed is not in its scope \(a new global would change nothing the program reads\)/);
    }
    await ask(cli, 'p globalThis.processed', /(?:^|> )undefined$/m);
  });

  test('locals shows the value set at this pause, as p and the program see it', async () => {
    const dir = copyFixture('answers');
    const cli = start([bin, 'ids.js'], dir);
    await prompt(cli, 0, 'debugger statement');
    await ask(cli, 'locals', /nextId = 2 \(closure\)/);
    await ask(cli, 'set nextId = 100', /(?:^|> )nextId = 100$/m);
    await ask(cli, 'locals', /nextId = 100 \(closure\)/);
    await ask(cli, 'p nextId', /(?:^|> )100$/m);
    cli.send('cont\n');
    await cli.waitFor(/ids 1,100 next 101/, { step: 'the program sees 100' });
    expect((await cli.exited).code).toBe(0);
  });

  test('bt calls node_modules frames library code; retry at a caught exception says what cont does; a library\'s own caught exception stops neither the prompt nor --json', async () => {
    const dir = copyFixture('answers');
    fs.mkdirSync(path.join(dir, 'node_modules', 'fakelib'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'node_modules', 'fakelib', 'index.js'), FAKELIB);
    const json = path.join(dir, 'events.jsonl');
    const cli = start(['--break-on', 'all', `--json=${json}`, bin, 'framework.js'], dir);
    await prompt(cli, 0, 'debugger statement');
    await ask(cli, 'bt', />#0 lib\.each\(\) callback \(framework\.js:10:\d+\)\n {3}… 1 frame of library code \(node_modules\)\n #2 \(anonymous\) \(framework\.js:9:\d+\)/);
    let mark = cli.mark('stderr');
    cli.send('cont\n');
    await cli.waitFor(/SyntaxError[^\n]*\(caught\)/, { stream: 'stderr', after: mark, step: 'caught exception stops' });
    await prompt(cli, mark, 'prompt at the caught exception');
    mark = cli.mark('stderr');
    await ask(cli, 'retry', /retry: no function on the stack has a retry boundary[^\n]*concise arrow[^\n]*`cont` passes the exception on to the code that catches it/);
    expect(cli.stderr().slice(mark)).not.toMatch(/ends as under node|node_modules|--no-boundaries/);
    cli.send('cont\n');
    await cli.waitFor(/fakelib caught SyntaxError\nprobe caught inside\ndone/, { step: 'the library catches it' });
    expect((await cli.exited).code).toBe(0);
    // the library's own caught exception stopped neither the terminal nor --json: the same two stops
    const paused = fs.readFileSync(json, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'paused');
    expect(paused.map((e) => `${e.reason} ${e.frames[0].origin} ${e.frames[0].line}`)).toEqual(['break program 10', 'exception program 13']);
    expect(cli.stderr()).not.toMatch(/Error: probe/);
  });

  test('attached to a program started without the register hook, retry says to start it with --require edit-continue/register', async () => {
    const dir = copyFixture('attach');
    const child = spawn(bin, ['--inspect=127.0.0.1:0', 'service.js'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    services.push(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    await new Promise<void>((resolve, reject) => {
      const check = () => { if (/listening \d+/.test(out) && /ws:\/\//.test(err)) resolve(); };
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      child.on('exit', () => reject(new Error(`service exited:\n${out}\n${err}`)));
    });
    const port = Number(/listening (\d+)/.exec(out)![1]);
    const inspector = /ws:\/\/127\.0\.0\.1:(\d+)\//.exec(err)![1];
    const cli = start(['attach', inspector], dir);
    await cli.waitFor(/attached to process/, { stream: 'stderr', step: 'attached' });
    void httpBody(port, '/?id=4').catch(() => {}); // throws in describe
    await cli.waitFor(/TypeError: Cannot read properties of undefined \(reading 'weight'\)/, { stream: 'stderr', step: 'stopped at the exception' });
    await prompt(cli, 0, 'prompt');
    const mark = cli.mark('stderr');
    await ask(cli, 'retry', /retry: no function on the stack has a retry boundary[^\n]*started without edit-continue's retry boundaries: start it with `node --require edit-continue\/register --inspect/);
    expect(cli.stderr().slice(mark)).not.toMatch(/node_modules|concise arrow|--no-boundaries/);
    cli.send('detach\n');
    expect((await cli.exited).code).toBe(0);
  });

  test('a program inside edit-continue\'s own folder (a clone\'s fixtures/) is watched and patched', async () => {
    const dir = fs.mkdtempSync(path.join(ROOT_DIR, 'fixtures', 'tmp-own-'));
    try {
      fs.copyFileSync(path.join(ROOT_DIR, 'fixtures', 'demo', 'shop.js'), path.join(dir, 'shop.js'));
      const cli = start([bin, path.relative(ROOT_DIR, path.join(dir, 'shop.js'))], ROOT_DIR);
      await cli.waitFor(/order  1 .* price  20 /, { step: 'first order' });
      const mark = cli.mark('stderr');
      edit(path.join(dir, 'shop.js'), 'return item.qty * 10;', 'return item.qty * 100;');
      await cli.waitFor(/patched [^\n]*shop\.js: price/, { stream: 'stderr', after: mark, step: 'patched' });
      await cli.waitFor(/price +[1-4]00 /, { step: 'the new price runs' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an async retry says "calling loadUser again" before the retried call prints anything', async () => {
    const dir = copyFixture('answers');
    const cli = start([bin, 'users.js'], dir);
    await cli.waitFor(/TypeError: Cannot read properties of undefined \(reading 'name'\)/, { stream: 'stderr', step: 'user 4 fails' });
    await prompt(cli, 0, 'prompt');
    edit(path.join(dir, 'users.js'), 'return user.name;', "return (user ?? { name: 'nobody' }).name;");
    const mark = cli.mark('stderr');
    cli.send('retry\n');
    await cli.waitFor(/user 4 nobody\nuser 5 eve/, { step: 'the retried call finishes' });
    // the program's stderr comes through ours: one stream, so the order is the order of events; its
    // stdout is another pipe, which may come first: wait for the stderr line too
    await cli.waitFor(/loading user 4\n/, { stream: 'stderr', after: mark, step: 'the retried call\'s stderr' });
    expect(cli.stderr().slice(mark)).toMatch(/calling loadUser again with the same arguments\n(?:[^\n]*\n)*?loading user 4\n/);
    expect(cli.stderr().slice(mark)).not.toMatch(/loading user 4\n(?:[^\n]*\n)*?[^\n]*calling loadUser again/);
    expect((await cli.exited).code).toBe(0);
  });
});
