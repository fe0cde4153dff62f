#!/usr/bin/env node
// Does a Debugger.pause sent while the program runs survive an exception stop that comes first, and
// does each request give a stop of its own? (docs/v8.md, "A queued Debugger.pause")
//   node scripts/v8/queued-pause.js [path/to/node] [once|twice|eval]
// once:  one request; the exception stop comes first and is resumed → the request still stops later.
// eval:  the same with an evaluation at the exception stop → the request still stops later.
// twice: a second request after resuming from the exception stop → two interrupt stops.
// Prints the stops in order, e.g. ["exception:work","other:pace","other:pace"].
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const WebSocket = require('ws');

const node = process.argv[2] || process.execPath;
const mode = process.argv[3] || 'twice';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-v8-'));
const target = path.join(dir, 'target.js');
fs.writeFileSync(target, `function pace(ms) { const end = Date.now() + ms; let s = 0; while (Date.now() < end) s++; return s; }
function work(n) { if (n % 2 === 0) throw new Error('b' + n); return n; }
let n = 0;
for (;;) { pace(5); n++; try { work(n); } catch (e) {} }
`);
const child = spawn(node, ['--inspect=0', target], { stdio: ['ignore', 'ignore', 'pipe'] });
let err = '';
let ws = null;
child.stderr.on('data', (d) => { err += d; const m = /ws:\/\/\S+/.exec(err); if (m && !ws) attach(m[0]); });

function attach(url) {
  ws = new WebSocket(url);
  let id = 0;
  const waiting = new Map();
  const send = (method, params = {}) => new Promise((resolve) => { const i = ++id; waiting.set(i, resolve); ws.send(JSON.stringify({ id: i, method, params })); });
  const stops = [];
  let phase = 'first';
  let done = false;
  const finish = () => { if (done) return; done = true; console.log(JSON.stringify(stops)); child.kill('SIGKILL'); fs.rmSync(dir, { recursive: true, force: true }); process.exit(0); };
  ws.on('message', async (raw) => {
    const msg = JSON.parse(raw);
    if (msg.id) { waiting.get(msg.id)?.(msg); return; }
    if (msg.method !== 'Debugger.paused') return;
    const { reason, callFrames } = msg.params;
    stops.push(`${reason}:${callFrames[0].functionName}`);
    if (phase === 'first' && reason === 'exception') {
      phase = 'after';
      // from here on only interrupts stop the program
      await send('Debugger.setPauseOnExceptions', { state: 'none' });
      if (mode === 'eval') await send('Debugger.evaluateOnCallFrame', { callFrameId: callFrames[0].callFrameId, expression: '(() => { let s = 0; for (let i = 0; i < 1e5; i++) s += i; return s; })()' });
      await send('Debugger.resume');
      if (mode === 'twice') await send('Debugger.pause');
      setTimeout(finish, 1500);
      return;
    }
    await send('Debugger.resume');
  });
  ws.on('open', async () => {
    await send('Debugger.enable');
    await send('Debugger.setPauseOnExceptions', { state: 'all' });
    await send('Runtime.runIfWaitingForDebugger');
    // the program throws every 10 ms: the exception stop nearly always comes before the interrupt
    setTimeout(() => { void send('Debugger.pause'); setTimeout(finish, 3000); }, 300);
  });
}
