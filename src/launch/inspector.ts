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
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try { text = fs.readFileSync(table, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A' || !inodes.has(cols[9])) continue; // 0A: LISTEN
      ports.push(parseInt(cols[1].split(':')[1], 16));
    }
  }
  return ports;
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

/** Open the inspector of a running node process (SIGUSR1) and find its port. */
export async function openInspector(pid: number): Promise<number> {
  try { process.kill(pid, 0); } catch { throw new UserError(`there is no process ${pid}`); }
  const before = new Set(listeningPorts(pid));
  try { process.kill(pid, 'SIGUSR1'); } catch (err) { throw new UserError(`cannot signal process ${pid}: ${(err as Error).message}`); }
  for (let i = 0; i < 60; i++) {
    const found = listeningPorts(pid).filter((p) => !before.has(p));
    for (const port of found) {
      try { await inspectorUrl('127.0.0.1', port); return port; } catch { /* not the inspector */ }
    }
    if (i > 10 && before.size) {
      for (const port of before) { try { await inspectorUrl('127.0.0.1', port); return port; } catch { /* not it */ } }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new UserError(`process ${pid} did not open an inspector after SIGUSR1 (is it node, and was it started without --disable-sigusr1?)`);
}

