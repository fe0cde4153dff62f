#!/usr/bin/env node
// Does a Debugger.pause sent while the program runs survive an exception stop that comes first, and
// does each request give a stop of its own? (docs/v8.md, "A queued Debugger.pause")
//   node scripts/v8/queued-pause.js [path/to/node] [once|twice|eval]
// once:  one request; the exception stop comes first and is resumed → the request still stops later.
// eval:  the same with an evaluation at the exception stop → the request still stops later.
// twice: a second request after resuming from the exception stop → two interrupt stops.
// Prints the stops in order, e.g. ["exception:work","other:pace","other:pace"].
'use strict';
const { launch } = require('./inspect');

const node = process.argv[2] || process.execPath;
const mode = process.argv[3] || 'twice';
const stops = [];
let phase = 'first';
const s = launch(node, `function pace(ms) { const end = Date.now() + ms; let s = 0; while (Date.now() < end) s++; return s; }
function work(n) { if (n % 2 === 0) throw new Error('b' + n); return n; }
let n = 0;
for (;;) { pace(5); n++; try { work(n); } catch (e) {} }
`, {
  async onEvent(msg) {
    if (msg.method !== 'Debugger.paused') return;
    const { reason, callFrames } = msg.params;
    stops.push(`${reason}:${callFrames[0].functionName}`);
    if (phase === 'first' && reason === 'exception') {
      phase = 'after';
      // from here on only interrupts stop the program
      await s.send('Debugger.setPauseOnExceptions', { state: 'none' });
      if (mode === 'eval') await s.send('Debugger.evaluateOnCallFrame', { callFrameId: callFrames[0].callFrameId, expression: '(() => { let s = 0; for (let i = 0; i < 1e5; i++) s += i; return s; })()' });
      await s.send('Debugger.resume');
      if (mode === 'twice') await s.send('Debugger.pause');
      setTimeout(() => s.finish(stops), 1500);
      return;
    }
    await s.send('Debugger.resume');
  },
});
(async () => {
  await s.send('Debugger.enable');
  await s.send('Debugger.setPauseOnExceptions', { state: 'all' });
  await s.send('Runtime.runIfWaitingForDebugger');
  // the program throws every 10 ms: the exception stop nearly always comes before the interrupt
  setTimeout(() => { void s.send('Debugger.pause'); setTimeout(() => s.finish(stops), 3000); }, 300);
})();
