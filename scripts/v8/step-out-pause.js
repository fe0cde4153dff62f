#!/usr/bin/env node
// Does node read the inspector's messages while a Debugger.stepOut runs a function that loops?
// (docs/v8.md, "Node 22 reads nothing while a step out runs a loop")
//   node scripts/v8/step-out-pause.js [path/to/node] [stepOut|stepOver]
// The program loops in sum() forever. A Debugger.pause stops it there; then the step (stepOut: out of
// sum, which never returns; stepOver: on to the loop's next statement), and as V8 says the program
// runs, a Debugger.pause, a Runtime.getIsolateId 0.5 s later and another Debugger.pause 1 s later.
// Prints what came back within 3 s, e.g.
//   {"answered":["Debugger.pause","Runtime.getIsolateId","Debugger.pause"],"stops":["other","ambiguous"]}
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const WebSocket = require('ws');

const node = process.argv[2] || process.execPath;
const step = process.argv[3] || 'stepOut';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-v8-'));
const target = path.join(dir, 'target.js');
fs.writeFileSync(target, `function sum(limit) {
  let s = 0;
  for (let i = 0; i !== limit; i += 2) s += 1;
  return s;
}
console.log(sum(1000001));
`);
const child = spawn(node, ['--inspect=0', target], { stdio: ['ignore', 'ignore', 'pipe'] });
let err = '';
let ws = null;
child.stderr.on('data', (d) => { err += d; const m = /ws:\/\/\S+/.exec(err); if (m && !ws) attach(m[0]); });

function attach(url) {
  ws = new WebSocket(url);
  let id = 0;
  const names = new Map();
  const send = (method, params = {}) => { const i = ++id; names.set(i, method); ws.send(JSON.stringify({ id: i, method, params })); };
  const answered = [];
  const stops = [];
  let watching = false;
  const finish = () => { console.log(JSON.stringify({ answered, stops })); child.kill('SIGKILL'); fs.rmSync(dir, { recursive: true, force: true }); process.exit(0); };
  ws.on('message', (raw) => {
    const msg = JSON.parse(raw);
    if (msg.id) { if (watching) answered.push(names.get(msg.id)); return; }
    if (msg.method === 'Debugger.paused') {
      stops.push(msg.params.reason);
      if (stops.length === 1) send(`Debugger.${step}`);
      return;
    }
    if (msg.method === 'Debugger.resumed' && stops.length === 1 && !watching) {
      watching = true;
      send('Debugger.pause');
      setTimeout(() => send('Runtime.getIsolateId'), 500);
      setTimeout(() => send('Debugger.pause'), 1000);
      setTimeout(finish, 3000);
    }
  });
  ws.on('open', () => {
    send('Debugger.enable');
    send('Runtime.runIfWaitingForDebugger');
    setTimeout(() => send('Debugger.pause'), 500);
  });
}
