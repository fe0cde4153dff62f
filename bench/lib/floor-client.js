#!/usr/bin/env node
// The floor: the least a controller can do. It starts node under the inspector (waiting before the
// first line, as edit-continue does, see floor-wait.js), and on every fs.watch event of the script it
// sends the file's text with one Debugger.setScriptSource. No debounce, no parsing, no planning, no
// checks.
//
//   node floor-client.js [--pause-uncaught] [--no-watch] [--file FILE] NODE SCRIPT [ARGS...]
//
// --pause-uncaught sets the same exception pauses edit-continue sets by default (for overhead runs).
// --file watches and patches FILE, a module the script loads, instead of the script itself.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const CDP = require('chrome-remote-interface');

const argv = process.argv.slice(2);
const flag = (name) => { const i = argv.indexOf(name); if (i < 0) return false; argv.splice(i, 1); return true; };
const pauseUncaught = flag('--pause-uncaught');
const watch = !flag('--no-watch');
const fileAt = argv.indexOf('--file');
const fileArg = fileAt >= 0 ? argv.splice(fileAt, 2)[1] : null;
const [node, script, ...args] = argv;
const file = path.resolve(fileArg ?? script);
const url = pathToFileURL(file).href;

// (only a client that patches needs LiveEdit: asking node costs a process start)
const liveEditFlag = watch && /--inspector-live-edit\b/.test(execFileSync(node, ['--v8-options'], { encoding: 'utf8', maxBuffer: 8 << 20 }));
const child = spawn(node, [...(liveEditFlag ? ['--inspector-live-edit'] : []), '--inspect=127.0.0.1:0', '--require', path.join(__dirname, 'floor-wait.js'), path.resolve(script), ...args], {
  stdio: ['inherit', 'inherit', 'pipe'],
});
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15)));

let banner = '';
child.stderr.setEncoding('utf8');
child.stderr.on('data', (chunk) => {
  const text = chunk.split('\n').filter((l) => !/^(Debugger listening on|For help, see|Debugger attached|Debugger ending on|Waiting for the debugger)/.test(l)).join('\n');
  if (text.trim()) process.stderr.write(text);
  if (banner !== null) {
    banner += chunk;
    const m = /ws:\/\/\S+/.exec(banner);
    if (m) { banner = null; attach(m[0]).catch((e) => { console.error('floor:', e.message); child.kill('SIGKILL'); }); }
  }
});

async function attach(ws) {
  const client = await CDP({ target: ws, local: true });
  let scriptId = null;
  client.Debugger.scriptParsed((e) => {
    if (e.url === url) scriptId = e.scriptId;
  });
  let closed = false;
  client.on('disconnect', () => { closed = true; });
  // Node's inspector socket has no TCP_NODELAY: when node sends two messages in a row, the second
  // waits ~40 ms for our delayed ACK. A write of ours carries the ACK: when a message comes and
  // answers are still due, send a cheap command (its id is ours: chrome-remote-interface ignores it).
  let kickId = 2e9;
  let kicking = false;
  client._ws.on('message', (data) => {
    if (kicking && String(data).startsWith(`{"id":${kickId},`)) kicking = false;
    if (!kicking && !closed && Object.keys(client._callbacks).length > 0) { kicking = true; client._ws.send(JSON.stringify({ id: ++kickId, method: 'Runtime.getIsolateId', params: {} })); }
  });
  // the program is done: let it exit (node waits for the debugger otherwise)
  client.on('NodeRuntime.waitingForDisconnect', () => { closed = true; client.close().catch(() => {}); });
  // All requests at once, no Runtime domain (it is not needed, and slows exceptions down), and the
  // release once node says the program waits: one sent earlier would be lost, and the program would
  // wait forever.
  client.on('NodeRuntime.waitingForDebugger', () => { client.Runtime.runIfWaitingForDebugger().catch(() => {}); });
  client.send('NodeRuntime.enable').catch(() => {});
  client.send('NodeRuntime.notifyWhenWaitingForDisconnect', { enabled: true }).catch(() => {});
  client.Debugger.enable().catch(() => {});
  if (pauseUncaught) client.Debugger.setPauseOnExceptions({ state: 'uncaught' }).catch(() => {});
  if (!watch) return;

  let last = fs.readFileSync(file, 'utf8');
  let busy = false;
  let again = false;
  const apply = async () => {
    if (busy) { again = true; return; }
    busy = true;
    do {
      again = false;
      let text;
      try { text = fs.readFileSync(file, 'utf8'); } catch { continue; }
      if (!text || text === last || scriptId === null) continue; // an editor's truncate, or nothing new
      last = text;
      // a function that happens to be on the stack at that instant blocks the edit: send it again
      for (let tries = 0; tries < 50; tries++) {
        const r = await client.Debugger.setScriptSource({ scriptId, scriptSource: text }).catch(() => null);
        if (!r || !/^Blocked/.test(r.status)) break;
      }
    } while (again);
    busy = false;
  };
  fs.watch(file, () => { void apply(); });
}
