// The process contract: output, exit codes, signals and user errors behave as under plain node.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NODE_QUOTE, PROMPT_END, cliPerTest, copyFixture, exitedWithin, isAlive, programDir, runCli, type RunningCli, scratchDir } from '../helpers/cli';
import { ROOT_DIR, testNodes } from '../helpers/nodes';

/**
 * Ctrl+C pauses the program once edit-continue has said `started` (the --json event); before that it
 * ends the start (test/e2e/start-interrupt.test.ts). The program may print before then.
 */
const ready = (cli: RunningCli) => cli.waitFor(/\{"v":1,"type":"started"/, { stream: 'stderr', step: 'edit-continue started' });

const BANNER = /Debugger listening|For help, see|Debugger attached|Waiting for the debugger/;

async function waitUntil(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// One engine (edit-continue's own choice): exit codes, signals and stdio do not go through the engine.
describe.each(testNodes())('$label', ({ bin, noLiveEdit }) => {
  const start = cliPerTest();

  test('exit code, stdout and stderr pass through; no inspector banners; args untouched', async () => {
    const dir = copyFixture('process');
    const cli = start([bin, 'exit.js', '3', '--port', '0', '-v'], dir, 'ignore');
    const exit = await cli.exited;
    expect(exit.code).toBe(3);
    expect(cli.stdout()).toBe('out 3 --port 0 -v\n');
    // where node has no LiveEdit, edit-continue says once which engine it took and why (its own line)
    const note = noLiveEdit ? /^\[ec\] engine: swap, because this node has no LiveEdit[^\n]*\n/ : /^/;
    expect(cli.stderr()).toMatch(note);
    expect(cli.stderr().replace(note, '')).toBe('err line\n');
    expect(cli.stderr()).not.toMatch(BANNER);
  });

  test('exit code 0 and a program that runs to its end without waiting for the debugger', async () => {
    const dir = copyFixture('process');
    const started = Date.now();
    const cli = start([bin, 'exit.js', '0'], dir, 'ignore');
    const exit = await cli.exited;
    expect(exit.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10000);
    expect(cli.stderr()).not.toMatch(BANNER);
  });

  test('stdin is forwarded, and its end reaches the program', async () => {
    const dir = copyFixture('process');
    const cli = start([bin, 'echo.js'], dir);
    cli.send('hello ');
    await cli.waitFor(/hello /, { step: 'first chunk echoed' });
    cli.send('world\n');
    cli.child.stdin!.end();
    const exit = await cli.exited;
    expect(exit.code).toBe(0);
    expect(cli.stdout()).toBe('hello world\n\nbytes 12\n');
  });

  test.each(['SIGTERM', 'SIGHUP'] as NodeJS.Signals[])('%s to edit-continue ends the program; exit is 128+n', async (signal) => {
    const dir = copyFixture('process');
    const cli = start([bin, 'wait.js'], dir);
    const pid = Number((await cli.waitFor(/pid (\d+)/))[1]);
    cli.kill(signal);
    const exit = await cli.exited;
    const n = { SIGTERM: 15, SIGHUP: 1 }[signal as 'SIGTERM'];
    expect(exit.code).toBe(128 + n);
    await waitUntil(() => !isAlive(pid), 5000, 'program gone');
  });

  test('Ctrl+C pauses an idle program and opens the prompt; cont lets it go on; Ctrl+C twice ends it with 130', async () => {
    const dir = copyFixture('process');
    // --json: the `resumed` event tells when cont has let the program go (the prompt prints nothing then)
    const cli = start(['--json', bin, 'wait.js'], dir);
    const pid = Number((await cli.waitFor(/pid (\d+)/))[1]);
    await ready(cli);
    const PAUSING = /pausing… \(Ctrl\+C again to end the program\)/; // said as soon as a Ctrl+C is taken
    cli.kill('SIGINT');
    await cli.waitFor(PAUSING, { stream: 'stderr', step: 'Ctrl+C taken' });
    const firstTaken = Date.now();
    await cli.waitFor(new RegExp(String.raw`paused (?:in|while)[\s\S]*` + PROMPT_END), { stream: 'stderr', step: 'prompt on an idle program' });
    expect(isAlive(pid)).toBe(true);
    let mark = cli.mark('stderr');
    cli.send('cont\n');
    await cli.waitFor(/"type":"resumed"/, { stream: 'stderr', after: mark, step: 'cont lets it go' });
    expect(isAlive(pid)).toBe(true);
    // The next Ctrl+C must not make a pair with the first: edit-continue counts two within a second
    // (of its own clock, which read before it said 'pausing…') as "end the program". So the test lets
    // that second pass, as a person would, and then presses twice: the second once the first is taken.
    const rest = 1100 - (Date.now() - firstTaken);
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    mark = cli.mark('stderr');
    cli.kill('SIGINT');
    await cli.waitFor(PAUSING, { stream: 'stderr', after: mark, step: 'Ctrl+C taken, again' });
    expect(cli.stderr().slice(mark)).not.toMatch(/ending the program/);
    cli.kill('SIGINT');
    const exit = await cli.exited;
    expect(exit.code).toBe(130);
    expect(cli.stderr().slice(mark)).toMatch(/ending the program \(Ctrl\+C twice\)/);
    await waitUntil(() => !isAlive(pid), 5000, 'program gone');
  });

  test('SIGTERM while the program is paused at the prompt lets it go and ends it (143)', async () => {
    const dir = copyFixture('pause');
    const cli = start(['--json', bin, 'spin.js'], dir);
    await cli.waitFor(/looping/, { step: 'loop started' });
    await ready(cli);
    cli.kill('SIGINT');
    // the prompt, at the start of a line: with --json the paused event may follow it on the same stream
    await cli.waitFor(/^ec> /m, { stream: 'stderr', step: 'prompt' });
    cli.kill('SIGTERM');
    const exit = await cli.exited;
    expect(exit.code).toBe(143);
  });

  test('SIGKILL of edit-continue does not leave the program running', async () => {
    const dir = copyFixture('process');
    const cli = start([bin, 'wait.js'], dir);
    const pid = Number((await cli.waitFor(/pid (\d+)/))[1]);
    expect(isAlive(pid)).toBe(true);
    cli.kill('SIGKILL');
    await waitUntil(() => !isAlive(pid), 8000, 'program ended after its controller was killed');
  });

  test('the program killed outright (SIGKILL from elsewhere): edit-continue exits at once with 137, and its lifeline watcher is gone', async () => {
    const dir = copyFixture('process');
    const cli = start([bin, 'wait.js'], dir);
    const pid = Number((await cli.waitFor(/pid (\d+)/))[1]);
    // the watcher of the lifeline (a shell the program started: inject/preload.ts) holds the program's
    // end of it: the controller must not wait for that end to close
    const watchers = () => fs.readdirSync('/proc').filter((p) => {
      try { return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').includes(String(pid)) && /edit-continue-lifeline/.test(fs.readFileSync(`/proc/${p}/cmdline`, 'utf8')); } catch { return false; }
    });
    expect(watchers()).toHaveLength(1);
    process.kill(pid, 'SIGKILL');
    const exit = await exitedWithin(cli, 10000, 'edit-continue after its program was killed');
    expect(exit.code).toBe(137);
    await waitUntil(() => watchers().length === 0, 5000, 'the lifeline watcher ended');
  });

  test('Ctrl+C passed on to the program (its process group) leaves the lifeline in place: SIGKILL of edit-continue still ends a program that handles SIGINT', async () => {
    const dir = scratchDir('lifeline-int');
    fs.writeFileSync(path.join(dir, 'keep.js'), "process.on('SIGINT', () => console.log('got SIGINT'));\nconsole.log('pid ' + process.pid);\nsetInterval(() => {}, 1000);\n");
    const cli = start(['--break-on', 'none', bin, 'keep.js'], dir);
    const pid = Number((await cli.waitFor(/pid (\d+)/))[1]);
    process.kill(-pid, 'SIGINT'); // as edit-continue passes a signal on: to the program's process group
    await cli.waitFor(/got SIGINT/, { step: 'the program took its SIGINT' });
    cli.kill('SIGKILL');
    await waitUntil(() => !isAlive(pid), 8000, 'program ended after its controller was killed');
  });

  test('the lifeline as a worker thread (Windows\' kind, EDIT_CONTINUE_LIFELINE=worker): SIGKILL of edit-continue ends the program', async () => {
    const dir = copyFixture('process');
    const cli = start([bin, 'wait.js'], dir, 'pipe', { EDIT_CONTINUE_LIFELINE: 'worker' });
    const pid = Number((await cli.waitFor(/pid (\d+)/))[1]);
    // no shell of this program's (other tests' programs have theirs)
    expect(fs.readdirSync('/proc').some((p) => {
      try { const args = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0'); return args.includes('edit-continue-lifeline') && args.includes(String(pid)); } catch { return false; }
    })).toBe(false);
    cli.kill('SIGKILL');
    await waitUntil(() => !isAlive(pid), 8000, 'program ended after its controller was killed');
  });

  test('an uncaught error that ends the program: node prints the error and its stack as under plain node, without quoting a line edit-continue wrote into', async () => {
    const dir = programDir('uncaught-quote', {
      // one-line functions and methods: their lines hold the retry boundaries (and, under swap, the dispatches)
      'crash.js': [
        'const items = [{ qty: 2 }, null];',
        'function price(item) { return item.qty * 10; }',
        'const cart = { total(xs) { return xs.map((x) => { return price(x); }).reduce((a, b) => a + b, 0); } };',
        'setTimeout(() => console.log(cart.total(items)), 10);',
        '',
      ].join('\n'),
      // a line nothing was written into is quoted as plain node quotes it
      'plain.js': ['const o = {};', 'function go() {', '  return o.a.b;', '}', 'setTimeout(go, 10);', ''].join('\n'),
    });
    // the retry boundary moves columns on the lines it opens or closes a body on under LiveEdit (README, Differences from plain node)
    const lines = (stderr: string) => stderr.replace(/(\.js:\d+):\d+(\)?)$/gm, '$1$2');
    const note = noLiveEdit ? /^\[ec\] engine: swap, because this node has no LiveEdit[^\n]*\n/ : /^/;
    for (const file of ['crash.js', 'plain.js']) {
      const plain = spawnSync(bin, [file], { cwd: dir, encoding: 'utf8' });
      expect(plain.stderr).toMatch(NODE_QUOTE);
      const cli = start(['--break-on', 'none', bin, file], dir, 'ignore');
      expect((await exitedWithin(cli, 20_000, `${file} ended`)).code).toBe(plain.status);
      const stderr = cli.stderr().replace(note, '');
      expect(stderr).not.toMatch(/try\{|finally|0xEC|__ec\$|node-do-not/);
      if (file === 'plain.js') expect(stderr).toBe(plain.stderr);
      else expect(lines(stderr)).toBe(lines(plain.stderr.replace(NODE_QUOTE, '')));
    }
  });

  test('SIGKILL of edit-continue while the program is busy in a loop still ends it', async () => {
    const dir = copyFixture('busy');
    const cli = start([bin, 'busy.js'], dir);
    await cli.waitFor(/ready/);
    cli.send('600000\n');
    await cli.waitFor(/started/);
    // the program is the node process running busy.js in this test's own folder
    const real = fs.realpathSync(dir);
    const pid = Number(fs.readdirSync('/proc').find((p) => {
      try { return /busy\.js/.test(fs.readFileSync(`/proc/${p}/cmdline`, 'utf8')) && fs.readlinkSync(`/proc/${p}/cwd`) === real; } catch { return false; }
    }));
    expect(pid).toBeGreaterThan(0);
    cli.kill('SIGKILL');
    await waitUntil(() => !isAlive(pid), 10000, 'busy program ended after its controller was killed');
  });
});

describe('user errors get one clear line and a non-zero exit', () => {
  const dir = path.join(__dirname, '..', '..', 'fixtures', 'process');
  test('script not found', async () => {
    const cli = runCli(['nope.js'], { cwd: dir, stdin: 'ignore' });
    const exit = await cli.exited;
    expect(exit.code).not.toBe(0);
    expect(cli.stderr()).toMatch(/^edit-continue: cannot find script 'nope\.js'/);
    expect(cli.stderr().trim().split('\n')).toHaveLength(1);
  });

  test('a command typed before a program (npm start, nodemon) says what runs it instead, and the commands it gives work', async () => {
    const app = scratchDir('npm');
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'ec-npm', scripts: { start: 'node app.js' } }));
    fs.writeFileSync(path.join(app, 'app.js'), "function f() { return 1; }\nconst t = setInterval(() => console.log('f ' + f()), 100);\nprocess.stdin.on('data', () => { clearInterval(t); process.stdin.destroy(); });\n");
    const npm = runCli(['npm', 'start'], { cwd: app, stdin: 'ignore' });
    expect((await npm.exited).code).not.toBe(0);
    const said = npm.stderr().trim();
    expect(said.split('\n')).toHaveLength(1);
    expect(said).toMatch(/^edit-continue: npm starts your program in a node of its own, out of edit-continue's reach \(package\.json's "start" runs `node app\.js`\): run edit-continue node app\.js\./);
    const nodemon = runCli(['nodemon', 'app.js'], { cwd: app, stdin: 'ignore' });
    expect((await nodemon.exited).code).not.toBe(0);
    expect(nodemon.stderr()).toMatch(/^edit-continue: nodemon runs the program again on every save, which is what edit-continue avoids: run the program itself, edit-continue node app\.js/);
    // the other command it gives, where npm is a node program on PATH: npm runs, and a save reaches the node it started
    const keep = /Or keep npm and reach the node it starts: edit-continue (--spawned node \S+ start)$/.exec(said);
    if (!keep) throw new Error(`no npm program on PATH here: ${said}`);
    const cli = runCli(keep[1].split(' '), { cwd: app });
    try {
      await cli.waitFor(/f 1\n/, { step: 'the program npm started runs' });
      await new Promise((r) => setTimeout(r, 300)); // its file is watched once it has loaded
      const mark = cli.mark('stderr');
      fs.writeFileSync(path.join(app, 'app.js'), fs.readFileSync(path.join(app, 'app.js'), 'utf8').replace('return 1;', 'return 2;'));
      await cli.waitFor(/patched app\.js: f \(process \d+\)/, { stream: 'stderr', after: mark, step: 'the save patched in the node npm started' });
      await cli.waitFor(/f 2\n/, { step: 'new code runs' });
      cli.send('x\n');
      expect((await cli.exited).code).toBe(0);
    } finally {
      cli.kill('SIGKILL');
      await cli.exited;
    }
  });

  test('tsx FILE with tsx installed runs its loader in the node edit-continue starts', async () => {
    const app = scratchDir('tsx');
    fs.symlinkSync(path.join(ROOT_DIR, 'node_modules'), path.join(app, 'node_modules'));
    fs.writeFileSync(path.join(app, 'hello.ts'), "const who: string = 'typed';\nconsole.log(`hello ${who}`);\n");
    // no cache of tsx's: it compiles through esbuild, whose worker thread is still running at the end
    // (a worker session that asked to be waited for at its end kept such a program from exiting)
    const cli = runCli(['tsx', 'hello.ts'], { cwd: app, stdin: 'ignore', env: { TSX_DISABLE_CACHE: '1' } });
    expect((await exitedWithin(cli, 20_000, 'tsx hello.ts ends')).code).toBe(0);
    expect(cli.stdout()).toBe('hello typed\n');
    expect(cli.stderr()).toMatch(/tsx starts a second node for your code: running its loader in this one instead \(edit-continue node --import tsx hello\.ts\)/);
  });

  test('tsx FILE with tsx installed elsewhere (a global install: on PATH, not in the program\'s folder) runs that loader', async () => {
    // `--import tsx` would fail there with ERR_MODULE_NOT_FOUND: node resolves it from the program's folder
    const app = scratchDir('tsx-global');
    fs.writeFileSync(path.join(app, 'hello.ts'), "const who: string = 'typed';\nconsole.log(`hello ${who}`);\n");
    const cli = runCli(['tsx', 'hello.ts'], { cwd: app, stdin: 'ignore', env: { TSX_DISABLE_CACHE: '1', PATH: `${path.join(ROOT_DIR, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}` } });
    expect((await exitedWithin(cli, 20_000, 'tsx hello.ts ends')).code).toBe(0);
    expect(cli.stdout()).toBe('hello typed\n');
    expect(cli.stderr()).toMatch(/running its loader in this one instead \(edit-continue node --import file:\/\/\/\S+\/node_modules\/tsx\/dist\/loader\.mjs hello\.ts\)/);
  });

  test('node not found', async () => {
    const cli = runCli(['/no/such/node', 'exit.js'], { cwd: dir, stdin: 'ignore' });
    const exit = await cli.exited;
    expect(exit.code).not.toBe(0);
    expect(cli.stderr()).toMatch(/^edit-continue: cannot find node executable '\/no\/such\/node'/);
    expect(cli.stderr()).not.toMatch(/\n\s+at /);
  });

  test('a node flag that would fight the inspector', async () => {
    const cli = runCli(['node', '--inspect=9229', 'exit.js'], { cwd: dir, stdin: 'ignore' });
    const exit = await cli.exited;
    expect(exit.code).toBe(2);
    expect(cli.stderr()).toMatch(/starts the inspector itself.*--inspect=9229/);
  });

  test('a node too old is refused', async () => {
    const fake = path.join(scratchDir('old'), 'node');
    fs.writeFileSync(fake, '#!/bin/sh\necho v18.20.0\n');
    fs.chmodSync(fake, 0o755);
    const cli = runCli([fake, 'exit.js'], { cwd: dir, stdin: 'ignore' });
    const exit = await cli.exited;
    expect(exit.code).not.toBe(0);
    expect(cli.stderr()).toMatch(/node v18\.20\.0 is too old: edit-continue needs Node 20 or newer/);
  });

  test('--help lists the options and the usage', async () => {
    const cli = runCli(['--help'], { cwd: dir, stdin: 'ignore' });
    const exit = await cli.exited;
    expect(exit.code).toBe(0);
    for (const opt of ['--watch', '--no-watch', '--verbose', '--quiet', '--poll', 'Usage: edit-continue']) expect(cli.stdout()).toContain(opt);
  });
});
