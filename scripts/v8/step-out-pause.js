#!/usr/bin/env node
// Does node read the inspector's messages while a Debugger.stepOut runs a function that loops?
// (docs/v8.md, "Node 22 reads nothing while a step out runs a loop")
//   node scripts/v8/step-out-pause.js [path/to/node] [stepOut|stepOver]
// The program loops in sum() forever. A Debugger.pause stops it there; then the step (stepOut: out of
// sum, which never returns; stepOver: on to the loop's next statement), and as V8 says the program
// runs, a Debugger.pause, a Runtime.getIsolateId 0.5 s later and another Debugger.pause 1 s later.
// Prints what came back within 3 s, e.g.
//   {"answered":["Debugger.pause","Runtime.getIsolateId","Debugger.pause"],"stops":["other","ambiguous"]}
'use strict';
const { launch } = require('./inspect');

const node = process.argv[2] || process.execPath;
const step = process.argv[3] || 'stepOut';
const answered = [];
const stops = [];
let watching = false;
const s = launch(node, `function sum(limit) {
  let s = 0;
  for (let i = 0; i !== limit; i += 2) s += 1;
  return s;
}
console.log(sum(1000001));
`, {
  onAnswer(method) { if (watching) answered.push(method); },
  onEvent(msg) {
    if (msg.method === 'Debugger.paused') {
      stops.push(msg.params.reason);
      if (stops.length === 1) void s.send(`Debugger.${step}`);
      return;
    }
    if (msg.method === 'Debugger.resumed' && stops.length === 1 && !watching) {
      watching = true;
      void s.send('Debugger.pause');
      setTimeout(() => void s.send('Runtime.getIsolateId'), 500);
      setTimeout(() => void s.send('Debugger.pause'), 1000);
      setTimeout(() => s.finish({ answered, stops }), 3000);
    }
  },
});
void s.send('Debugger.enable');
void s.send('Runtime.runIfWaitingForDebugger');
setTimeout(() => void s.send('Debugger.pause'), 500);
