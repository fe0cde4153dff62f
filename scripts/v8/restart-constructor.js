#!/usr/bin/env node
// Does V8 survive Debugger.restartFrame of a class constructor's frame? (docs/v8.md, "Restarting a
// derived class's constructor")
//   node scripts/v8/restart-constructor.js [path/to/node] [derived|before-super|base|caller]
// The program makes one instance in a timer; a `debugger` statement stops it in the constructor
// (derived: after its super() call; before-super: before it; base: a class that extends nothing).
// At that stop the driver restarts frame 0 (the constructor; caller: frame 1, the timer's arrow that
// called `new`), then lets it run. Prints e.g. {"restarted":true,"made":"{\"a\":1,\"b\":2}"} or
// {"exit":null,"signal":"SIGTRAP"} when the process died.
'use strict';
const { launch } = require('./inspect');

const node = process.argv[2] || process.execPath;
const which = process.argv[3] || 'derived';
const ctor = {
  derived: 'class B extends A { constructor(x) { super(x); debugger; this.b = 2; } }',
  'before-super': 'class B extends A { constructor(x) { debugger; super(x); this.b = 2; } }',
  base: 'class B { constructor(x) { debugger; this.a = x; this.b = 2; } }',
  caller: 'class B extends A { constructor(x) { super(x); debugger; this.b = 2; } }',
}[which];
const frame = which === 'caller' ? 1 : 0;
let stops = 0;
let restarted = false;
const s = launch(node, `class A { constructor(x) { this.a = x; } }
${ctor}
setTimeout(() => { globalThis.made = JSON.stringify(new B(1)); }, 100);
setTimeout(() => {}, 100000);
`, {
  async onEvent(msg) {
    if (msg.method !== 'Debugger.paused') return;
    const first = stops++ === 0;
    if (first) {
      const r = await s.send('Debugger.restartFrame', { callFrameId: msg.params.callFrames[frame].callFrameId, mode: 'StepInto' });
      restarted = !r.error;
    }
    await s.send('Debugger.resume');
    if (first) {
      // the program makes its instance (stopping at the `debugger` statement again, let go above)
      for (let i = 0; i < 25; i++) {
        await new Promise((r) => setTimeout(r, 200));
        const r = await s.send('Runtime.evaluate', { expression: 'globalThis.made', returnByValue: true });
        const made = r.result?.result?.value;
        if (made !== undefined) s.finish({ restarted, made });
      }
      s.finish({ restarted, made: null });
    }
  },
  onExit(code, signal) {
    console.log(JSON.stringify({ exit: code, signal }));
    process.exit(0);
  },
});
void s.send('Debugger.enable');
void s.send('Runtime.runIfWaitingForDebugger');
