// Find the inspector of a node process that edit-continue did not start: by host and port (its
// /json/list), or by pid (SIGUSR1 opens it; /proc says on which port). Linux for --pid (docs/v8.md, Attach).
import * as fs from 'node:fs';
import { UserError } from '../util/errors';

/** The TCP port a process listens on, read from /proc (Linux): its sockets in LISTEN state. */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  try {
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      try {
        const link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
        const m = /^socket:\[(\d+)\]$/.exec(link);
        if (m) inodes.add(m[1]);
      } catch { /* closed meanwhile */ }
    }
  } catch {
    return [];
  }
  return listeningSockets().filter((s) => inodes.has(s.inode)).map((s) => s.port);
}

/** The machine's TCP sockets in LISTEN state, from /proc/net/tcp and tcp6 (Linux): port and socket inode. */
function listeningSockets(): { port: number; inode: string }[] {
  const out: { port: number; inode: string }[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try { text = fs.readFileSync(table, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A') continue; // 0A: LISTEN
      out.push({ port: parseInt(cols[1].split(':')[1], 16), inode: cols[9] });
    }
  }
  return out;
}

export async function inspectorUrl(host: string, port: number): Promise<string> {
  let targets: { type?: string; webSocketDebuggerUrl?: string }[];
  try {
    targets = await listTargets(host, port);
  } catch (err) {
    throw new UserError(`nothing answers as a node inspector on ${host}:${port} (${(err as Error).message}); start the program with node --inspect`);
  }
  const t = targets.find((x) => x.webSocketDebuggerUrl);
  if (!t?.webSocketDebuggerUrl) throw new UserError(`the inspector on ${host}:${port} lists no target to attach to`);
  return t.webSocketDebuggerUrl;
}

/** An inspector's targets (GET /json/list). */
function listTargets(host: string, port: number): Promise<{ type?: string; webSocketDebuggerUrl?: string }[]> {
  const http = require('node:http') as typeof import('node:http');
  return new Promise((resolve, reject) => {
    const req = http.get({ host: host.replace(/^\[(.*)\]$/, '$1'), port, path: '/json/list', timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}`));
        try { resolve(JSON.parse(body)); } catch { reject(new Error('not JSON')); }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
  });
}

/** How long a process is given to open its inspector after SIGUSR1. */
const OPEN_WAIT_MS = 10_000;

/** Open the inspector of a running node process (SIGUSR1) and find its port. */
export async function openInspector(pid: number): Promise<number> {
  try { process.kill(pid, 0); } catch { throw new UserError(`there is no process ${pid}`); }
  const before = new Set(listeningPorts(pid));
  // the port node would open it on is another process's: SIGUSR1 would only make the program print
  // that it failed
  const port = sigusr1Port(pid);
  if (port !== 0 && !before.has(port) && portListening(port)) throw portTaken(pid, port, '');
  try { process.kill(pid, 'SIGUSR1'); } catch (err) { throw new UserError(`cannot signal process ${pid}: ${(err as Error).message}`); }
  // node opens it on a thread of its own within milliseconds; a loaded machine has been seen to take
  // over 3 s (a process starved of CPU), so it is looked for up to 10 s
  const deadline = Date.now() + OPEN_WAIT_MS;
  for (let i = 0; Date.now() < deadline; i++) {
    const found = listeningPorts(pid).filter((p) => !before.has(p));
    for (const port of found) {
      try { await inspectorUrl('127.0.0.1', port); return port; } catch { /* not the inspector */ }
    }
    if (i > 10 && before.size) {
      for (const port of before) { try { await inspectorUrl('127.0.0.1', port); return port; } catch { /* not it */ } }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (port !== 0 && portListening(port)) throw portTaken(pid, port, ` within ${OPEN_WAIT_MS / 1000} s of SIGUSR1`);
  throw new UserError(`process ${pid} did not open an inspector within ${OPEN_WAIT_MS / 1000} s of SIGUSR1 (is it node, and was it started without --disable-sigusr1?)`);
}

function portTaken(pid: number, port: number, when: string): UserError {
  return new UserError(`process ${pid} cannot open an inspector${when}: node opens it on port ${port}${port === 9229 ? ' (its --inspect-port, 9229 by default)' : ' (its --inspect-port)'}, which another process holds (a program being debugged?). Start the program with --inspect-port=0, or with --inspect=PORT and attach to that port`);
}

/** The port SIGUSR1 makes a node process open its inspector on: its --inspect-port (or --debug-port), else 9229. */
export function sigusr1Port(pid: number, cmdline?: string[]): number {
  let args = cmdline;
  if (!args) {
    try { args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'); } catch { return 9229; }
  }
  let port = 9229;
  for (let i = 0; i < args.length; i++) {
    const m = /^--(?:inspect-port|debug-port)(?:=(.*))?$/.exec(args[i]);
    if (!m) continue;
    const value = m[1] ?? args[i + 1] ?? '';
    const n = Number(value.includes(':') ? value.slice(value.lastIndexOf(':') + 1) : value);
    if (Number.isInteger(n) && n >= 0) port = n;
  }
  return port;
}

/** Does any process listen on this TCP port? */
function portListening(port: number): boolean {
  return listeningSockets().some((s) => s.port === port);
}

