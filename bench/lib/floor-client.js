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
const main = pathToFileURL(path.resolve(script)).href;
const url = pathToFileURL(file).href;

const liveEditFlag = /--inspector-live-edit\b/.test(execFileSync(node, ['--v8-options'], { encoding: 'utf8', maxBuffer: 8 << 20 }));
const child = spawn(node, [...(liveEditFlag ? ['--inspector-live-edit'] : []), '--inspect=127.0.0.1:0', '--require', path.join(__dirname, 'floor-wait.js'), path.resolve(script), ...args], {
  stdio: ['inherit', 'inherit', 'pipe'],
});
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15)));

let banner = '';
child.stderr.setEncoding('utf8');
child.stderr.on('data', (chunk) => {
  const text = chunk.split('\n').filter((l) => !/^(Debugger listening on|For help, see|Debugger attached|Waiting for the debugger)/.test(l)).join('\n');
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
  let running = false;
  client.Debugger.scriptParsed((e) => {
    if (e.url === url) scriptId = e.scriptId;
    if (e.url === main) running = true;
  });
  let closed = false;
  client.on('disconnect', () => { closed = true; });
  // the program is done: let it exit (node waits for the debugger otherwise)
  client.on('NodeRuntime.waitingForDisconnect', () => { closed = true; client.close().catch(() => {}); });
  await client.send('NodeRuntime.notifyWhenWaitingForDisconnect', { enabled: true }).catch(() => {});
  await client.Runtime.enable();
  await client.Debugger.enable();
  if (pauseUncaught) await client.Debugger.setPauseOnExceptions({ state: 'uncaught' });
  // A release sent before the program waits is lost: send it until the program has gone on to its script.
  while (!running && !closed && child.exitCode === null) {
    await client.Runtime.runIfWaitingForDebugger().catch(() => {});
    await new Promise((r) => setTimeout(r, 20));
  }
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
