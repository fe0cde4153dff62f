#!/usr/bin/env node
// Is a Debugger.pause that reaches node right behind a Debugger.resume dropped, and does its answer
// come before the `resumed` event (so that, by the order of messages, it looks queued)?
// (docs/v8.md, "A Debugger.pause read before V8 has left a stop")
//   node scripts/v8/pause-after-resume.js [path/to/node] [together|on-answer|after-event]
// together:    Debugger.resume and Debugger.pause written back to back at an exception stop.
// on-answer:   Debugger.pause written as the answer to Debugger.resume comes.
// after-event: Debugger.pause written only once the `resumed` event has come.
// Prints the order of messages after the resume and whether an interrupt stop came in 1.5 s, e.g.
//   {"order":["answer:resume","answer:pause","event:resumed"],"interruptStop":false}
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const WebSocket = require('ws');

const node = process.argv[2] || process.execPath;
const mode = process.argv[3] || 'together';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-v8-'));
const target = path.join(dir, 'target.js');
// one exception, caught, then a busy loop that never throws again
fs.writeFileSync(target, `function pace(ms) { const end = Date.now() + ms; let s = 0; while (Date.now() < end) s++; return s; }
function work() { throw new Error('once'); }
setTimeout(() => { try { work(); } catch (e) {} for (;;) pace(5); }, 200);
`);
const child = spawn(node, ['--inspect=0', target], { stdio: ['ignore', 'ignore', 'pipe'] });
let err = '';
let ws = null;
child.stderr.on('data', (d) => { err += d; const m = /ws:\/\/\S+/.exec(err); if (m && !ws) attach(m[0]); });

function attach(url) {
  ws = new WebSocket(url);
  let id = 0;
  const names = new Map();
  const waiting = new Map();
  const send = (method, params = {}) => new Promise((resolve) => { const i = ++id; names.set(i, method.split('.')[1]); waiting.set(i, resolve); ws.send(JSON.stringify({ id: i, method, params })); });
  const order = [];
  let recording = false;
  let interruptStop = false;
  let done = false;
  const finish = () => { if (done) return; done = true; console.log(JSON.stringify({ order, interruptStop })); child.kill('SIGKILL'); fs.rmSync(dir, { recursive: true, force: true }); process.exit(0); };
  ws.on('message', async (raw) => {
    const msg = JSON.parse(raw);
    if (msg.id) { if (recording) order.push(`answer:${names.get(msg.id)}`); waiting.get(msg.id)?.(msg); return; }
    if (msg.method === 'Debugger.resumed') {
      if (recording) order.push('event:resumed');
      if (recording && mode === 'after-event' && !order.includes('sent:pause')) { order.push('sent:pause'); void send('Debugger.pause'); }
      return;
    }
    if (msg.method !== 'Debugger.paused') return;
    const { reason } = msg.params;
    if (recording) { order.push(`event:paused:${reason}`); if (reason !== 'exception') { interruptStop = true; finish(); } return; }
    if (reason !== 'exception') { await send('Debugger.resume'); return; }
    await send('Debugger.setPauseOnExceptions', { state: 'none' });
    recording = true;
    void send('Debugger.resume').then(() => { if (mode === 'on-answer') { order.push('sent:pause'); void send('Debugger.pause'); } });
    if (mode === 'together') { order.push('sent:pause'); void send('Debugger.pause'); }
    setTimeout(finish, 1500);
  });
  ws.on('open', async () => {
    await send('Debugger.enable');
    await send('Debugger.setPauseOnExceptions', { state: 'all' });
    await send('Runtime.runIfWaitingForDebugger');
  });
}
