// Attach mode, the programmatic API and JSON events, end to end on every supported node line: real
// programs started with plain node (not by edit-continue), the real CLI, the built package's API.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { ask, cliPerTest, copyFixture, edit, interruptOutside, isAlive, resumedInFile, scratchDir, until } from '../helpers/cli';
import { ROOT_DIR, testConfigs, useEngine } from '../helpers/nodes';
import { httpBody } from '../helpers/http';
import type * as Api from '../../src/index';

// The API as a user gets it: the built package (its preload and load hooks are .js files).
const api = require(path.join(ROOT_DIR, 'dist', 'index.js')) as typeof Api;
const REGISTER = path.join(ROOT_DIR, 'register.js');


interface Service { child: ChildProcess; port: number; inspectorPort: number | null; pid: number; out(): string; err(): string }

/** Start fixtures/attach/service.js with plain node, as a user would have. */
async function startService(bin: string, dir: string, args: string[]): Promise<Service> {
  const child = spawn(bin, [...args, 'service.js'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: process.env }); // jest's env: the engine (useEngine)
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  for (let i = 0; i < 200 && !/listening \d+/.test(out); i++) await new Promise((r) => setTimeout(r, 25));
  const m = /listening (\d+) pid (\d+)/.exec(out);
  if (!m) throw new Error(`service did not start:\n${out}\n${err}`);
  const ws = /ws:\/\/127\.0\.0\.1:(\d+)\//.exec(err);
  return { child, port: Number(m[1]), pid: Number(m[2]), inspectorPort: ws ? Number(ws[1]) : null, out: () => out, err: () => err };
}

/** Is a process running with this folder on its command line? */
function isRunning(dir: string): boolean {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).some((pid) => {
    try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir); } catch { return false; }
  });
}

describe.each(testConfigs())('$label', ({ bin, engine, noLiveEdit }) => { useEngine(engine);
  const start = cliPerTest();
  const services: ChildProcess[] = [];
  afterEach(() => { for (const s of services.splice(0)) s.kill('SIGKILL'); });

  test('attach by port to plain node --inspect: patch, stop at its exception, fix and retry, detach; it runs on', async () => {
    const dir = copyFixture('attach');
    const file = path.join(dir, 'service.js');
    // started as a user would, with the retry boundaries (no --inspector-live-edit on 26: attach turns it on)
    const svc = await startService(bin, dir, ['--inspect=127.0.0.1:0', '--require', REGISTER]);
    services.push(svc.child);
    expect(await httpBody(svc.port, '/?id=1')).toBe('item 1 weighs 10 (seen 1)\n');

    // (events to a file, to see when the program runs again after a cont)
    const events = path.join(scratchDir('attach-events'), 'events.jsonl');
    const cli = start(['attach', `--json=${events}`, String(svc.inspectorPort)], dir);
    await cli.waitFor(/attached to process (\d+) \(node v\d+/, { stream: 'stderr', step: 'attached' });
    expect(cli.stderr()).toContain(`attached to process ${svc.pid}`);

    let mark = cli.mark('stderr');
    edit(file, '} weighs ${', '} weighs in at ${');
    await cli.waitFor(/patched service\.js: describe/, { stream: 'stderr', after: mark, step: 'patch' });
    expect(await httpBody(svc.port, '/?id=2')).toBe('item 2 weighs in at 20 (seen 2)\n');

    const pending = httpBody(svc.port, '/?id=4'); // throws in describe: the request waits while we fix it
    await cli.waitFor(/TypeError: Cannot read properties of undefined \(reading 'weight'\)\n\s+at describe \(service\.js:7:\d+\)/, { stream: 'stderr', step: 'stopped at the exception' });
    await cli.waitFor(/ec> $/, { stream: 'stderr', step: 'prompt' });
    edit(file, 'item.spec.weight', '(item.spec ?? { weight: 0 }).weight');
    await ask(cli, 'retry', /retrying describe/);
    expect(await pending).toBe('item 4 weighs in at 0 (seen 3)\n');

    // Ctrl+C of the idle service: no frame of it is on the stack; the swap engine's module eval reads
    // its top level, LiveEdit says how to stop in its code (docs/swap.md). The answer of the retried request is out before its
    // handler has returned: a Ctrl+C then stops in service.js (CI, node 22, once). Go on, and ask
    // again until the stop is in node's code.
    await interruptOutside(cli, 'service.js', resumedInFile(events));
    if (engine === 'swap') await ask(cli, 'p seen.length', /(?:^|> )3\n[^\n]*\(read in the top level of service\.js: no frame of your program is on the stack\)/);
    else await ask(cli, 'p seen.length', /ReferenceError: seen is not defined: .*(node's code|idle).*stop in your code to read it: `break FILE:LINE` and `cont`/);

    // a breakpoint on the request path: detaching must remove it, or the next request would hang
    await ask(cli, 'break service.js:7', /breakpoint 1 at service\.js:7/);
    mark = cli.mark('stderr');
    cli.send('detach\n');
    await cli.waitFor(/detached: the program runs on/, { stream: 'stderr', after: mark, step: 'detach' });
    expect((await cli.exited).code).toBe(0);
    // said once (the prompt said it too before the session did)
    expect(cli.stderr().slice(mark).match(/the program runs on/g)).toHaveLength(1);
    expect(await httpBody(svc.port, '/?id=5')).toBe('item 5 weighs in at 50 (seen 4)\n');
    expect(isAlive(svc.pid)).toBe(true);
  });

  test('attach --pid to node started without --inspect (SIGUSR1): patch, then Ctrl+C twice detaches', async () => {
    const dir = copyFixture('attach');
    // SIGUSR1 opens the inspector on the port --inspect-port names, 9229 by default: a free one, so
    // that nothing else on the machine holding 9229 (another run of this suite) makes it fail to open
    const svc = await startService(bin, dir, ['--inspect-port=0']);
    services.push(svc.child);
    const cli = start(['attach', '--pid', String(svc.pid)], dir);
    await cli.waitFor(/attached to process \d+/, { stream: 'stderr', step: 'attached by pid' });
    const mark = cli.mark('stderr');
    edit(path.join(dir, 'service.js'), '} weighs ${', '} has weight ${');
    // started without edit-continue, the program has no swap transform: on a node without LiveEdit
    // (the Node 27 stand-in) nothing can patch it, and edit-continue says so (docs/swap.md); the
    // prompt and detaching work all the same
    const weighs = noLiveEdit ? 'weighs' : 'has weight';
    if (noLiveEdit) {
      expect(cli.stderr()).toMatch(/saves will not patch: the program was not started with the swap transform[^\n]*The prompt works/);
      await cli.waitFor(/not patched service\.js: [^\n]*EC305/, { stream: 'stderr', after: mark, step: 'save refused, with why' });
    } else {
      await cli.waitFor(/patched service\.js: describe/, { stream: 'stderr', after: mark, step: 'patch' });
    }
    expect(await httpBody(svc.port, '/?id=3')).toBe(`item 3 ${weighs} 30 (seen 1)\n`);
    cli.kill('SIGINT');
    await cli.waitFor(/pausing… \(Ctrl\+C again to detach\)/, { stream: 'stderr', step: 'first Ctrl+C taken' });
    const firstTaken = Date.now();
    await cli.waitFor(/paused (?:in|while)[\s\S]*ec> $/, { stream: 'stderr', step: 'prompt on the idle service' });
    // a Ctrl+C at the prompt, more than a second after the first (two within one detach): it says
    // what quit and a second Ctrl+C do here, which is to detach (the program runs on), not to end it
    const rest = 1100 - (Date.now() - firstTaken);
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    const atPrompt = cli.mark('stderr');
    cli.kill('SIGINT');
    await cli.waitFor(/\(the program is paused: cont to go on; quit, or Ctrl\+C twice, to detach\)/, { stream: 'stderr', after: atPrompt, step: 'Ctrl+C at the prompt' });
    cli.kill('SIGINT');
    expect((await cli.exited).code).toBe(0);
    expect(await httpBody(svc.port, '/?id=5')).toBe(`item 5 ${weighs} 50 (seen 2)\n`);
  });

  // `auto` (what a user gets without --engine) on a program started without the transform, on a node
  // without LiveEdit: its line said "engine: LiveEdit, but this node has none … start node with
  // --inspector-live-edit", which Node 27 does not have; it says that neither way is there, and how to
  // start the program so that it can be patched
  if (noLiveEdit) test('attach with --engine auto, no transform, no LiveEdit: says how to start the program to patch it; a save is refused with EC305', async () => {
    const dir = copyFixture('attach');
    const svc = await startService(bin, dir, ['--inspect=127.0.0.1:0']);
    services.push(svc.child);
    const cli = start(['attach', '--engine', 'auto', String(svc.inspectorPort)], dir);
    await cli.waitFor(/attached to process \d+/, { stream: 'stderr', step: 'attached' });
    expect(cli.stderr()).toMatch(/saves will not patch: this node has no LiveEdit \([^)]*\) and the program was not started with the swap transform \(EDIT_CONTINUE_ENGINE=swap node --require edit-continue\/register …\)\. The prompt works\./);
    expect(cli.stderr()).not.toMatch(/inspector-live-edit/);
    const mark = cli.mark('stderr');
    edit(path.join(dir, 'service.js'), '} weighs ${', '} has weight ${');
    await cli.waitFor(/not patched service\.js: this Node has no LiveEdit \([^)]*\): only the swap engine patches here \(docs\/codes\.md\) EC305\n/, { stream: 'stderr', after: mark, step: 'save refused, with why' });
    expect(await httpBody(svc.port, '/?id=3')).toBe('item 3 weighs 30 (seen 1)\n');
    // SIGTERM detaches (two Ctrl+C sent at once may reach us as one signal: the test above sends them in turn)
    cli.kill('SIGTERM');
    expect((await cli.exited).code).toBe(0);
    expect(await httpBody(svc.port, '/?id=5')).toBe('item 5 weighs 50 (seen 2)\n');
  });

  test('attach refuses a host that is not this machine, and a port where nothing listens', async () => {
    const dir = copyFixture('attach');
    const remote = start(['attach', '10.1.2.3:9229'], dir);
    expect((await remote.exited).code).not.toBe(0);
    expect(remote.stderr()).toMatch(/10\.1\.2\.3 is not this machine[^\n]*--allow-remote/);
    const nothing = start(['attach', '1'], dir);
    expect((await nothing.exited).code).not.toBe(0);
    expect(nothing.stderr()).toMatch(/nothing answers as a node inspector on 127\.0\.0\.1:1/);
  });

  test('the API: launch a fixture, receive typed events, fix and retry through methods', async () => {
    const dir = copyFixture('retry');
    const file = path.join(dir, 'job.js');
    const events: string[] = [];
    let stderr = '';
    let firstPause!: Promise<[Api.PausedEvent]>;
    const session = await api.launch({
      script: 'job.js', node: bin, cwd: dir,
      stderr: (t) => { stderr += t; },
      beforeStart: (s) => {
        firstPause = s.next('paused'); // before the program runs: it may stop before launch() returns
        s.on('paused', (e) => events.push(`paused ${e.reason} ${e.frames[0]?.name} ${e.frames[0]?.file}:${e.frames[0]?.line}:${e.frames[0]?.column} ${e.exception?.uncaught}`));
        s.on('pending', (e) => events.push(`pending ${path.basename(e.file)} ${e.reason.code}`));
        s.on('patched', (e) => events.push(`patched ${path.basename(e.file)} ${e.functions.map((f) => f.name).join(',')}`));
        s.on('resumed', () => events.push('resumed'));
        s.on('exited', (e) => events.push(`exited ${e.code}`));
        // as node's EventEmitter: the listener is called (the next time only)
        s.once('paused', (e) => events.push(`once ${e.reason}`));
      },
    });
    try {
      const [paused] = await firstPause;
      expect(paused.exception?.message).toBe("TypeError: Cannot read properties of undefined (reading 'weight')");
      const local = await session.evaluate('item.id', 0);
      expect(local.ok && local.value.value).toBe(4);
      // LiveEdit waits for the running work (EC301, `pending`); the swap engine installs at once
      const swap = engine === 'swap';
      const saveSeen = swap ? session.next('patched') : session.next('pending');
      edit(file, 'const spec = item.spec;', 'const spec = item.spec ?? { weight: 1 };');
      await saveSeen;
      const r = await session.retry();
      expect(r.ok && r.value.message).toBe('retrying work');
      const exit = await session.program.exited;
      expect(exit?.code).toBe(0);
      expect(events).toEqual([
        'paused exception work job.js:7:15 true',
        'once exception',
        ...(swap ? [] : ['pending job.js EC301']),
        'patched job.js work',
        'resumed',
        'exited 0',
      ]);
      expect(stderr).not.toMatch(/Debugger listening|Check failed/);
    } finally {
      await session.close();
    }
  });

  test('the API: skip() at an uncaught exception lets the program run on without it', async () => {
    const dir = scratchDir('api-skip');
    fs.writeFileSync(path.join(dir, 'ticks.js'), [
      "const fs = require('fs');",
      'let n = 0;',
      'const t = setInterval(() => {',
      '  n++;',
      "  if (n === 2) throw new Error('tick 2');",
      "  if (n === 4) { clearInterval(t); fs.writeFileSync(__dirname + '/ran-on', String(n)); }",
      '}, 10);',
      '',
    ].join('\n'));
    // a beforeStart that throws: launch rejects with its error, and the program is not left waiting for us
    await expect(api.launch({ script: path.join(dir, 'ticks.js'), node: bin, cwd: dir, stderr: () => {}, beforeStart: () => { throw new Error('hook failed'); } })).rejects.toThrow('hook failed');
    await until(() => !isRunning(dir), 'the program of the failed launch to end', 5000);
    let stopped!: Promise<[Api.PausedEvent]>;
    const session = await api.launch({ script: 'ticks.js', node: bin, cwd: dir, stderr: () => {}, beforeStart: (s) => { stopped = s.next('paused'); } });
    try {
      const [paused] = await stopped;
      expect(paused.exception).toMatchObject({ message: 'Error: tick 2', uncaught: true });
      const r = await session.skip();
      expect(r.ok && r.value.message).toMatch(/^skipped: the program runs on without this exception/);
      expect((await session.program.exited)?.code).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'ran-on'), 'utf8')).toBe('4');
    } finally {
      await session.close();
    }
  });

  test('--json=FILE: every line validates against docs/events.schema.json, and the run is described', async () => {
    const dir = copyFixture('retry');
    const log = path.join(dir, 'events.jsonl');
    const cli = start([`--json=${log}`, bin, 'job.js'], dir);
    await cli.waitFor(/ec> $/, { stream: 'stderr', step: 'prompt' });
    // a save with a syntax error first: its not-patched event carries the lines around the error
    edit(path.join(dir, 'job.js'), 'const spec = item.spec;', 'const spec = item.spec +;');
    await cli.waitFor(/not patched job\.js: SyntaxError/, { stream: 'stderr', step: 'syntax error' });
    edit(path.join(dir, 'job.js'), 'const spec = item.spec +;', 'const spec = item.spec ?? { weight: 1 };');
    // LiveEdit waits for the running work (EC301); the swap engine installs at once
    if (engine === 'swap') await cli.waitFor(/patched job\.js: work\n/, { stream: 'stderr', step: 'patched' });
    else await cli.waitFor(/waiting job\.js/, { stream: 'stderr', step: 'pending' });
    cli.send('retry\n');
    expect((await cli.exited).code).toBe(0);
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT_DIR, 'docs', 'events.schema.json'), 'utf8'));
    const validate = new Ajv2020({ allErrors: true, strict: false, formats: { 'date-time': (s: string) => /^\d{4}-\d\d-\d\dT/.test(s) && !Number.isNaN(Date.parse(s)) } }).compile(schema);
    const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
    for (const line of lines) {
      const event = JSON.parse(line);
      if (!validate(event)) throw new Error(`invalid event ${line}: ${JSON.stringify(validate.errors)}`);
    }
    expect(lines.map((l) => JSON.parse(l).type)).toEqual(['started', 'paused', 'not-patched', ...(engine === 'swap' ? [] : ['pending']), 'patched', 'resumed', 'exited']);
    const syntax = JSON.parse(lines[2]);
    expect(syntax.reasons[0].code).toBe('EC101');
    expect(syntax.syntax.lines[syntax.syntax.line - syntax.syntax.firstLine]).toContain('const spec = item.spec +;');
    const paused = JSON.parse(lines[1]);
    expect(paused.frames[0]).toMatchObject({ index: 0, name: 'work', file: 'job.js', line: 7, column: 15, internal: false });
    expect(paused.frames[0].path).toBe(fs.realpathSync(path.join(dir, 'job.js')));
    // the schema is not a rubber stamp: a wrong event fails it
    expect(validate({ v: 1, type: 'patched', time: new Date().toISOString(), file: 'x' })).toBe(false);
    expect(validate({ v: 2, type: 'resumed', time: new Date().toISOString() })).toBe(false);
  });
});

describe('attach --pid where the inspector cannot open', () => {
  const start = cliPerTest();
  test('the port SIGUSR1 would open is another process\'s: said at once, without signalling the program', async () => {
    // a port held here, given to the program as its --inspect-port (not 9229, which other programs may hold)
    const holder = http.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', () => resolve()));
    const port = (holder.address() as { port: number }).port;
    const dir = copyFixture('attach');
    const svc = await startService(process.execPath, dir, [`--inspect-port=${port}`]);
    try {
      const cli = start(['attach', '--pid', String(svc.pid)], dir, 'ignore');
      const exit = await cli.exited;
      expect(exit.code).not.toBe(0);
      expect(cli.stderr()).toBe(`edit-continue: process ${svc.pid} cannot open an inspector: node opens it on port ${port} (its --inspect-port), which another process holds (a program being debugged?). Start the program with --inspect-port=0, or with --inspect=PORT and attach to that port\n`);
      // nothing was asked of it: node did not try and fail to open one, and it runs on
      await new Promise((r) => setTimeout(r, 300));
      expect(svc.err()).not.toMatch(/Starting inspector/);
      expect(isAlive(svc.pid)).toBe(true);
    } finally {
      svc.child.kill('SIGKILL');
      holder.close();
    }
  });
});
