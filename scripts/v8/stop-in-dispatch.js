#!/usr/bin/env node
// Does a command that runs code (Runtime.evaluate), dispatched while the program runs JavaScript,
// abort the program when it stops? (docs/v8.md, "A stop inside code the inspector runs")
//   node scripts/v8/stop-in-dispatch.js [path/to/node] [together|debugger|after] [rounds]
// The program spins, calling a function that makes a closure, under --jitless: the interpreter checks
// for interrupts at every function's entry, before the function has made its scope, and node runs
// inspector messages in such an interrupt while JavaScript runs.
// together: Debugger.pause and Runtime.evaluate('2 + 2') sent at once, not waiting for the answer.
// debugger: Runtime.evaluate of code with a `debugger` statement.
// kick:     Runtime.evaluate('2 + 2') sent once Debugger.pause is answered and a Runtime.getIsolateId
//           sent after that answer is answered too (not enough: node may still be in that dispatch).
// after:    Runtime.evaluate('2 + 2') sent once Debugger.pause is answered and then the stop has come
//           or 100 ms have passed with none (what src/cdp/pause-settle.ts does).
// Each round waits for the stop and resumes (5 s at most each, else "hung"). Prints one JSON line, e.g.
//   {"node":"v20.20.2","mode":"together","rounds":20,"stops":{"program":13,"evaluate":3},"aborted":"SIGTRAP at round 16"}
'use strict';
const { launch } = require('./inspect');

const node = process.argv[2] || process.execPath;
const mode = process.argv[3] || 'together';
const rounds = Number(process.argv[4] || 20);
const result = { node: null, mode, rounds, stops: { program: 0, evaluate: 0 }, aborted: null };
let round = 0;
let onStop = null;
const s = launch(node, `function f(i) { const x = i; return () => x; }
let s = 0;
for (;;) s += f(s & 7)();
`, {
  nodeArgs: ['--jitless'],
  onEvent(msg) {
    if (msg.method === 'Debugger.paused') onStop?.(msg.params);
  },
  onExit(code, signal) {
    result.aborted = `${signal ?? code} at round ${round}`;
    console.log(JSON.stringify(result));
    process.exit(0);
  },
});

(async () => {
  result.node = (await s.send('Runtime.evaluate', { expression: 'process.version', returnByValue: true })).result.result.value;
  await s.send('Debugger.enable');
  for (round = 0; round < rounds; round++) {
    const stopped = new Promise((resolve) => { onStop = resolve; });
    if (mode === 'together') {
      s.send('Debugger.pause');
      s.send('Runtime.evaluate', { expression: '2 + 2' });
    } else if (mode === 'debugger') {
      s.send('Runtime.evaluate', { expression: '(() => { let y = 1; debugger; return y; })()' });
    } else if (mode === 'kick') {
      await s.send('Debugger.pause');
      await s.send('Runtime.getIsolateId');
      s.send('Runtime.evaluate', { expression: '2 + 2' });
    } else {
      await s.send('Debugger.pause');
      await Promise.race([stopped, new Promise((r) => setTimeout(r, 100))]);
      s.send('Runtime.evaluate', { expression: '2 + 2' });
    }
    const stop = await Promise.race([stopped, new Promise((r) => setTimeout(r, 5000))]);
    if (!stop) { result.aborted = `no stop within 5 s at round ${round} (hung)`; s.finish(result); return; }
    // the program's script is the one its top-level frame (the loop, line 3) runs in
    if (process.env.SHOW) console.error(stop.reason, stop.callFrames.map((f) => `${f.functionName}@${f.url.split('/').pop()}:${f.location.lineNumber}`).join(' < '));
    const program = stop.callFrames.find((f) => f.functionName === '' && f.location.lineNumber === 2)?.location.scriptId;
    if (stop.callFrames[0].location.scriptId === program) result.stops.program++; else result.stops.evaluate++;
    const resumed = await Promise.race([s.send('Debugger.resume'), new Promise((r) => setTimeout(r, 5000))]);
    if (!resumed) { result.aborted = `no answer to the resume within 5 s at round ${round} (hung)`; s.finish(result); return; }
  }
  s.finish(result);
})();
