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
'use strict';
const { launch } = require('./inspect');

const node = process.argv[2] || process.execPath;
const mode = process.argv[3] || 'together';
const order = [];
let recording = false;
let interruptStop = false;
const finish = () => s.finish({ order, interruptStop });
const pause = () => { order.push('sent:pause'); void s.send('Debugger.pause'); };
// one exception, caught, then a busy loop that never throws again
const s = launch(node, `function pace(ms) { const end = Date.now() + ms; let s = 0; while (Date.now() < end) s++; return s; }
function work() { throw new Error('once'); }
setTimeout(() => { try { work(); } catch (e) {} for (;;) pace(5); }, 200);
`, {
  onAnswer(method) { if (recording) order.push(`answer:${method.split('.')[1]}`); },
  async onEvent(msg) {
    if (msg.method === 'Debugger.resumed') {
      if (recording) order.push('event:resumed');
      if (recording && mode === 'after-event' && !order.includes('sent:pause')) pause();
      return;
    }
    if (msg.method !== 'Debugger.paused') return;
    const { reason } = msg.params;
    if (recording) { order.push(`event:paused:${reason}`); if (reason !== 'exception') { interruptStop = true; finish(); } return; }
    if (reason !== 'exception') { await s.send('Debugger.resume'); return; }
    await s.send('Debugger.setPauseOnExceptions', { state: 'none' });
    recording = true;
    void s.send('Debugger.resume').then(() => { if (mode === 'on-answer') pause(); });
    if (mode === 'together') pause();
    setTimeout(finish, 1500);
  },
});
(async () => {
  await s.send('Debugger.enable');
  await s.send('Debugger.setPauseOnExceptions', { state: 'all' });
  await s.send('Runtime.runIfWaitingForDebugger');
})();
