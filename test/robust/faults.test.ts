// Process faults and security, on every supported node line. The controller killed at random
// moments must never leave the program running or paused; the program crashing, exiting during a
// patch, closing stdin, or flooding a slow stdout must end edit-continue cleanly with the program's
// code; a dropped inspector connection is said in words. The inspector is loopback-only and hidden.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { assertNoV8Abort, cliPerTest, copyFixture, edit, isAlive, runCli } from '../helpers/cli';
import { testNodes } from '../helpers/nodes';
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

/** The program edit-continue started: the node process running `script` in `dir`. */
function programPid(dir: string, script: string): number | null {
  const real = fs.realpathSync(dir);
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (cmd.includes(script) && cmd.some((a) => a.startsWith('--inspect=')) && fs.readlinkSync(`/proc/${p}/cwd`) === real) return Number(p);
    } catch { /* gone */ }
  }
  return null;
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

function get(port: number, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: p }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
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
    const pid = programPid(dir, script);
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
    const pid = programPid(dir, 'server.js')!;
    const addrs = listening(pid);
    const served = Number(/listening (\d+)/.exec(cli.stdout())![1]);
    const inspector = addrs.filter((a) => !a.endsWith(`:${served}`));
    expect(inspector.length).toBeGreaterThan(0);
    for (const a of addrs) expect(a).toMatch(/^127\.0\.0\.1:\d+$/);
    for (const a of inspector) {
      const port = Number(a.split(':')[1]);
      const list = await get(port, '/json/list').catch((e: Error) => ({ status: 0, body: e.message }));
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

