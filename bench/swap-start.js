#!/usr/bin/env node
// The swap engine's start cost, piece by piece (issue 11: "a program loading 2,000 modules starts no
// slower than with today's boundaries"). The bench's 2,000 modules (bench/lib/programs.js) are
// written pre-transformed in several variants, each run as a program that times its own `require`
// loop in CPU time (process.cpuUsage), under plain node or under a bare inspector attach
// (bench/lib/floor-client.js: the Debugger on, pause on uncaught exceptions, nothing else). The
// variants differ from the swap text by one piece each, so that the difference is that piece's cost.
// Runs are interleaved (round robin), medians printed. Needs `npm run build` (it uses dist/).
//
//   node bench/swap-start.js [--node PATH] [--rounds N] [--inspect] [--only swap,bnd,...] [--modules N]
//
// Variants:
//   bnd          the retry boundaries alone (LiveEdit's text)
//   swap         the swap text as the load hooks write it
//   noslots      the prologue defines no slots (the module's scope factory only)
//   noprologue   no prologue at all (no slots, no scope)
//   evalonly     the prologue is only a planted `(c)=>eval(c)`, held by nothing (an eval's presence)
//   callonly     the prologue calls a helper that does nothing (the call and its closure, no globals)
//   nodispatch   the prologue, but no dispatch in any function
//   letslots     the slots as module-level `let`s instead of globals (no global defined or looked up)
//   oldeval      the module's scope as a planted `(c)=>eval(c)`, as before the scope factory
//   getonly      the scope class with getters only (what its setters cost)
//   textonly     no prologue, its text in a comment (what its bytes alone cost: scanning, hashing)
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { scratch, remove } = require('./lib/files');
const { moduleText } = require('./lib/programs');

const ROOT = path.join(__dirname, '..');
const boundary = require(path.join(ROOT, 'dist', 'inject', 'boundary.js'));
const HELPER = path.join(ROOT, 'dist', 'inject', 'swap-runtime.js');
const FLOOR = path.join(__dirname, 'lib', 'floor-client.js');

const swapText = (t, m) => boundary.addBoundaries(t, 'script', { swap: { module: m } });
const PROLOGUE = /\/\*ec\{\*\/typeof __ec\$s[^;]*;\/\*\}ec\*\//;
const VARIANTS = {
  bnd: (t) => boundary.addBoundaries(t, 'script'),
  swap: swapText,
  noslots: (t, m) => swapText(t, m).replace(/(__ec\$s\("[^"]*",)\d+/, '$10'),
  noprologue: (t, m) => swapText(t, m).replace(PROLOGUE, ''),
  evalonly: (t, m) => swapText(t, m).replace(PROLOGUE, '(c)=>eval(c);'),
  callonly: (t, m) => swapText(t, m).replace('__ec$s==="function"&&__ec$s(', '__ec$s==="function"&&__ec$n('),
  nodispatch: (t, m) => swapText(t, m).replace(/\/\*ec\{\d+;[^*]*\*\/[\s\S]*?\/\*\}ec\*\//g, ''),
  letslots: (t, m) => {
    // the slots as module-level `let`s (context slots) instead of globals: no global is defined and
    // the dispatch's read needs no global lookup (a variant for measuring only: nothing installs into it)
    const text = swapText(t, m);
    const n = Number(/__ec\$s\("[^"]*",(\d+)/.exec(text)[1]);
    const names = Array.from({ length: n }, (_, k) => `__ec$${m}$${k}`);
    return text.replace(/(__ec\$s\("[^"]*",)\d+(,\(\)=>new\([\s\S]*?\)\);\/\*\}ec\*\/)/, (_, a, b) => `${a}0${b}let ${names.join(',')};`);
  },
  // the scope class with getters only (no setters): what the setters' text and preparsing cost
  getonly: (t, m) => swapText(t, m).replace(/set [\w$]+\(v\d*\)\{[\w$]+=v\d*\}/g, ''),
  // no prologue, its text in a comment instead: what its bytes alone cost (scanning, hashing)
  textonly: (t, m) => swapText(t, m).replace(PROLOGUE, (p) => `/*${p.replace(/\*\//g, '').replace(/\/\*/g, '')}*/`),
  // the module's scope as it was before session 16: a planted eval instead of the scope factory
  oldeval: (t, m) => swapText(t, m).replace(/,\(\)=>new\([\s\S]*?\)\);\/\*\}ec\*\//, ',(c)=>eval(c));/*}ec*/'),
};

function parseArgs(argv) {
  const o = { node: process.execPath, rounds: 9, inspect: false, only: Object.keys(VARIANTS), modules: 2000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--node') o.node = path.resolve(argv[++i]);
    else if (a === '--rounds') o.rounds = Number(argv[++i]);
    else if (a === '--inspect') o.inspect = true;
    else if (a === '--only') o.only = argv[++i].split(',');
    else if (a === '--modules') o.modules = Number(argv[++i]);
    else throw new Error(`unknown option ${a}`);
  }
  for (const v of o.only) if (!VARIANTS[v]) throw new Error(`unknown variant ${v} (${Object.keys(VARIANTS).join(', ')})`);
  return o;
}

const name = (i) => `d${String(Math.floor(i / 100)).padStart(2, '0')}/m${String(i).padStart(4, '0')}.js`;
const mainText = (count) => `'use strict';
const c0 = process.cpuUsage();
const mods = [];
for (let i = 0; i < ${count}; i++) mods.push(require('./d' + String(Math.floor(i / 100)).padStart(2, '0') + '/m' + String(i).padStart(4, '0') + '.js'));
let check = 0;
for (const m of mods) check = (check + m.run(3)) | 0;
const c = process.cpuUsage(c0);
console.log('require-cpu ' + ((c.user + c.system) / 1000).toFixed(1) + ' check=' + check);
`;

function write(dir, variant, count) {
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, variant, name(i));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const out = VARIANTS[variant](moduleText(i, null), boundary.swapModuleId(file));
    bytes += out.length;
    fs.writeFileSync(file, out);
  }
  fs.writeFileSync(path.join(dir, variant, 'main.js'), mainText(count));
  // the helper the load hooks define in every thread before any module loads
  fs.writeFileSync(path.join(dir, 'helper.js'), `require(${JSON.stringify(HELPER)}).defineSwapHelper();\nObject.defineProperty(globalThis, '__ec$n', { value: function () {} });\n`);
  return bytes;
}

function runOnce(o, dir, variant) {
  const main = path.join(dir, variant, 'main.js');
  const env = { ...process.env, NODE_OPTIONS: `--require ${path.join(dir, 'helper.js')}` };
  const out = o.inspect
    ? execFileSync(process.execPath, [FLOOR, '--pause-uncaught', '--no-watch', o.node, main], { encoding: 'utf8', env })
    : execFileSync(o.node, [main], { encoding: 'utf8', env });
  const m = /require-cpu ([\d.]+)/.exec(out);
  if (!m) throw new Error(`${variant}: no result in ${JSON.stringify(out.slice(-200))}`);
  return Number(m[1]);
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  const dir = scratch('swap-start');
  try {
    const sizes = {};
    for (const v of o.only) sizes[v] = write(dir, v, o.modules);
    const samples = Object.fromEntries(o.only.map((v) => [v, []]));
    for (let r = 0; r < o.rounds; r++) {
      const order = o.only.map((_, i) => o.only[(i + r) % o.only.length]);
      for (const v of order) samples[v].push(runOnce(o, dir, v));
    }
    const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
    const base = samples.swap ? med(samples.swap) : null;
    console.log(`${execFileSync(o.node, ['--version'], { encoding: 'utf8' }).trim()}, ${o.inspect ? 'bare inspector attach' : 'plain node'}, ${o.modules} modules, ${o.rounds} rounds: CPU ms of the require loop`);
    for (const v of o.only) {
      const m = med(samples[v]);
      console.log(`${v.padEnd(11)} median ${m.toFixed(0).padStart(5)}  min ${Math.min(...samples[v]).toFixed(0).padStart(5)}  text ${(sizes[v] / 1e6).toFixed(2)} MB${base !== null && v !== 'swap' ? `  swap − this: ${(base - m).toFixed(0)} ms` : ''}`);
    }
  } finally {
    remove(dir);
  }
}

main();
