// Process faults and security, on every supported node line. The controller killed at random
// moments must never leave the program running or paused; the program crashing, exiting during a
// patch, closing stdin, or flooding a slow stdout must end edit-continue cleanly with the program's
// code; a dropped inspector connection is said in words. The inspector is loopback-only and hidden.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assertNoV8Abort, cliPerTest, copyFixture, edit, isAlive, runCli, runningProgram, saveByRename, saveInPlace, type RunningCli } from '../helpers/cli';
import { testConfigs, testNodes, useEngine } from '../helpers/nodes';
import { httpGet } from '../helpers/http';
import { rng, seedFor, tally } from './tally';

const SUITE = 'process faults';

async function waitUntil(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

/** Local addresses (ip:port) a process listens on, from /proc (IPv4 and IPv6). */
function listening(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch { /* closed */ }
  }
  const out: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const c = line.trim().split(/\s+/);
      if (c.length < 10 || c[3] !== '0A' || !inodes.has(c[9])) continue;
      const [hex, port] = c[1].split(':');
      const ip = hex.length === 8
        ? hex.match(/../g)!.reverse().map((b) => parseInt(b, 16)).join('.')
        : hex === '00000000000000000000000001000000' ? '::1' : hex === '0'.repeat(32) ? '::' : `ipv6:${hex}`;
      out.push(`${ip}:${parseInt(port, 16)}`);
    }
  }
  return out;
}


// One engine (edit-continue's own choice): killing the controller, dropping the connection and flooding stdout do not go through the engine.
describe.each(testNodes())('$label', ({ bin, major }) => {
  const start = cliPerTest();

  test.each(['running', 'paused', 'mid-patch'])('the controller killed with SIGKILL while %s: the program does not stay alive', async (moment) => {
    const seed = seedFor(`kill-${moment}-${major}`);
    const r = rng(seed);
    const dir = copyFixture(moment === 'paused' ? 'retry' : 'server');
    const script = moment === 'paused' ? 'job.js' : 'server.js';
    const cli = start([bin, script, ...(moment === 'paused' ? [] : ['0'])], dir);
    if (moment === 'paused') await cli.waitFor(/ec> $/, { stream: 'stderr', step: 'paused' });
    else await cli.waitFor(/listening \d+/, { step: 'server up' });
    const pid = runningProgram(dir, script);
    expect(pid).not.toBeNull();
    if (moment === 'mid-patch') {
      edit(path.join(dir, script), 'hello v1', 'hello v2');
      await new Promise((res) => setTimeout(res, r.int(40))); // somewhere in debounce, read, plan or LiveEdit
    } else {
      await new Promise((res) => setTimeout(res, r.int(200)));
    }
    cli.kill('SIGKILL');
    const gone = await waitUntil(() => !isAlive(pid!), 8000);
    tally({ suite: SUITE, node: major, what: 'programs left running', n: gone ? 0 : 1, seed });
    tally({ suite: SUITE, node: major, what: 'controller kills', n: 1 });
    if (!gone) process.kill(pid!, 'SIGKILL');
    expect({ seed, gone }).toEqual({ seed, gone: true });
  });

  test('the program crashes: edit-continue exits with its code and prints its error', async () => {
    const dir = copyFixture('faults');
    const cli = start(['--break-on', 'none', bin, 'crashes.js'], dir);
    const exit = await cli.exited;
    expect(exit.code).toBe(1);
    expect(cli.stderr()).toMatch(/Error: crash on purpose/);
    expect(cli.stderr()).not.toMatch(/internal error/);
  });

  test('the program exits while a save is being applied: clean exit with its code', async () => {
    const dir = copyFixture('faults');
    const cli = start([bin, 'exits-soon.js'], dir);
    await cli.waitFor(/started v1/, { step: 'started' });
    for (let i = 2; i < 8; i++) {
      edit(path.join(dir, 'exits-soon.js'), /'v\d'/, `'v${i}'`);
      await new Promise((r) => setTimeout(r, 15));
    }
    const exit = await cli.exited;
    expect(exit.code).toBe(5);
    expect(cli.stderr()).not.toMatch(/internal error/);
  });

  test('the program closes its stdin: input is not forced on it, and it finishes', async () => {
    const dir = copyFixture('faults');
    const cli = start([bin, 'closes-stdin.js'], dir);
    cli.send('hello\n');
    await cli.waitFor(/got hello/, { step: 'read a line' });
    cli.send('more input the program no longer reads\n');
    await cli.waitFor(/done/, { step: 'went on' });
    cli.child.stdin!.end();
    expect((await cli.exited).code).toBe(0);
  });

  test('a slow reader on stdout: the program waits, nothing is lost, the exit code is its own', async () => {
    const dir = copyFixture('faults');
    const cli = runCli([bin, 'flood.js'], { cwd: dir });
    cli.child.stdout!.pause(); // nobody reads for a while: the pipe fills and the program must wait
    await new Promise((r) => setTimeout(r, 800));
    let bytes = 0;
    cli.child.stdout!.removeAllListeners('data');
    cli.child.stdout!.on('data', (d: Buffer) => { bytes += d.length; });
    cli.child.stdout!.resume();
    const exit = await cli.exited;
    assertNoV8Abort(cli);
    expect(exit.code).toBe(3);
    expect(bytes).toBe(8 * 1024 * 1024);
  });

  test('the inspector connection drops: edit-continue says so, the program runs on and its exit code comes through', async () => {
    const dir = copyFixture('faults');
    const cli = start([bin, 'closes-inspector.js'], dir);
    await cli.waitFor(/lost the connection to the program's inspector/, { stream: 'stderr', step: 'says so' });
    await cli.waitFor(/still running 8/, { step: 'runs on' });
    const exit = await cli.exited;
    expect(exit.code).toBe(7);
    expect(cli.stderr()).not.toMatch(/internal error/);
  });

  // Found by the edit fuzz: a SIGTERM passed on to the program closes its inspector socket a moment
  // before its exit is seen, and edit-continue said "lost the connection … the program runs on".
  test('SIGTERM ends the program with 143 and no word of a lost connection', async () => {
    const dir = copyFixture('faults');
    const cli = start([bin, 'closes-inspector.js'], dir);
    await cli.waitFor(/started/, { step: 'started' });
    cli.kill('SIGTERM');
    const exit = await cli.exited;
    expect(exit.code).toBe(143);
    expect(cli.stderr()).not.toMatch(/lost the connection/);
  });

  test('security: the inspector listens on loopback only, and /json/list does not give its websocket URL away', async () => {
    const dir = copyFixture('server');
    const cli = start([bin, 'server.js', '0'], dir);
    await cli.waitFor(/listening \d+/, { step: 'server up' });
    const pid = runningProgram(dir, 'server.js')!;
    const addrs = listening(pid);
    const served = Number(/listening (\d+)/.exec(cli.stdout())![1]);
    const inspector = addrs.filter((a) => !a.endsWith(`:${served}`));
    expect(inspector.length).toBeGreaterThan(0);
    for (const a of addrs) expect(a).toMatch(/^127\.0\.0\.1:\d+$/);
    for (const a of inspector) {
      const port = Number(a.split(':')[1]);
      const list = await httpGet(port, '/json/list').catch((e: Error) => ({ status: 0, body: e.message }));
      expect(list.body).not.toMatch(/ws:\/\/|webSocketDebuggerUrl"\s*:\s*"ws/);
    }
  });

  test('security: attach to a host that is not loopback only with --allow-remote, and with a warning', async () => {
    const ip = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    expect(ip).toBeDefined(); // the CI machine has a network interface besides loopback
    const dir = copyFixture('attach');
    const svc = spawn(bin, [`--inspect=${ip}:0`, 'service.js'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let err = '';
      svc.stderr!.on('data', (d) => (err += d));
      await waitUntil(() => /ws:\/\/[^:]+:\d+\//.test(err), 5000);
      const port = Number(/ws:\/\/[^:]+:(\d+)\//.exec(err)![1]);
      const refused = start(['attach', `${ip}:${port}`], dir);
      expect((await refused.exited).code).not.toBe(0);
      expect(refused.stderr()).toMatch(/is not this machine.*--allow-remote/);
      const allowed = start(['attach', '--allow-remote', `${ip}:${port}`], dir);
      await allowed.waitFor(/attaching to [\d.]+, which is not this machine: the connection is not encrypted/, { stream: 'stderr', step: 'warning' });
      await allowed.waitFor(/attached to process/, { stream: 'stderr', step: 'attached' });
      allowed.send('detach\n');
      expect((await allowed.exited).code).toBe(0);
    } finally {
      svc.kill('SIGKILL');
    }
  });
});


// Issue 15: a child process that dies and a worker thread that ends while a save is being applied to
// them. Deterministic: the child is stopped (SIGSTOP) and the worker blocked in a system call (a read
// of a FIFO: it runs no JavaScript, so no inspector message) before the save; once the main thread
// runs the new code, the child is killed and the worker terminated. The save's report must not call
// the child patched, the others must be, no "not patched" is said of the gone, and the next save works.
describe.each(testConfigs())('$label', ({ bin, major, engine }) => {
  useEngine(engine);
  const start = cliPerTest();

  test('a child process dies and a worker thread ends mid-patch: the report stays true, the rest goes on, the next save works', async () => {
    const dir = copyFixture('faults');
    const fifo = path.join(dir, 'block.fifo');
    execFileSync('mkfifo', [fifo]);
    const shape = path.join(dir, 'family-shape.js');
    const log = path.join(dir, 'events.jsonl');
    const cli = start(['-v', `--json=${log}`, bin, 'family.js', fifo], dir);
    type SaveEvent = { type: string; file?: string; threads?: { thread: number; pid?: number; status: string }[] };
    // (a report of the main thread alone has no `threads`)
    const events = (text: string) => text.split('\n').flatMap((l): SaveEvent[] => { try { return [JSON.parse(l) as SaveEvent]; } catch { return []; } })
      .filter((e) => e.file?.endsWith('family-shape.js') && e.type !== 'started').map((e) => ({ ...e, threads: e.threads ?? [{ thread: 0, status: e.type }] }));
    const took = (es: ReturnType<typeof events>) => [...new Set(es.flatMap((e) => e.threads!).filter((t) => t.status === 'patched' && t.thread !== w1).map((t) => `${t.pid ? `${t.pid}/` : ''}${t.thread}`))].sort();
    const [w1, w2, child] = (await cli.waitFor(/^ids (\d+) (\d+) (\d+)$/m, { step: 'start', timeout: 20000 })).slice(1).map(Number);
    await cli.waitFor(new RegExp(`attached to process ${child}\\n`), { stream: 'stderr', step: 'child attached', timeout: 20000 });
    for (const w of [w1, w2]) await cli.waitFor(new RegExp(`attached to worker ${w} `), { stream: 'stderr', step: `worker ${w} attached`, timeout: 20000 });
    // (a save is patched where the file is loaded: wait until every thread has loaded it and counts)
    await scaled(cli, 0, 2, [`main`, `worker ${w2}`, `worker ${w1}`, `child`]);

    cli.send('block\n');
    await cli.waitFor(new RegExp(`^worker ${w1} blocked$`, 'm'), { step: 'worker blocked' });
    process.kill(child, 'SIGSTOP');
    let mark = cli.mark('stderr');
    let out = cli.mark();
    edit(shape, 'x * 2', 'x * 3', saveByRename);
    await scaled(cli, out, 3, ['main', `worker ${w2}`]);
    // the patch is on its way to the stopped child and the blocked worker, which cannot take it
    process.kill(child, 'SIGKILL');
    cli.send('end\n');
    // (terminated before it returns from the read: it runs no JavaScript of its own again)
    await cli.waitFor(new RegExp(`^ending worker ${w1}$`, 'm'), { step: 'worker terminated' });
    const fd = fs.openSync(fifo, 'w'); // (the worker waits in open(2) for a writer: this returns at once)
    fs.closeSync(fd);
    await cli.waitFor(new RegExp(`^worker ${w1} exited$`, 'm'), { step: 'worker ended', timeout: 20000 });
    await cli.waitFor(new RegExp(`process ${child} ended\\n`), { stream: 'stderr', after: mark, step: 'child gone (-v)', timeout: 20000 });
    await cli.waitFor(new RegExp(`worker ${w1} \\(family-worker\\.js\\) ended\\n`), { stream: 'stderr', after: mark, step: 'worker gone (-v)', timeout: 20000 });
    await cli.waitFor(/\[ec\] patched family-shape\.js: scale/, { stream: 'stderr', after: mark, step: 'save reported', timeout: 20000 });
    expect(cli.stdout()).not.toMatch(/unblocked/); // (the worker ran no JavaScript of its own after the read)
    // (their end is said by -v; no "not patched … save again" for the child, nor for main or the worker
    // left. The terminated worker may answer as it ends, before its end is known: with the swap engine
    // its evaluate then fails, "[worker N] not patched: Uncaught", which is true)
    expect(cli.stderr().slice(mark).split('\n').filter((l) => /not patched/.test(l) && !l.includes(`[worker ${w1}]`))).toEqual([]);

    // (every report of that save is in: main's and the worker's, on one line or two)
    const tookFirst = () => took(events(fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : ''));
    await waitUntil(() => ['0', String(w2)].every((t) => tookFirst().includes(t)), 20000);

    // the rest goes on, and the next save reaches main and the worker that is left
    const firstSave = fs.statSync(log).size;
    mark = cli.mark('stderr');
    out = cli.mark();
    edit(shape, 'x * 3', 'x * 4', saveInPlace);
    const next = await scaled(cli, out, 4, ['main', `worker ${w2}`]).then(() => true, () => false);
    await cli.waitFor(/\[ec\] patched family-shape\.js: scale/, { stream: 'stderr', after: mark, step: 'next save reported' });
    await waitUntil(() => ['0', String(w2)].every((t) => took(events(fs.readFileSync(log).subarray(firstSave).toString())).includes(t)), 20000);
    cli.send('quit\n');
    expect((await cli.exited).code).toBe(0);
    assertNoV8Abort(cli);

    // --json: the first save's reports (one line, or more when a thread's came apart) say main and the
    // worker left took it, and never the stopped child; the ended worker had the patch queued when it
    // was terminated and may take it as it ends (docs/v8.md, "Worker threads and child processes"),
    // and answer: counted then, as V8 applied it
    const bytes = fs.readFileSync(log); // (firstSave counts bytes)
    const text = bytes.toString();
    const falsePatched = events(text).flatMap((e) => e.threads!).filter((t) => t.status === 'patched' && t.pid === child).length;
    const first = took(events(bytes.subarray(0, firstSave).toString()));
    const second = took(events(bytes.subarray(firstSave).toString()));
    tally({ suite: SUITE, node: major, what: 'false patched', n: falsePatched });
    tally({ suite: SUITE, node: major, what: 'wedged sessions', n: next ? 0 : 1 });
    tally({ suite: SUITE, node: major, what: 'children killed mid-patch', n: 1 });
    tally({ suite: SUITE, node: major, what: 'workers ended mid-patch', n: 1 });
    expect({ falsePatched, next, first, second }).toEqual({ falsePatched: 0, next: true, first: ['0', String(w2)], second: ['0', String(w2)] });
  });
});

/** Wait until each of `who` ("main", "child", "worker N") prints a count with scale ×factor after `after`. */
async function scaled(cli: RunningCli, after: number, factor: number, who: string[]): Promise<void> {
  const left = new Set(who);
  for (const end = Date.now() + 20000; left.size;) {
    for (const m of cli.stdout().slice(after).matchAll(/^(main|child|worker \d+) (\d+) scale=(\d+)$/gm)) if (Number(m[3]) === factor * Number(m[2])) left.delete(m[1]);
    if (!left.size) return;
    if (Date.now() > end) throw new Error(`not at ×${factor}: ${[...left].join(', ')}\n${cli.stdout().slice(after)}\n${cli.stderr()}`);
    await cli.waitFor(/\n[^\n]*\n/, { after: cli.mark(), step: `×${factor}`, timeout: 20000 }).catch(() => {});
  }
}
