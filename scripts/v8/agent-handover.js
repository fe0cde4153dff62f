#!/usr/bin/env node
// The in-process agent's hand-over (issue 17; bench/ANALYSIS.md, "The in-process agent"): can the
// main thread, before any code of the program, wait for a worker thread's inspector session
// (`connectToMainThread()`) to enable the Debugger, and does that session then take the main thread's
// exception stops, evaluate there and resume?
//   node scripts/v8/agent-handover.js [path/to/node]
// The main thread spins on a shared flag (Atomics.wait would block the dispatch of the worker's
// messages, which the main thread runs); the worker sets the flag once `Debugger.enable` and
// `Debugger.setPauseOnExceptions` are answered. Then the program throws an uncaught exception and the
// agent, stopped there, evaluates `n * 2` and resumes. Prints one JSON line, e.g.
//   {"node":"v20.20.2","readyMs":61.2,"stop":"exception","evaluated":6,"resumed":true}
// or {"node":…,"readyMs":null,…} when the agent was not ready within 3 s (a deadlock).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const node = process.argv[2] || process.execPath;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-v8-'));
const target = path.join(dir, 'target.js');
fs.writeFileSync(target, `
const { Worker } = require('node:worker_threads');
const t0 = process.hrtime.bigint();
const flag = new Int32Array(new SharedArrayBuffer(4));
const report = {};
const w = new Worker(\`
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const inspector = require('node:inspector');
const s = new inspector.Session();
s.connectToMainThread();
setInterval(() => {}, 1e6); // a Session does not keep a worker alive
const out = (m) => fs.writeSync(2, JSON.stringify(m) + '\\\\n');
s.on('Debugger.paused', (m) => {
  const frame = m.params.callFrames[0];
  s.post('Debugger.evaluateOnCallFrame', { callFrameId: frame.callFrameId, expression: 'n * 2' }, (e, r) => {
    out({ stop: m.params.reason, evaluated: r && r.result.value });
    s.post('Debugger.resume', () => out({ resumed: true }));
  });
});
s.post('Debugger.enable', () => s.post('Debugger.setPauseOnExceptions', { state: 'uncaught' }, () => Atomics.store(workerData, 0, 1)));
\`, { eval: true, workerData: flag, env: {}, execArgv: [] });
w.unref();
const end = Date.now() + 3000;
while (Atomics.load(flag, 0) === 0 && Date.now() < end);
const readyMs = Atomics.load(flag, 0) ? Math.round(Number(process.hrtime.bigint() - t0) / 1e5) / 10 : null;
process.stderr.write(JSON.stringify({ readyMs }) + '\\n');
const n = 3;
setTimeout(() => { throw new Error('uncaught ' + n); }, 20);
`);
const r = spawnSync(node, [target], { encoding: 'utf8', timeout: 10000 });
fs.rmSync(dir, { recursive: true, force: true });
const seen = { node: spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim() };
for (const line of r.stderr.split('\n')) { try { Object.assign(seen, JSON.parse(line)); } catch { /* node's own report of the error */ } }
console.log(JSON.stringify(seen));
