#!/usr/bin/env node
// Does LiveEdit apply a changed class field initializer? (docs/v8.md, "`Ok` that does nothing")
//   node scripts/v8/field-initializer.js [path/to/node] [wrapped|top]
// The class is defined in a function that ran once (wrapped: as tsx's CommonJS module wrapper
// `(()=>{ … })()`), or at the top level (top). The driver sends the file's text with `extra = 1`
// changed to `extra = 2` (Debugger.setScriptSource) and makes a new instance. Prints e.g.
// {"status":"Ok","before":1,"after":2}: after 2 means the new initializer runs for new instances.
// Node 26 needs --inspector-live-edit (the driver passes it where node has it).
'use strict';
const { execFileSync } = require('node:child_process');
const { launch } = require('./inspect');

const node = process.argv[2] || process.execPath;
const shape = process.argv[3] || 'wrapped';
const cls = 'class Bot { extra = 1; get() { return this.extra; } }\nglobalThis.mk = () => new Bot();';
const source = (shape === 'top' ? `${cls}\n` : `(() => {\n${cls}\n})();\n`) + 'setInterval(() => {}, 1000);\n';
const flag = /--inspector-live-edit\b/.test(execFileSync(node, ['--v8-options'], { encoding: 'utf8', maxBuffer: 8 << 20 })) ? ['--inspector-live-edit'] : [];
let scriptId = null;
const s = launch(node, source, {
  nodeArgs: flag,
  onEvent(msg) { if (msg.method === 'Debugger.scriptParsed' && msg.params.url.endsWith('target.js')) scriptId = msg.params.scriptId; },
});
const value = async (expression) => (await s.send('Runtime.evaluate', { expression, returnByValue: true })).result?.result?.value;
(async () => {
  await s.send('Debugger.enable');
  while (scriptId === null || (await value('typeof globalThis.mk')) !== 'function') await new Promise((r) => setTimeout(r, 50));
  const before = await value('mk().get()');
  const r = await s.send('Debugger.setScriptSource', { scriptId, scriptSource: source.replace('extra = 1', 'extra = 2') });
  s.finish({ status: r.result?.status ?? r.error?.message, before, after: await value('mk().get()') });
})();
