#!/usr/bin/env node
// Does code run in an interrupt (an inspector evaluate while the program runs) end the program when it
// runs a regular expression while the program was inside a match of one? (docs/v8.md, "A regular
// expression inside an interrupt's regular expression")
//   node scripts/v8/regexp-in-interrupt.js [path/to/node] [regexp|alloc|guarded] [evaluates]
// The program matches backtracking regular expressions without end. Each evaluate:
// regexp:  runs regular expressions of its own, and allocates;
// alloc:   only allocates (no regular expression);
// guarded: the regexp one, behind src/cdp/regexp-guard.ts (needs `npm run build`): it runs nothing
//          inside a match.
// HOT=1: the program matches in a function it calls again and again (optimized: V8 may inline
// `re.test`, and no builtin frame then stands below the interrupt).
// Prints {"evaluates":N,"ended":null} when the program lived through them all, or its signal.
'use strict';
const path = require('node:path');
const { launch } = require('./inspect');
const { program, REGEXP, ALLOC } = require('./regexp-program');

const node = process.argv[2] || process.execPath;
const mode = process.argv[3] || 'regexp';
const total = Number(process.argv[4] || 6000);
const expression = mode === 'alloc' ? ALLOC
  : mode === 'guarded' ? require(path.join(__dirname, '..', '..', 'dist', 'cdp', 'regexp-guard.js')).outsideRegExp(REGEXP)
  : REGEXP;

let done = 0;
const s = launch(node, program(!!process.env.HOT), {
  onExit(code, signal) {
    console.log(JSON.stringify({ evaluates: done, ended: signal ?? code }));
    process.exit(0);
  },
});

(async () => {
  await s.opened;
  for (; done < total; done++) await s.send('Runtime.evaluate', { expression, returnByValue: true });
  s.finish({ evaluates: done, ended: null });
})();
