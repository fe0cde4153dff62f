// Every thread and process of the program (issue 15): the main thread, worker threads and a forked
// child process share one module; one save patches it in all of them, with their state kept, and
// says so once with the count; a worker started after a save runs the new code and takes the next
// one; a worker that ends drops out; an exception in a worker, and one in the child, stop at the
// prompt labelled with the thread or process, where `threads`, `bt`, `locals`, `p`, `set`, `retry`
// and `restart N` act there; the child's own worker thread is patched and stops labelled with both;
// a child killed as a save applies leaves the others patched. Node started without the program's
// execArgv (spawn, exec) is reached through NODE_OPTIONS, a tool's script is not, short-lived
// children do not hang at their exit, and without --spawned they are left alone. Attach mode
// patches an attached program's workers. A 2-worker cluster HTTP server: one save changes both
// workers' answers, and SIGKILL of edit-continue leaves no process behind. One program per test
// and line; each line runs one engine in turn (20 and 24 LiveEdit, 22, 26 and the stand-in swap:
// nodes.ts alternatingConfigs), as the suite costs a minute a configuration; EC_TEST_MATRIX=full runs
// both everywhere.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import Ajv2020 from 'ajv/dist/2020';
import { ask, assertNoV8Abort, cliPerTest, copyFixture, edit, exitedWithin, isAlive, saveByRename, saveInPlace, type RunningCli } from '../helpers/cli';
import { ROOT_DIR, alternatingConfigs, useEngine } from '../helpers/nodes';

interface Counts { main: number; child: number; worker: Map<number, number> }

/** Wait until the main thread, the child and `workers` worker threads print with scale ×factor (after `after`); their last counts. */
async function counts(cli: RunningCli, after: number, factor: number, workers: number): Promise<Counts> {
  for (const end = Date.now() + 20000; Date.now() < end;) {
    const text = cli.stdout().slice(after);
    const c: Counts = { main: 0, child: 0, worker: new Map() };
    for (const m of text.matchAll(/^main (\d+) scale=(\d+)$/gm)) if (Number(m[2]) === factor * Number(m[1])) c.main = Number(m[1]);
    for (const m of text.matchAll(/^child (\d+) scale=(\d+)$/gm)) if (Number(m[2]) === factor * Number(m[1])) c.child = Number(m[1]);
    for (const m of text.matchAll(/^worker (\d+) (\d+) scale=(\d+)$/gm)) if (Number(m[3]) === factor * Number(m[2])) c.worker.set(Number(m[1]), Number(m[2]));
    if (c.main && c.child && c.worker.size >= workers) return c;
    await cli.waitFor(/\n[^\n]*\n/, { after: cli.mark(), step: `every thread at ×${factor}`, timeout: 20000 });
  }
  throw new Error(`not every thread at ×${factor}:\n${cli.stdout().slice(after)}\n${cli.stderr()}`);
}

/** Ask the server until each of `pids` has answered with `scale`. */
async function answers(port: number, pids: number[], scale: number): Promise<void> {
  const left = new Set(pids);
  for (const end = Date.now() + 20000; left.size && Date.now() < end;) {
    const text = await new Promise<string>((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => { let b = ''; res.on('data', (d) => { b += d; }); res.on('end', () => resolve(b)); }).on('error', (e) => resolve(String(e)));
    });
    const a = /^pid (\d+) scale (\d+)$/m.exec(text);
    if (a && Number(a[2]) === scale) left.delete(Number(a[1]));
  }
  expect([...left]).toEqual([]);
}

/**
 * The last status of each process for the saves of `file` in a --json log: `main` (the program's main
 * thread) and each child process's main thread by pid. A report of the main thread alone has no
 * `threads` (docs/events.md).
 */
function lastStatus(jsonl: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of jsonl.split('\n')) {
    let e: { type: string; file?: string; threads?: { thread: number; pid?: number; status: string }[] };
    try { e = JSON.parse(line); } catch { continue; }
    if (!e.file?.endsWith(file)) continue;
    for (const t of e.threads ?? [{ thread: 0, status: e.type }]) if (t.thread === 0) out[t.pid ? String(t.pid) : 'main'] = t.status;
  }
  return out;
}

/**
 * Wait until the --json events in `log` say that each process of `want` ("main", or a pid) took the
 * save of `file` as `patched`, however the reports came: one for all, or a process apart, `pending`
 * then `patched` for one that was inside the function (EC301: V8 takes inspector messages at a
 * function's entry, so a process that calls it often can be inside it when the patch comes).
 */
async function endsPatched(cli: RunningCli, log: string, file: string, want: Record<string, string>, mark: number): Promise<void> {
  const took = () => lastStatus(fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '', file);
  for (const end = Date.now() + 20000; !isDeepStrictEqual(took(), want);) {
    if (Date.now() > end) throw new Error(`the save did not end patched in every process: ${JSON.stringify(took())}\n${cli.stderr().slice(mark)}`);
    // (the next report, or a moment for the event file to be written)
    await cli.waitFor(/\n/, { stream: 'stderr', after: cli.mark('stderr'), timeout: 500 }).catch(() => {});
  }
  expect(cli.stderr().slice(mark)).not.toMatch(/not patched/);
}

/** Wait until each of `who` ("main", "plain a", …) prints a count with scale ×factor after `after`. */
async function counts2(cli: RunningCli, after: number, factor: number, who: string[]): Promise<void> {
  const left = new Set(who);
  for (const end = Date.now() + 20000; left.size;) {
    for (const m of cli.stdout().slice(after).matchAll(/^(main|plain \w) (\d+) scale=(\d+)$/gm)) if (Number(m[3]) === factor * Number(m[2])) left.delete(m[1]);
    if (!left.size) return;
    if (Date.now() > end) throw new Error(`not at ×${factor}: ${[...left].join(', ')}\n${cli.stdout().slice(after)}\n${cli.stderr()}`);
    await cli.waitFor(/\n[^\n]*\n/, { after: cli.mark(), step: `×${factor}` }).catch(() => {});
  }
}

const trace = (s: string) => { if (process.env.EC_TEST_TRACE) process.stderr.write(`${new Date().toISOString()} ${s}\n`); };

describe.each(alternatingConfigs())('$label', ({ bin, engine }) => {
  useEngine(engine);
  const start = cliPerTest();

  test('main + worker threads + a forked child: one save patches all with state kept; workers come and go; the worker and the child stop at the prompt, are fixed and retried', async () => {
    const dir = copyFixture('workers');
    const shape = path.join(dir, 'shape.js');
    const log = path.join(dir, 'events.jsonl');
    const cli = start(['-v', `--json=${log}`, bin, 'main.js'], dir);
    const childPid = Number((await cli.waitFor(/^pids \d+ (\d+)$/m, { step: 'start' }))[1]);
    const first = await counts(cli, 0, 2, 1);
    const [wid] = [...first.worker.keys()];
    await cli.waitFor(new RegExp(`attached to process ${childPid}\\n`), { stream: 'stderr', step: 'child attached' });
    await cli.waitFor(new RegExp(`attached to worker ${wid} \\(worker\\.js\\)\\n`), { stream: 'stderr', step: 'worker attached' });

    trace('one save, every thread and process, one report with the count; counters go on from where they were');
    let mark = cli.mark('stderr');
    let out = cli.mark();
    edit(shape, 'x * 2', 'x * 3', saveByRename);
    await cli.waitFor(/\[ec\] patched shape\.js: scale \(main \+ 1 thread \+ 1 process\)(?: \(\d+ ms\))?\n/, { stream: 'stderr', after: mark, step: 'save reported once for all' });
    const after = await counts(cli, out, 3, 1);
    expect(after.main).toBeGreaterThan(first.main);
    expect(after.child).toBeGreaterThan(first.child);
    expect(after.worker.get(wid)).toBeGreaterThan(first.worker.get(wid)!);
    expect(cli.stderr().slice(mark).match(/patched shape\.js/g)).toHaveLength(1);

    trace('a worker started after the save loads the new code, and takes the next save with the others');
    out = cli.mark();
    cli.send('spawn\n');
    const two = await counts(cli, out, 3, 2);
    const wid2 = [...two.worker.keys()].find((k) => k !== wid)!;
    await cli.waitFor(new RegExp(`attached to worker ${wid2} `), { stream: 'stderr', step: 'new worker attached' });
    mark = cli.mark('stderr');
    out = cli.mark();
    edit(shape, 'x * 3', 'x * 4', saveInPlace);
    await cli.waitFor(/\[ec\] patched shape\.js: scale \(main \+ 2 threads \+ 1 process\)(?: \(\d+ ms\))?\n/, { stream: 'stderr', after: mark, step: 'save reported for all four' });
    await counts(cli, out, 4, 2);

    trace('a worker that ends drops out of the next save');
    out = cli.mark();
    cli.send('stop\n');
    await cli.waitFor(new RegExp(`worker ${wid2} exited`), { after: out, step: 'second worker ends' });
    await cli.waitFor(new RegExp(`\\[ec\\] worker ${wid2} \\(worker\\.js\\) ended\\n`), { stream: 'stderr', step: 'second worker ended (-v)' });
    mark = cli.mark('stderr');
    out = cli.mark();
    edit(shape, 'x * 4', 'x * 5', saveByRename);
    await cli.waitFor(/\[ec\] patched shape\.js: scale \(main \+ 1 thread \+ 1 process\)(?: \(\d+ ms\))?\n/, { stream: 'stderr', after: mark, step: 'save after a worker ended' });
    await counts(cli, out, 5, 1);

    trace('an exception in the worker stops at the prompt, labelled; the prompt acts in that worker');
    mark = cli.mark('stderr');
    cli.send('boom\n');
    await cli.waitFor(new RegExp(`\\[worker ${wid}\\] TypeError: Cannot read properties of undefined \\(reading 'length'\\)[^\\n]*\\n\\s+at handle \\(worker\\.js:14:`), { stream: 'stderr', after: mark, step: 'worker exception shown' });
    await cli.waitFor(/ec> $/, { stream: 'stderr', after: mark, step: 'prompt' });
    await ask(cli, 'threads', new RegExp(`\\s+0  main thread  running\\n\\*\\s+${wid}  worker ${wid} \\(worker\\.js\\)  stopped \\(exception in handle\\)\\n\\s+${childPid}  child process  running`));
    await ask(cli, 'bt', /#0 handle \(worker\.js:14:\d+\)\n #1 parentPort\.on\('message'\) callback \(worker\.js:17:/);
    await ask(cli, 'locals', /message = \{ cmd: 'boom' \}/);
    await ask(cli, 'p count > 0 && typeof parentPort', /'object'/);
    await ask(cli, 'set items = [7]', /items = \[ 7 \]/);
    await ask(cli, 'p items.length + 1', /(?:^|ec> )2\n/m);
    mark = cli.mark('stderr');
    edit(path.join(dir, 'worker.js'), 'const items = message.items;', 'const items = message.items || [1, 2, 3];', saveByRename);
    await cli.waitFor(new RegExp(`\\[ec\\] (?:\\[worker ${wid}\\] waiting worker\\.js|patched worker\\.js: handle \\(worker ${wid}\\))`), { stream: 'stderr', after: mark, step: 'fix said' });
    out = cli.mark();
    cli.send('retry\n');
    await cli.waitFor(/^handled boom: 3$/m, { after: out, step: 'retried in the worker' });
    await counts(cli, cli.mark(), 5, 1);

    trace('an exception in the child process: the same, labelled with its pid');
    mark = cli.mark('stderr');
    cli.send('boom child\n');
    await cli.waitFor(new RegExp(`\\[process ${childPid}\\] TypeError: Cannot read properties of undefined \\(reading 'length'\\)[^\\n]*\\n\\s+at handleChild \\(child\\.js:19:`), { stream: 'stderr', after: mark, step: 'child exception shown' });
    await cli.waitFor(/ec> $/, { stream: 'stderr', after: mark, step: 'prompt' });
    await ask(cli, 'bt', /#0 handleChild \(child\.js:19:\d+\)/);
    // (the previous answer's prompt may come after the mark: the answer can follow 'ec> ' on its line)
    await ask(cli, 'p process.pid', new RegExp(`(?:^|ec> )${childPid}\n`, 'm'));
    mark = cli.mark('stderr');
    edit(path.join(dir, 'child.js'), 'const items = message.items;', 'const items = message.items || [1, 2, 3, 4];', saveInPlace);
    await cli.waitFor(new RegExp(`\\[ec\\] (?:\\[process ${childPid}\\] waiting child\\.js|patched child\\.js: handleChild \\(process ${childPid}\\))`), { stream: 'stderr', after: mark, step: 'child fix said' });
    // restart N there: the fixed function from its start, stopped there; cont runs it
    await ask(cli, 'restart 0', /restarted frame 0; stopped at its start/);
    out = cli.mark();
    cli.send('cont\n');
    await cli.waitFor(/^child handled boom: 4$/m, { after: out, step: 'restarted in the child' });
    await counts(cli, cli.mark(), 5, 1);

    trace("the child's worker thread: patched on save, its stop labelled with the process and the thread, fixed and retried there");
    const cwid = Number((await cli.waitFor(new RegExp(`attached to process ${childPid} worker (\\d+) \\(child-worker\\.js\\)\\n`), { stream: 'stderr', step: "child's worker attached" }))[1]);
    mark = cli.mark('stderr');
    edit(path.join(dir, 'child-worker.js'), '`v1 ', '`v2 ', saveByRename);
    await cli.waitFor(new RegExp(`\\[ec\\] patched child-worker\\.js: childWorkerAnswer \\(process ${childPid} worker ${cwid}\\)`), { stream: 'stderr', after: mark, step: "child's worker patched" });
    out = cli.mark();
    cli.send('ask child worker\n');
    await cli.waitFor(new RegExp(`^child worker ${cwid} ask: v2 2$`, 'm'), { after: out, step: "child's worker runs the new code" });
    mark = cli.mark('stderr');
    cli.send('boom child worker\n');
    await cli.waitFor(new RegExp(`\\[process ${childPid} worker ${cwid}\\] TypeError: Cannot read properties of undefined \\(reading 'length'\\)[^\\n]*\\n\\s+at childWorkerAnswer \\(child-worker\\.js:6:`), { stream: 'stderr', after: mark, step: "child's worker exception shown" });
    await cli.waitFor(/ec> $/, { stream: 'stderr', after: mark, step: 'prompt' });
    await ask(cli, 'threads', new RegExp(`\\s+${childPid}  child process  running\\n\\*\\s*${childPid}/${cwid}  worker ${cwid} of process ${childPid} \\(child-worker\\.js\\)  stopped \\(exception in childWorkerAnswer\\)`));
    mark = cli.mark('stderr');
    edit(path.join(dir, 'child-worker.js'), 'const items = message.items;', 'const items = message.items || [1, 2, 3];', saveInPlace);
    await cli.waitFor(new RegExp(`\\[ec\\] (?:\\[process ${childPid} worker ${cwid}\\] waiting child-worker\\.js|patched child-worker\\.js: childWorkerAnswer \\(process ${childPid} worker ${cwid}\\))`), { stream: 'stderr', after: mark, step: "child's worker fix said" });
    out = cli.mark();
    cli.send('retry\n');
    await cli.waitFor(new RegExp(`^child worker ${cwid} boom: v2 3$`, 'm'), { after: out, step: "retried in the child's worker" });
    await counts(cli, cli.mark(), 5, 1);

    trace('the child dies (SIGKILL) as a save is applied: the others are patched, nothing hangs');
    mark = cli.mark('stderr');
    out = cli.mark();
    cli.send('kill child\n');
    edit(shape, 'x * 5', 'x * 6', saveInPlace);
    await cli.waitFor(/\[ec\] patched shape\.js: scale \(main \+ 1 thread(?: \+ 1 process)?\)/, { stream: 'stderr', after: mark, step: 'save with a dying child' });
    await cli.waitFor(new RegExp(`process ${childPid} ended\\n`), { stream: 'stderr', after: mark, step: 'the child is gone (-v)' });
    // the program goes on, at ×6
    for (const end = Date.now() + 20000; ![...cli.stdout().slice(out).matchAll(/^main (\d+) scale=(\d+)$/gm)].some((m) => Number(m[2]) === 6 * Number(m[1]));) {
      if (Date.now() > end) throw new Error(`main not at ×6:\n${cli.stdout().slice(out)}`);
      await cli.waitFor(/\n[^\n]*\n/, { after: cli.mark(), step: 'main at ×6' });
    }

    trace('quit');
    cli.send('quit\n');
    expect((await cli.exited).code).toBe(0);

    // --json: the saves say how each thread and process took them; the stops and resumes name theirs
    const events = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; file?: string; thread?: number; pid?: number; threads?: { thread: number; pid?: number; status: string }[] });
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT_DIR, 'docs', 'events.schema.json'), 'utf8'));
    const validate = new Ajv2020({ allErrors: true, strict: false, formats: { 'date-time': (x: string) => !Number.isNaN(Date.parse(x)) } }).compile(schema);
    for (const e of events) if (!validate(e)) throw new Error(`invalid event ${JSON.stringify(e)}: ${JSON.stringify(validate.errors)}`);
    const saves = events.filter((e) => e.type === 'patched' && e.file?.endsWith('shape.js'));
    const c = `0/${childPid}:patched`;
    expect(saves.slice(0, 3).map((e) => e.threads!.map((t) => `${t.thread}${t.pid ? `/${t.pid}` : ''}:${t.status}`).sort().join(' '))).toEqual([
      [c, `0:patched`, `${wid}:patched`].sort().join(' '), [c, `0:patched`, `${wid}:patched`, `${wid2}:patched`].sort().join(' '), [c, `0:patched`, `${wid}:patched`].sort().join(' '),
    ]);
    const stops = events.filter((e) => e.type === 'paused');
    expect(stops.map((e) => `${e.pid ? `pid ${e.pid}` : ''}${e.pid && e.thread ? ' ' : ''}${e.thread ?? ''}`)).toEqual([String(wid), `pid ${childPid}`, `pid ${childPid} ${cwid}`]);
    expect(events.some((e) => e.type === 'resumed' && e.thread === wid)).toBe(true);
    expect(events.some((e) => e.type === 'resumed' && e.pid === childPid)).toBe(true);
    assertNoV8Abort(cli);
  });

  test("node started without the program's execArgv (spawn of process.execPath, exec of `node`) is reached with --spawned (through NODE_OPTIONS) and patched; a tool's script in node_modules is not; by default they are all left alone", async () => {
    const dir = copyFixture('workers');
    fs.mkdirSync(path.join(dir, 'node_modules', 'tool'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'node_modules', 'tool', 'cli.js'), "console.log(`tool ${process.pid} inspector=${require('node:inspector').url() ? 'open' : 'none'}`);\n");
    const started = async (cli: RunningCli, inspector: string) => {
      const pids: Record<string, number> = {};
      for (const who of ['plain a', 'plain b', 'tool']) pids[who] = Number((await cli.waitFor(new RegExp(`^${who} (\\d+) inspector=${who === 'tool' ? 'none' : inspector}$`, 'm'), { step: `${who} started` }))[1]);
      return pids;
    };
    const log = path.join(dir, 'events.jsonl');
    const cli = start(['-v', '--spawned', `--json=${log}`, bin, 'spawner.js'], dir);
    // (a child that ends before our session is set up must not wait for it: it hung in node's "Waiting for the debugger to disconnect")
    await cli.waitFor(/(?:^short returned: short open\n[^]*){5}/m, { step: 'short-lived children end', timeout: 30000 });
    const pids = await started(cli, 'open');
    for (const who of ['plain a', 'plain b']) await cli.waitFor(new RegExp(`attached to process ${pids[who]}\\n`), { stream: 'stderr', step: `${who} attached` });
    await counts2(cli, 0, 2, ['main', 'plain a', 'plain b']);
    const mark = cli.mark('stderr');
    const out = cli.mark();
    edit(path.join(dir, 'shape.js'), 'x * 2', 'x * 3', saveByRename);
    // (one report for the three, or a child's apart: it calls scale every 200 ms, and was seen inside it
    // when the patch came in fresh-clone CI, node 20: `waiting`, then `patched (was waiting)`)
    await endsPatched(cli, log, 'shape.js', { main: 'patched', [pids['plain a']]: 'patched', [pids['plain b']]: 'patched' }, mark);
    await counts2(cli, out, 3, ['main', 'plain a', 'plain b']);
    expect(cli.stderr()).not.toMatch(new RegExp(`attached to process ${pids.tool}\\b`));
    expect(cli.stderr()).not.toMatch(/Debugger listening/); // (their inspectors' banners are ours: filtered as the program's is)
    cli.send('quit\n');
    expect((await cli.exited).code).toBe(0);

    const alone = start(['-v', bin, 'spawner.js'], dir);
    await alone.waitFor(/(?:^short returned: short none\n[^]*){5}/m, { step: 'short-lived children, alone' });
    await started(alone, 'none');
    await alone.waitFor(/^main 2 scale=/m, { step: 'runs on' });
    expect(alone.stderr()).not.toMatch(/attached to process/);
    alone.send('quit\n');
    expect((await alone.exited).code).toBe(0);
  }, 120000); // two sessions of nine node processes each: each step's own limit explains a failure first

  test("a worker still running at the program's end, unref'd (esbuild's, under tsx), does not keep it from exiting", async () => {
    const dir = copyFixture('workers');
    const cli = start([bin, 'unref.js'], dir, 'ignore');
    expect(await exitedWithin(cli, 20_000, 'the program ends')).toEqual({ code: 0, signal: null });
    expect(cli.stdout()).toBe('worker says up\nmain done\n');
  });

  test('Ctrl+C twice ends the program and its forked child, with the code node gives', async () => {
    const dir = copyFixture('workers');
    const cli = start(['-v', bin, 'main.js'], dir);
    const childPid = Number((await cli.waitFor(/^pids \d+ (\d+)$/m, { step: 'start' }))[1]);
    await cli.waitFor(new RegExp(`attached to process ${childPid}\\n`), { stream: 'stderr', step: 'child attached' });
    cli.kill('SIGINT');
    await cli.waitFor(/pausing/, { stream: 'stderr', step: 'first Ctrl+C' });
    cli.kill('SIGINT');
    expect((await cli.exited).code).toBe(130);
    for (const end = Date.now() + 20000; isAlive(childPid) && Date.now() < end;) await new Promise((r) => setTimeout(r, 50));
    expect(isAlive(childPid)).toBe(false);
  });

  test('attach mode: the workers of an attached program are patched too', async () => {
    const dir = copyFixture('honest');
    // started as a user would, with the load-time transform (the swap engine needs it; jest's env says which)
    const program = spawn(bin, ['--inspect=127.0.0.1:0', '--require', path.join(ROOT_DIR, 'register.js'), 'threads.js'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'], env: process.env });
    try {
      let out = '';
      let err = '';
      program.stdout!.on('data', (d) => { out += d; });
      program.stderr!.on('data', (d) => { err += d; });
      const seen = (re: RegExp) => new Promise<RegExpExecArray>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}:\n${out}\n${err}`)), 20000);
        const check = () => { const m = re.exec(out + '\n' + err); if (m) { clearTimeout(timer); resolve(m); } };
        program.stdout!.on('data', check);
        program.stderr!.on('data', check);
        check();
      });
      const port = (await seen(/ws:\/\/127\.0\.0\.1:(\d+)\//))[1];
      await seen(/ready/);
      const cli = start(['attach', '-v', port], dir);
      await cli.waitFor(/attached to worker \d+ \(worker\.js\)\n/, { stream: 'stderr', step: 'worker attached' });
      const mark = cli.mark('stderr');
      edit(path.join(dir, 'worker.js'), 'v1', 'v2', saveByRename);
      await cli.waitFor(/patched worker\.js: answer \(worker \d+\)/, { stream: 'stderr', after: mark, step: 'patched in the worker' });
      program.stdin!.write('a\n');
      await seen(/worker says v2 a/);
      cli.send('detach\n');
      expect((await cli.exited).code).toBe(0);
    } finally {
      program.kill('SIGKILL');
    }
  });

  test('a 2-worker cluster HTTP server: one save patches the primary and both workers (--json), then both answer with the new code; SIGKILL of edit-continue ends every process', async () => {
    const dir = copyFixture('workers');
    const log = path.join(dir, 'events.jsonl');
    const cli = start(['-v', `--json=${log}`, bin, 'cluster.js'], dir);
    const m = await cli.waitFor(/^listening (\d+) primary (\d+) workers (\d+) (\d+)$/m, { step: 'cluster listens' });
    const [port, primary, w1, w2] = m.slice(1).map(Number);
    // (-v says when each process is attached: a save before that reaches it as it is attached, reported apart)
    await cli.waitFor(new RegExp(`attached to process (${w1}|${w2})\\n[^]*attached to process (${w1}|${w2})\\n`), { stream: 'stderr', step: 'both workers attached' });
    // every request answered (agent: false, no keep-alive): no request is in flight when the save comes
    await answers(port, [w1, w2], 4);
    const mark = cli.mark('stderr');
    edit(path.join(dir, 'shape.js'), 'x * 2', 'x * 3', saveByRename);
    // How each process took the save, from --json, however the reports came: one for the three, or a
    // worker's apart (its loading of shape.js reached us after the save), or `pending` and then
    // `patched` for a worker that was inside `scale` (EC301). Each must end patched, none refused.
    // Only then is the server asked: a request sent while the save applies can be inside `scale` when
    // the patch reaches that worker (V8 takes inspector messages at a function's entry), which is
    // how a worker came to wait in fresh-clone CI.
    await endsPatched(cli, log, 'shape.js', { main: 'patched', [w1]: 'patched', [w2]: 'patched' }, mark);
    await answers(port, [w1, w2], 6);
    cli.kill('SIGKILL');
    await cli.exited;
    for (const end = Date.now() + 20000; [primary, w1, w2].some(isAlive) && Date.now() < end;) await new Promise((r) => setTimeout(r, 50));
    expect([primary, w1, w2].map(isAlive)).toEqual([false, false, false]);
  });
});
