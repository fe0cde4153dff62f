// Shared by the drivers in this folder: run a program under node's inspector and speak CDP to it.
//   const { launch } = require('./inspect');
//   launch(node, source, { onEvent(msg), onAnswer(method, msg), onExit(code, signal), nodeArgs }) → { send(method, params) → Promise<msg>, finish(result) }
// The program is written to a temporary folder and started with --inspect=0; `send` resolves with
// node's answer; `finish` prints `result` as one JSON line, kills the program, removes the folder and
// exits.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const WebSocket = require('ws');

function launch(node, source, handlers = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-v8-'));
  const target = path.join(dir, 'target.js');
  fs.writeFileSync(target, source);
  const child = spawn(node, [...(handlers.nodeArgs ?? []), '--inspect=0', target], { stdio: ['ignore', 'ignore', 'pipe'] });
  let id = 0;
  let ws = null;
  let ready;
  const opened = new Promise((resolve) => { ready = resolve; });
  const waiting = new Map();
  let done = false;
  const session = {
    send(method, params = {}) {
      return opened.then(() => new Promise((resolve) => {
        const i = ++id;
        waiting.set(i, { method, resolve });
        ws.send(JSON.stringify({ id: i, method, params }));
      }));
    },
    finish(result) {
      if (done) return;
      done = true;
      console.log(JSON.stringify(result));
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    },
    opened,
  };
  child.on('exit', (code, signal) => {
    if (done) return;
    fs.rmSync(dir, { recursive: true, force: true });
    handlers.onExit?.(code, signal);
  });
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
    const m = /ws:\/\/\S+/.exec(err);
    if (!m || ws) return;
    ws = new WebSocket(m[0]);
    ws.on('open', () => ready());
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw);
      if (msg.id) {
        const w = waiting.get(msg.id);
        waiting.delete(msg.id);
        handlers.onAnswer?.(w?.method, msg);
        w?.resolve(msg);
        return;
      }
      handlers.onEvent?.(msg);
    });
  });
  return session;
}

module.exports = { launch };
