// "Just my code" exceptions (--break-on unhandled, the default), end to end on every supported node
// line: a server on a framework that catches its handlers' errors (fixtures/framework/node_modules/
// miniroute, as Express 5 does): the prompt opens at the throw in the user's handler, `cont` lets the
// framework answer 500, and a fix + `retry` answers the waiting request with the new code. The same
// steps on real Express 5 and Fastify 5, installed from the npm registry.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ask, cliPerTest, copyFixture, edit, saveByRename, FIXTURES, type RunningCli, scratchDir } from '../helpers/cli';
import { engineOf, testNodes, type TestConfig } from '../helpers/nodes';
import { httpGet } from '../helpers/http';


const prompt = (cli: RunningCli, after: number, step: string) => cli.waitFor(/ec> $/, { stream: 'stderr', after, step });

/**
 * A server on a framework (fixtures/framework with miniroute, fixtures/framework-express and
 * framework-fastify with real Express 5 and Fastify 5): the same routes and the same two bugs, at lines and with a catcher that differ.
 */
interface FrameworkApp {
  dir: string;
  cli: RunningCli;
  port: number;
  /** The lines of the throws in priceOf and stockHandler. */
  priceLine: number;
  stockLine: number;
  /** The framework's function that catches the sync throw, as the stop names it (a regex source). */
  catcher: string;
  /** How the handlers answer: res.end (miniroute) or res.send (Express, Fastify's reply). */
  answer: 'end' | 'send';
  /** The swap engine installs a save at once; LiveEdit waits for the function stopped on the stack (EC301), and retry applies it. */
  swap: boolean;
}

/** Start an app's server under edit-continue and wait for its port. */
async function startApp(start: ReturnType<typeof cliPerTest>, config: TestConfig, dir: string, app: Omit<FrameworkApp, 'dir' | 'cli' | 'port' | 'swap'>): Promise<FrameworkApp> {
  const cli = start([config.bin, 'app.js'], dir);
  const port = Number((await cli.waitFor(/listening (\d+)/, { step: 'server up' }))[1]);
  return { ...app, dir, cli, port, swap: engineOf(config) === 'swap' };
}

/**
 * The sync handler throws, the framework catches: the prompt opens at the throw; `cont` lets the
 * framework answer 500; the next request stops again, fix + retry answers it with the new code, and
 * the request after that runs the new code without a stop.
 */
async function syncThrowContFixRetry(app: FrameworkApp): Promise<void> {
  const { cli, port } = app;
  // 1. cont: the framework handles the error as it would have
  let mark = cli.mark('stderr');
  const first = httpGet(port, '/sync');
  await cli.waitFor(new RegExp(`TypeError: Cannot read properties of undefined \\(reading 'price'\\) \\(your code does not catch it; a library does, in ${app.catcher} \\(frame \\d+\\): \`cont\` lets it handle the error\\)\\n\\s+at priceOf \\(app\\.js:${app.priceLine}:`), { stream: 'stderr', after: mark, step: 'stop at the throw in priceOf' });
  await prompt(cli, mark, 'prompt 1');
  expect(cli.stderr().slice(mark)).toMatch(new RegExp(`> +${app.priceLine} \\|   return item\\.price \\* 2;`));
  cli.send('cont\n');
  expect(await first).toEqual({ status: 500, body: "500 Cannot read properties of undefined (reading 'price')\n" });

  // 2. fix + retry: the waiting request gets the answer of the new code
  mark = cli.mark('stderr');
  const second = httpGet(port, '/sync');
  await cli.waitFor(new RegExp(`at priceOf \\(app\\.js:${app.priceLine}:`), { stream: 'stderr', after: mark, step: 'stop again' });
  await prompt(cli, mark, 'prompt 2');
  edit(path.join(app.dir, 'app.js'), 'return item.price * 2;', 'return (item ?? { price: 21 }).price * 2;', saveByRename);
  if (app.swap) {
    await cli.waitFor(/patched app\.js: priceOf\n/, { stream: 'stderr', after: mark, step: 'save while paused applies' });
    await ask(cli, 'retry', /retrying priceOf/);
  } else {
    await cli.waitFor(/waiting app\.js: priceOf is running/, { stream: 'stderr', after: mark, step: 'save while paused waits' });
    await ask(cli, 'retry', /patched app\.js: priceOf/);
  }
  expect(await second).toEqual({ status: 200, body: 'sync price 42 served 2\n' });

  // 3. the next request runs the new code and does not stop
  mark = cli.mark('stderr');
  expect(await httpGet(port, '/sync')).toEqual({ status: 200, body: 'sync price 42 served 3\n' });
  expect(await httpGet(port, '/sync', { headers: { 'x-item': '5' } })).toEqual({ status: 200, body: 'sync price 10 served 4\n' });
  expect(cli.stderr().slice(mark)).not.toMatch(/TypeError|ec> /);
}

/**
 * The async handler rejects after an await, the framework catches the promise: the prompt opens at
 * the throw; fix + retry calls the handler again and answers the waiting request; the next runs the new code.
 */
async function asyncRejectFixRetry(app: FrameworkApp): Promise<void> {
  const { cli, port } = app;
  const mark = cli.mark('stderr');
  const waiting = httpGet(port, '/async');
  await cli.waitFor(new RegExp(`TypeError: Cannot read properties of undefined \\(reading 'stock'\\) \\(your code does not catch it;[^\\n]*\\)\\n\\s+at stockHandler \\(app\\.js:${app.stockLine}:`), { stream: 'stderr', after: mark, step: 'stop at the throw in stockHandler' });
  await prompt(cli, mark, 'prompt');
  edit(path.join(app.dir, 'app.js'), `res.${app.answer}(\`stock \${entry.stock} served \${served}\\n\`);`, `res.${app.answer}(\`stock \${(entry ?? { stock: 0 }).stock} served \${served}\\n\`);`, saveByRename);
  await ask(cli, 'retry', /calling stockHandler again with the same arguments/);
  expect(await waiting).toEqual({ status: 200, body: expect.stringMatching(/^stock 0 served \d\n$/) });
  const after = cli.mark('stderr');
  expect(await httpGet(port, '/async', { headers: { 'x-name': 'known' } })).toEqual({ status: 200, body: expect.stringMatching(/^stock 3 served \d\n$/) });
  expect(cli.stderr().slice(after)).not.toMatch(/TypeError|ec> /);
}

const MINIROUTE = { priceLine: 8, stockLine: 25, catcher: 'handle', answer: 'end' } as const;
const EXPRESS = { priceLine: 9, stockLine: 26, catcher: '[\\w.$]+', answer: 'send' } as const;
const FASTIFY = { priceLine: 8, stockLine: 25, catcher: '[\\w.$]+', answer: 'send' } as const;

describe.each(testNodes())('node $major', (config) => {
  const { bin } = config;
  const swap = engineOf(config) === 'swap';
  const start = cliPerTest();

  test('a sync handler throws, the framework catches: the prompt opens at the throw; cont lets the framework answer 500; fix + retry answers the waiting request', async () => {
    const app = await startApp(start, config, copyFixture('framework'), MINIROUTE);
    // the program's own try/catch: no stop
    expect(await httpGet(app.port, '/mine')).toEqual({ status: 200, body: 'mine fallback\n' });
    expect(app.cli.stderr()).not.toMatch(/ec> /);
    await syncThrowContFixRetry(app);
  });

  test('an async handler rejects after an await, the framework catches the promise: stop at the throw; fix + retry answers the waiting request', async () => {
    await asyncRejectFixRetry(await startApp(start, config, copyFixture('framework'), MINIROUTE));
  });

  test('a program that throws and catches its own exceptions in a loop does not stop, and after a few the mode gives way to uncaught (it says so)', async () => {
    const dir = copyFixture('framework');
    const cli = start([bin, 'validate.js'], dir);
    await cli.waitFor(/validated 150287596/, { step: 'loop finishes' });
    expect((await cli.exited).code).toBe(0);
    expect(cli.stderr()).toMatch(/the program throws and catches many exceptions \(10 in 1 s that its own code caught\)[^\n]*now stopping at uncaught exceptions only/);
    expect(cli.stderr()).not.toMatch(/ec> /);
  });

  test('an async function that throws after an await: caught by the try/catch of a function awaiting it, no stop (one or two awaits up); left to a promise handler, a stop', async () => {
    const dir = copyFixture('framework');
    const cli = start([bin, 'awaited.js'], dir);
    await cli.waitFor(/deep caught no key\n/, { step: 'the awaiting callers catch it' });
    expect(cli.stdout()).toMatch(/^mine caught no key\ndeep caught no key\n/);
    const mark = cli.mark('stderr');
    await cli.waitFor(/Error: no key \(your code does not catch it; no frame on the stack does: a promise handler[^\n]*\n\s+at load \(awaited\.js:7:/, { stream: 'stderr', after: mark, step: 'stop: a promise handler takes it' });
    // the two errors the program caught did not stop it
    expect(cli.stderr().slice(0, mark)).not.toMatch(/ec> |no key/);
    await prompt(cli, mark, 'prompt');
    cli.send('cont\n');
    await cli.waitFor(/handler caught no key\ndone\n/, { step: 'the handler runs' });
    expect((await cli.exited).code).toBe(0);
  });

  test('a start that throws and catches a burst of exceptions in a library (optional dependencies looked for) still stops at a handler\'s throw afterwards', async () => {
    const dir = copyFixture('framework');
    const cli = start([bin, 'burst.js'], dir);
    const port = Number((await cli.waitFor(/listening (\d+)/, { step: 'server up' }))[1]);
    expect(cli.stdout()).toMatch(/optional dependencies found: 0\n/);
    const mark = cli.mark('stderr');
    const answer = httpGet(port, '/sync');
    await cli.waitFor(/TypeError: Cannot read properties of undefined \(reading 'price'\) \(your code does not catch it; a library does, in handle \(frame \d+\)[^\n]*\n\s+at priceOf \(app\.js:8:/, { stream: 'stderr', after: mark, step: 'stop at the throw in priceOf' });
    await prompt(cli, mark, 'prompt');
    cli.send('cont\n');
    expect(await answer).toEqual({ status: 500, body: "500 Cannot read properties of undefined (reading 'price')\n" });
    expect(cli.stderr()).not.toMatch(/throws and catches many exceptions/);
  });

  test('in a terminal (script(1)), a readline line handler throws; node\'s emitKeys catches it: stop at the throw; fix + retry; the program reads on', async () => {
    const dir = copyFixture('framework');
    const cmd = `NO_COLOR=1 ${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(__dirname, '..', '..', 'bin', 'edit-continue'))} ${JSON.stringify(bin)} rl.js`;
    const child = spawn('script', ['-qefc', cmd, '/dev/null'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += String(d).replace(/\r/g, '').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''); });
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    const until = async (re: RegExp, step: string, from = 0) => {
      for (let i = 0; i < 300 && !re.test(out.slice(from)); i++) await new Promise((r) => setTimeout(r, 50));
      if (!re.test(out.slice(from))) throw new Error(`${step}: no ${re} in:\n${out}`);
    };
    try {
      await until(/ready\n/, 'program ready');
      child.stdin.write('hi\r');
      await until(/ok hi\n/, 'first line');
      child.stdin.write('bad\r');
      await until(/Error: bad line \(your code does not catch it; node's own code does, in \w+ \(frame \d+\): `cont` lets it handle the error\)\n\s+at onLine \(rl\.js:7:/, 'stop at the throw in onLine');
      await until(/ec> $/, 'prompt');
      edit(path.join(dir, 'rl.js'), "if (line === 'bad') throw new Error('bad line');", "if (line === 'bad') return console.log('skipped bad');", saveByRename);
      await until(swap ? /patched rl\.js: onLine\n/ : /waiting rl\.js: onLine is running/, swap ? 'save applies' : 'save waits');
      let from = out.length;
      child.stdin.write('retry\r');
      await until(/skipped bad\n/, 'the retried handler', from);
      from = out.length;
      child.stdin.write('bye\r');
      await until(/ok bye\n/, 'reads on', from);
      // (the program's stdin is a pipe under edit-continue, so rl.close() does not end it: issue 13 item 4)
      expect(out).not.toMatch(/Check failed|Fatal error/);
      expect(out.match(/ec> /g)?.length).toBe(2); // the stop, and the retry typed at it: no second stop at emitKeys' rethrow
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  });

  test('catch all typed at a Ctrl+C pause of an idle server takes effect; catch unhandled turns it back', async () => {
    const dir = copyFixture('framework');
    // started with uncaught: V8's own state then has to change at the pause
    const cli = start(['--break-on', 'uncaught', bin, 'app.js'], dir);
    const port = Number((await cli.waitFor(/listening (\d+)/, { step: 'server up' }))[1]);
    // idle: nothing runs, so the pause lands in the no-op edit-continue evaluates to stop it. The
    // callback that printed `listening` can still be running when the line arrives, and the stop then
    // lands in it (node 20 and 26): go on, and press Ctrl+C again once out of the second in which a
    // second Ctrl+C ends the program.
    let stopAt = 0;
    for (let tries = 0; ; tries++) {
      stopAt = cli.mark('stderr');
      cli.kill('SIGINT');
      const where = (await cli.waitFor(/paused (?:in|while) [^\n]*/, { stream: 'stderr', after: stopAt, step: 'Ctrl+C pause of the idle server' }))[0];
      if (/paused while the program was idle/.test(where) || tries === 3) break;
      await prompt(cli, stopAt, 'prompt in the callback');
      cli.send('cont\n');
      await new Promise((r) => setTimeout(r, 1100));
    }
    // said as the program being idle, not as a frame of node's (the no-op has no file)
    await cli.waitFor(/paused while the program was idle\n\(the program was idle: nothing of it was running; set breakpoints, evaluate, cont\)\n/, { stream: 'stderr', after: stopAt, step: 'said as idle' });
    await prompt(cli, stopAt, 'prompt');
    await ask(cli, 'bt', />#0 \(the program was idle: edit-continue's no-op stopped it\)/);
    await ask(cli, 'retry', /retry: the program is stopped with nothing of the program on the stack \(it was idle\)/);
    await ask(cli, 'catch all', /stopping at every exception/);
    cli.send('cont\n');
    let mark = cli.mark('stderr');
    const mine = httpGet(port, '/mine');
    // the program's own try/catch: only `all` stops here
    await cli.waitFor(/SyntaxError: [^\n]*JSON[^\n]* \(caught\)/, { stream: 'stderr', after: mark, step: 'catch all stops at a caught exception' });
    await prompt(cli, mark, 'prompt at the caught exception');
    await ask(cli, 'catch unhandled', /stopping at exceptions your code does not catch itself/);
    cli.send('cont\n');
    expect(await mine).toEqual({ status: 200, body: 'mine fallback\n' });
    mark = cli.mark('stderr');
    expect(await httpGet(port, '/mine')).toEqual({ status: 200, body: 'mine fallback\n' });
    expect(cli.stderr().slice(mark)).not.toMatch(/SyntaxError|ec> /);
  });
});

// Real Express 5 and Fastify 5, each installed from the registry once per run into a temporary folder
// (fixtures/framework-express/package.json, fixtures/framework-fastify/package.json). If one cannot
// be installed, its tests fail and say why.
describe.each([
  { framework: 'Express', fixture: 'framework-express', lines: EXPRESS },
  { framework: 'Fastify', fixture: 'framework-fastify', lines: FASTIFY },
])('real $framework', ({ framework, fixture, lines }) => {
  let installed = '';
  beforeAll(() => {
    const dir = scratchDir(fixture);
    fs.copyFileSync(path.join(FIXTURES, fixture, 'package.json'), path.join(dir, 'package.json'));
    try {
      execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: dir, stdio: 'pipe', timeout: 120_000 });
    } catch (err) {
      const e = err as { stderr?: Buffer; message: string };
      throw new Error(`npm install of ${framework} failed (these tests need the npm registry): ${e.stderr?.toString() || e.message}`);
    }
    installed = dir;
  }, 130_000);

  /** A fresh copy of the app beside the one installed node_modules. */
  function appDir(): string {
    if (!installed) throw new Error(`${framework} was not installed (see the beforeAll error)`);
    const dir = copyFixture(fixture);
    fs.symlinkSync(path.join(installed, 'node_modules'), path.join(dir, 'node_modules'));
    return dir;
  }

  describe.each(testNodes())('node $major', (config) => {
    const start = cliPerTest();

    test('a sync handler throws: stop at the throw; cont answers 500; fix + retry answers the waiting request; the next runs the new code', async () => {
      await syncThrowContFixRetry(await startApp(start, config, appDir(), lines));
    });

    test('an async handler rejects after an await: stop at the throw; fix + retry answers the waiting request', async () => {
      await asyncRejectFixRetry(await startApp(start, config, appDir(), lines));
    });

    // the swap engine (docs/swap.md): a helper the save adds at the top level, with the function that
    // calls it, while the server keeps its state (`served`)
    test('the swap engine: a new top-level function and its caller are patched in the running server', async () => {
      const dir = appDir();
      const cli = start([config.bin, 'app.js'], dir, 'pipe', { EDIT_CONTINUE_ENGINE: 'swap' });
      const port = Number((await cli.waitFor(/listening (\d+)/, { step: 'server up' }))[1]);
      expect(await httpGet(port, '/sync', { headers: { 'x-item': '2' } })).toEqual({ status: 200, body: 'sync price 4 served 1\n' });
      const file = path.join(dir, 'app.js');
      const mark = cli.mark('stderr');
      saveByRename(file, fs.readFileSync(file, 'utf8').replace('return item.price * 2;', 'return money(item.price * 2);') + 'function money(n) {\n  return `$${n.toFixed(2)}`;\n}\n');
      await cli.waitFor(/patched app\.js: priceOf, money \(new\)\n/, { stream: 'stderr', after: mark, step: 'the save adds money' });
      expect(await httpGet(port, '/sync', { headers: { 'x-item': '2' } })).toEqual({ status: 200, body: 'sync price $4.00 served 2\n' });
    });
  });
});
