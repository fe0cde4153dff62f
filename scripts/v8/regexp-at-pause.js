#!/usr/bin/env node
// Does an evaluate at a pause (Debugger.pause, as Ctrl+C at the prompt sends) end the program when it
// runs a regular expression and the pause came while the program was inside a match of one?
// (docs/v8.md, "A regular expression inside an interrupt's regular expression")
//   node scripts/v8/regexp-at-pause.js [path/to/node] [regexp|backtrack|small|small-alloc|alloc] [pauses]
// The program matches backtracking regular expressions without end. Each round pauses it, looks
// whether the pause stands inside a match (a builtin that runs one right below the paused frame, in
// a stack captured there), evaluates on the top call frame, and resumes. The evaluate: regexp runs
// backtracking regular expressions and allocates; backtrack only the regular expressions; small one
// replace of a short string, as a user's `p` might; small-alloc that and allocation; alloc only
// allocates. Prints the pauses made, how many stood inside a match, and how the program ended
// (null: alive). SHOW_WHERE=1 prints each pause's frames; HOT=1 matches in an optimized function.
'use strict';
const { launch } = require('./inspect');
const { program, REGEXP, ALLOC } = require('./regexp-program');

const node = process.argv[2] || process.execPath;
const mode = process.argv[3] || 'regexp';
const total = Number(process.argv[4] || 300);
const SMALL = 'R[0].replace(/a/g, "b")';
const SMALL_ALLOC = '(() => { R[0].replace(/a/g, "b"); const a = []; for (let i = 0; i < 20000; i++) a.push({ i }); return a.length; })()';
const BACKTRACK = '(() => { let h = 0; for (const s of R) if (/(b|bb)*c/.test(s.replace(/a/g, "b"))) h++; return h; })()';
const expression = { alloc: ALLOC, small: SMALL, 'small-alloc': SMALL_ALLOC, backtrack: BACKTRACK }[mode] ?? REGEXP;
const WHERE = '(() => { const p = Error.prepareStackTrace; Error.prepareStackTrace = (_e, f) => f; const f = new Error().stack; Error.prepareStackTrace = p; return f.map((c) => (c.getFunctionName() || "?") + "@" + (c.getFileName() ? "file" : "builtin")).join(" "); })()';

let done = 0;
let inside = 0;
let pausedResolve = null;
const s = launch(node, program(!!process.env.HOT), {
  onEvent(msg) { if (msg.method === 'Debugger.paused' && pausedResolve) { const r = pausedResolve; pausedResolve = null; r(msg.params); } },
  onExit(code, signal) {
    console.log(JSON.stringify({ pauses: done, insideAMatch: inside, ended: signal ?? code }));
    process.exit(0);
  },
});

(async () => {
  await s.opened;
  await s.send('Debugger.enable');
  for (; done < total; done++) {
    const paused = new Promise((r) => { pausedResolve = r; });
    await s.send('Debugger.pause');
    const p = await paused;
    const top = p.callFrames[0].callFrameId;
    const where = await s.send('Debugger.evaluateOnCallFrame', { callFrameId: top, expression: WHERE, returnByValue: true });
    if (/\b(test|exec|replace)@builtin/.test(where.result?.result?.value ?? '')) inside++;
    if (process.env.SHOW_WHERE) console.error(where.result?.result?.value);
    await s.send('Debugger.evaluateOnCallFrame', { callFrameId: top, expression, returnByValue: true });
    await s.send('Debugger.resume');
    await new Promise((r) => setTimeout(r, 2));
  }
  s.finish({ pauses: done, insideAMatch: inside, ended: null });
})();
