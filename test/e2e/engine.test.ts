// Choosing the patch engine (--engine auto|swap|liveedit), end to end: what `auto` picks on each line
// and on the Node 27 stand-in (node 26 with LiveEdit off), what the program's load hooks are told
// before its first line, what the user is told, and the stand-in itself checked with a bare CDP client.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import CDP = require('chrome-remote-interface');
import { cliPerTest, copyFixture, edit, scratchDir, type RunningCli } from '../helpers/cli';
import { NO_LIVE_EDIT_NODE, ROOT_DIR, standInWanted, testNodes } from '../helpers/nodes';

const REGISTER = path.join(ROOT_DIR, 'register.js');

/** A program that says which transform its load hooks were told to use, then keeps running. */
function program(): string {
  const dir = scratchDir('engine');
  fs.writeFileSync(path.join(dir, 'app.js'), [
    'function value() { return 1; }',
    "console.log(`transform ${process.env.EDIT_CONTINUE_ENGINE} boundaries ${value.toString().includes('try{')} swap ${value.toString().includes('__ec$')}`);",
    "const t = setInterval(() => console.log(`value ${value()}`), 100);",
    "process.stdin.on('data', () => { clearInterval(t); });",
    '',
  ].join('\n'));
  return dir;
}

const lines = testNodes().filter((n) => !n.noLiveEdit);

/** The `started` event (`--json` to stderr). */
async function startedEvent(cli: RunningCli): Promise<{ engine: string; probe: string }> {
  return JSON.parse((await cli.waitFor(/^\{"v":1,"type":"started".*$/m, { stream: 'stderr', step: 'the started event' }))[0]);
}

if (lines.length) describe.each(lines)('$label', ({ bin, major }) => {
  const start = cliPerTest();

  test('auto: LiveEdit runs, the program loads with its transform, and only -v mentions the engine', async () => {
    const dir = program();
    const quiet = start([bin, 'app.js'], dir, 'pipe', { EDIT_CONTINUE_ENGINE: '' });
    await quiet.waitFor(/value 1/, { step: 'runs' });
    expect(quiet.stdout()).toMatch(/^transform liveedit boundaries true swap false$/m);
    expect(quiet.stderr()).not.toMatch(/engine/);
    edit(path.join(dir, 'app.js'), 'return 1;', 'return 2;');
    await quiet.waitFor(/patched app\.js: value/, { stream: 'stderr', step: 'patched' });
    await quiet.waitFor(/value 2/, { step: 'runs the new code' });

    // -v and --json say which engine and how the probe went (node 26: LiveEdit is turned on at run time)
    const verbose = start(['-v', '--json', bin, 'app.js'], dir, 'pipe', { EDIT_CONTINUE_ENGINE: '' });
    const probe = major >= 26 ? 'dry run accepted after turning on --inspector-live-edit' : 'dry run accepted';
    await verbose.waitFor(new RegExp(`\\(engine: LiveEdit; probe: ${probe}\\); watching`), { stream: 'stderr', step: '-v names the engine and the probe' });
    expect(await startedEvent(verbose)).toMatchObject({ engine: 'liveedit', probe });
  });

  test('--engine swap and EDIT_CONTINUE_ENGINE=swap: the program loads with the swap transform', async () => {
    const dir = program();
    const byFlag = start(['-v', '--engine', 'swap', bin, 'app.js'], dir);
    await byFlag.waitFor(/transform swap boundaries true swap true/, { step: 'flag' });
    await byFlag.waitFor(/\(engine: swap; probe: /, { stream: 'stderr', step: '-v names the engine' });
    const byEnv = start(['-v', bin, 'app.js'], dir, 'pipe', { EDIT_CONTINUE_ENGINE: 'swap' });
    await byEnv.waitFor(/transform swap boundaries true swap true/, { step: 'environment' });
    await byEnv.waitFor(/\(engine: swap; probe: /, { stream: 'stderr', step: '-v names the engine' });
  });
});

describe('engine options', () => {
  const start = cliPerTest();

  test('the cache keeps the two engines\' transforms apart: swap, LiveEdit, swap again from one cache', async () => {
    const dir = program();
    const env = { EDIT_CONTINUE_CACHE_DIR: scratchDir('engine-cache') };
    for (const [engine, line] of [['swap', 'transform swap boundaries true swap true'], ['liveedit', 'transform liveedit boundaries true swap false'], ['swap', 'transform swap boundaries true swap true']]) {
      const cli = start(['--engine', engine, 'app.js'], dir, 'pipe', env);
      await cli.waitFor(/value 1/, { step: `runs with ${engine}` });
      expect(cli.stdout().split('\n')[0]).toBe(line);
      cli.kill('SIGKILL');
      await cli.exited;
    }
    expect(fs.readdirSync(env.EDIT_CONTINUE_CACHE_DIR).length).toBeGreaterThan(0);
  });

  test('--engine swap with --no-boundaries, and a wrong EDIT_CONTINUE_ENGINE, are refused before anything runs; EDIT_CONTINUE_ENGINE=swap gives way to --no-boundaries', async () => {
    const dir = program();
    const both = start(['--engine', 'swap', '--no-boundaries', 'app.js'], dir);
    expect((await both.exited).code).toBe(2);
    expect(both.stderr()).toMatch(/--engine swap and --no-boundaries do not go together/);
    expect(both.stdout()).toBe('');
    // EDIT_CONTINUE_ENGINE=swap is only a default: --no-boundaries wins, and LiveEdit runs, said
    const byEnv = start(['--no-boundaries', 'app.js'], dir, 'pipe', { EDIT_CONTINUE_ENGINE: 'swap' });
    await byEnv.waitFor(/value 1/, { step: 'runs without boundaries' });
    expect(byEnv.stdout()).toMatch(/ boundaries false swap false$/m);
    expect(byEnv.stderr()).toMatch(/engine: LiveEdit, not swap: --no-boundaries leaves nothing to swap through/);
    // nothing left behind either: its temporary folder (here one of its own) stays empty
    const tmp = scratchDir('engine-tmp');
    const wrong = start(['app.js'], dir, 'pipe', { EDIT_CONTINUE_ENGINE: 'fast', TMPDIR: tmp });
    expect((await wrong.exited).code).not.toBe(0);
    expect(wrong.stderr()).toMatch(/EDIT_CONTINUE_ENGINE=fast is not an engine: use auto, swap or liveedit/);
    expect(wrong.stdout()).toBe('');
    expect(fs.readdirSync(tmp)).toEqual([]);
  });
});

if (standInWanted()) describe('the Node 27 stand-in (node 26, LiveEdit off)', () => {
  const start = cliPerTest();

  test('a bare CDP client: setScriptSource is refused, also after turning the flag on at run time; --v8-options does not list it', async () => {
    const v8options = await new Promise<string>((resolve) => {
      let out = '';
      const c = spawn(NO_LIVE_EDIT_NODE, ['--v8-options'], { stdio: ['ignore', 'pipe', 'inherit'] });
      c.stdout.on('data', (d) => (out += d));
      c.on('close', () => resolve(out));
    });
    expect(v8options).toMatch(/--stack-size/);
    expect(v8options).not.toMatch(/inspector-live-edit/);

    // --inspector-live-edit on the command line is dropped, as a node without it would refuse it
    const child = spawn(NO_LIVE_EDIT_NODE, ['--inspector-live-edit', '--inspect=127.0.0.1:0', '--inspect-publish-uid=stderr', '-e', 'setInterval(() => {}, 1000)'], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      let err = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.on('data', (d) => { err += d; const m = /ws:\/\/\S+/.exec(err); if (m) resolve(m[0]); });
        child.on('close', () => reject(new Error(`the stand-in exited:\n${err}`)));
      });
      const client = await CDP({ target: url, local: true });
      try {
        await client.Runtime.enable();
        await client.Debugger.enable();
        const { scriptId } = await client.Runtime.compileScript({ expression: 'function probe() { return 1; }', sourceURL: '', persistScript: true });
        const setSource = () => client.Debugger.setScriptSource({ scriptId: scriptId!, scriptSource: 'function probe() { return 2; }', dryRun: true }).then(() => 'accepted', (e: Error) => e.message);
        expect(await setSource()).toMatch(/setScriptSource functionality no longer available/);
        const on = await client.Runtime.evaluate({ expression: "process.getBuiltinModule('v8').setFlagsFromString('--inspector-live-edit')" });
        expect(on.exceptionDetails).toBeUndefined();
        expect(await setSource()).toMatch(/setScriptSource functionality no longer available/);
      } finally {
        await client.close();
      }
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('auto runs the swap engine there and says so in one line; --engine liveedit says saves will not patch', async () => {
    const dir = program();
    const auto = start(['-v', '--json', NO_LIVE_EDIT_NODE, 'app.js'], dir, 'pipe', { EDIT_CONTINUE_ENGINE: '' });
    await auto.waitFor(/transform swap boundaries true swap true/, { step: 'the program is told swap before its first line, and loads with its transform' });
    await auto.waitFor(/; watching/, { stream: 'stderr', step: '-v line' });
    // one line says why (always), and -v and --json say how the probe went
    const probe = 'live edit off: setScriptSource functionality no longer available, also after turning on --inspector-live-edit';
    const said = auto.stderr().split('\n').filter((l) => /^\[ec\].*engine/.test(l));
    expect(said).toEqual([
      '[ec] engine: swap, because this node has no LiveEdit (V8: setScriptSource functionality no longer available)',
      expect.stringMatching(new RegExp(`^\\[ec\\] running app\\.js on node v26[^ ]* \\(engine: swap; probe: ${probe}\\); watching`)),
    ]);
    expect(await startedEvent(auto)).toMatchObject({ engine: 'swap', probe });

    const live = start(['--engine', 'liveedit', NO_LIVE_EDIT_NODE, 'app.js'], dir);
    await live.waitFor(/transform liveedit boundaries true swap false/, { step: 'runs with the LiveEdit transform' });
    expect(live.stderr()).toMatch(/engine: LiveEdit, but this node has none \(setScriptSource functionality no longer available\): saves will not patch; use --engine swap \(or auto\)/);
    edit(path.join(dir, 'app.js'), 'return 1;', 'return 2;');
    await live.waitFor(/not patched app\.js: .*EC305/, { stream: 'stderr', step: 'a save is refused with its reason' });
  });

  test('attach (auto) to a program started with the swap transform: the swap engine runs, no LiveEdit needed', async () => {
    const dir = copyFixture('attach');
    const svc = spawn(NO_LIVE_EDIT_NODE, ['--inspect=127.0.0.1:0', '--require', REGISTER, 'service.js'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EDIT_CONTINUE_ENGINE: 'swap' } });
    try {
      let err = '';
      const port = await new Promise<string>((resolve, reject) => {
        svc.stderr.on('data', (d) => { err += d; const m = /ws:\/\/127\.0\.0\.1:(\d+)\//.exec(err); if (m) resolve(m[1]); });
        svc.on('close', () => reject(new Error(`the service exited:\n${err}`)));
      });
      const cli = start(['attach', '-v', port], dir, 'pipe', { EDIT_CONTINUE_ENGINE: '' });
      await cli.waitFor(/attached to process/, { stream: 'stderr', step: 'attached' });
      await cli.waitFor(/attached on node v26[^\n]*\(engine: swap; probe: /, { stream: 'stderr', step: '-v names the engine' });
      expect(cli.stderr()).not.toMatch(/saves will not patch|no LiveEdit/);
      edit(path.join(dir, 'service.js'), '} weighs ${', '} weighs in at ${');
      await cli.waitFor(/patched service\.js: describe/, { stream: 'stderr', step: 'patched by the swap engine' });
    } finally {
      svc.kill('SIGKILL');
    }
  });

  test('attach to a program without the swap transform: --engine swap falls back to LiveEdit and says why; LiveEdit is turned on at run time on node 26', async () => {
    const dir = copyFixture('attach');
    const node26 = path.join(ROOT_DIR, 'nodes', 'node_modules', 'node26', 'bin', 'node');
    const svc = spawn(node26, ['--inspect=127.0.0.1:0', '--require', REGISTER, 'service.js'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EDIT_CONTINUE_ENGINE: 'liveedit' } });
    try {
      let err = '';
      const port = await new Promise<string>((resolve, reject) => {
        svc.stderr.on('data', (d) => { err += d; const m = /ws:\/\/127\.0\.0\.1:(\d+)\//.exec(err); if (m) resolve(m[1]); });
        svc.on('close', () => reject(new Error(`the service exited:\n${err}`)));
      });
      const cli = start(['attach', '--engine', 'swap', port], dir);
      await cli.waitFor(/attached to process/, { stream: 'stderr', step: 'attached' });
      expect(cli.stderr()).toMatch(/engine: LiveEdit, not swap: the program was not started with the swap transform/);
      edit(path.join(dir, 'service.js'), '} weighs ${', '} weighs in at ${');
      await cli.waitFor(/patched service\.js: describe/, { stream: 'stderr', step: 'patched by LiveEdit' });
    } finally {
      svc.kill('SIGKILL');
    }
  });
});
