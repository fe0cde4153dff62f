// The programs the benchmarks run, generated as text. Every program shows what it does on its own
// stdout (or over HTTP), so "live" is measured from the program, not from a tool's messages.
'use strict';

/** A plain function of five lines, called once at start so that V8 has compiled it. */
function filler(i) {
  return [
    `function f${i}(a) {`,
    `  let s = a | 0;`,
    `  for (let i = 0; i < 3; i++) s = (s * 31 + ${i}) | 0;`,
    `  return s;`,
    `}`,
  ];
}

/**
 * An ES module of about `lines` lines. `version()` sits in the middle; a save changes the number it
 * returns. A 1 ms ticker prints `v=N` whenever the value changes, so a new version shows within a
 * millisecond of the running code having it. The ticker is kept on globalThis and replaced when the
 * module runs again (what bun --hot does), so exactly one ticker runs under every tool.
 */
function bigModule(lines, version) {
  const count = Math.max(1, Math.round((lines - 20) / 5));
  const out = [`// generated: about ${lines} lines, ${count} functions`];
  for (let i = 0; i < count; i++) {
    if (i === Math.floor(count / 2)) out.push('function version() {', `  return ${version};`, '}');
    out.push(...filler(i));
  }
  const names = Array.from({ length: count }, (_, i) => `f${i}`);
  out.push('const all = [');
  for (let i = 0; i < names.length; i += 200) out.push(`  ${names.slice(i, i + 200).join(', ')},`);
  out.push('];');
  out.push(
    'let check = 0;',
    'for (let i = 0; i < all.length; i++) check = (check + all[i](i)) | 0;',
    'let last;',
    'clearInterval(globalThis.__benchTicker);',
    'globalThis.__benchTicker = setInterval(() => {',
    '  const v = version();',
    '  if (v !== last) { last = v; console.log(`v=${v} check=${check}`); }',
    '}, 1);',
    '',
  );
  return out.join('\n');
}

/**
 * An HTTP server that spends about two seconds building its state (an index of records, each with a
 * computed digest) before it listens. `GET /?k=KEY` answers `v<version> <score> state=<id> size=<n>`:
 * the id is drawn when the state is built, so a rebuilt state has a new one.
 */
function stateServer(version, { records = 300000, rounds = 2400 } = {}) {
  return `import http from 'node:http';

const t0 = performance.now();
const index = new Map();
for (let i = 0; i < ${records}; i++) {
  let h = i ^ 0x9e3779b9;
  for (let r = 0; r < ${rounds}; r++) h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) ^ r;
  index.set('k' + i, { id: i, digest: h >>> 0, tags: ['t' + (h & 7), 'u' + (h & 15)] });
}
const stateId = Math.random().toString(36).slice(2, 10);
const built = Math.round(performance.now() - t0);

function answer(key) {
  const record = index.get(key);
  return 'v${version} ' + (record ? record.digest % 1000 : -1);
}

const server = http.createServer((req, res) => {
  const key = new URL(req.url, 'http://localhost').searchParams.get('k');
  res.end(answer(key) + ' state=' + stateId + ' size=' + index.size);
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('ready built=' + built + 'ms state=' + stateId));
`;
}

/** Runs `kernel` ITERATIONS times and prints the total and the median iteration, in ms. */
const timedLoop = (iterations) => `
const times = [];
let result = 0;
for (let r = 0; r < ${iterations}; r++) {
  const t = performance.now();
  result = (result + kernel()) % 1e9;
  times.push(performance.now() - t);
}
const total = times.reduce((a, b) => a + b, 0);
const median = [...times].sort((a, b) => a - b)[times.length >> 1];
console.log('work ' + total.toFixed(1) + ' ms median ' + median.toFixed(1) + ' ms result=' + Math.round(result));
`;

/**
 * CPU-bound: recursion, small functions and methods in hot loops, sorting with a comparator, strings,
 * a Map, JSON. Every function gets a retry boundary under edit-continue.
 */
const cpuWorkload = (iterations = 20) => `'use strict';
function fib(n) { if (n < 2) return n; return fib(n - 1) + fib(n - 2); }
class Vec {
  constructor(x, y) { this.x = x; this.y = y; }
  add(o) { return new Vec(this.x + o.x, this.y + o.y); }
  len() { return Math.sqrt(this.x * this.x + this.y * this.y); }
}
function point(i) { return { x: i % 97, y: (i * 7) % 89 }; }
function dist(a, b) { const dx = a.x - b.x; const dy = a.y - b.y; return Math.sqrt(dx * dx + dy * dy); }
function byValue(a, b) { return a - b; }
function words(n) { let s = ''; for (let i = 0; i < n; i++) s += String.fromCharCode(97 + (i * 13) % 26); return s; }
function kernel() {
  let acc = fib(25);
  let v = new Vec(0, 0);
  for (let i = 0; i < 200000; i++) v = v.add(new Vec(i % 7, i % 5));
  acc += v.len();
  const pts = [];
  for (let i = 0; i < 100000; i++) pts.push(point(i));
  for (let i = 1; i < pts.length; i++) acc += dist(pts[i - 1], pts[i]);
  const xs = Array.from({ length: 100000 }, (_, i) => (i * 2654435761) % 1000003);
  xs.sort(byValue);
  acc += xs[1000];
  const counts = new Map();
  for (const ch of words(100000)) counts.set(ch, (counts.get(ch) || 0) + 1);
  acc += counts.size + JSON.parse(JSON.stringify(pts.slice(0, 5000))).length;
  return acc;
}
${timedLoop(iterations)}`;

/** Throw-heavy: exceptions thrown a few calls deep and caught, as validation code does. */
const throwWorkload = (iterations = 10) => `'use strict';
function check(v) { if (v % 3 !== 0) throw new Error('bad value ' + v); return v; }
function parse(v) { return check(v) + 1; }
function validate(v) { try { return parse(v); } catch (e) { return e.message.length; } }
function kernel() {
  let acc = 0;
  for (let i = 0; i < 30000; i++) acc += validate(i);
  return acc;
}
${timedLoop(iterations)}`;

const helloWorld = `console.log('hello world');\n`;

/**
 * A CommonJS program that loads `count` modules (m0000.js ... in a tree of folders of 100), each with a
 * few functions, then ticks like bigModule: module `watched` has version().
 */
function manyModules(count, watched) {
  const files = {};
  const name = (i) => `lib/d${String(Math.floor(i / 100)).padStart(2, '0')}/m${String(i).padStart(4, '0')}.js`;
  for (let i = 0; i < count; i++) files[name(i)] = moduleText(i, i === watched ? 1 : null);
  files['main.js'] = `'use strict';
const t0 = performance.now();
const mods = [];
for (let i = 0; i < ${count}; i++) mods.push(require('./lib/d' + String(Math.floor(i / 100)).padStart(2, '0') + '/m' + String(i).padStart(4, '0') + '.js'));
let check = 0;
for (const m of mods) check = (check + m.run(3)) | 0;
console.log('loaded ${count} modules in ' + (performance.now() - t0).toFixed(1) + ' ms check=' + check);
const watched = mods[${watched}];
// ends as a server that shuts down cleanly does, so that node writes its compile cache at the exit
// (node 22+: edit-continue turns it on for the program; the bench's plain-node-with-cache row sets it)
process.on('SIGTERM', () => process.exit(0));
let last;
setInterval(() => { const v = watched.version(); if (v !== last) { last = v; console.log('v=' + v); } }, 1);
`;
  return { files, watchedFile: name(watched), main: 'main.js', moduleText };
}

function moduleText(i, version) {
  return `'use strict';
// module ${i}
const table = [${Array.from({ length: 8 }, (_, k) => (i * 31 + k) % 101).join(', ')}];

function scale(x) {
  return x * table[x % table.length] + ${i};
}

function combine(a, b) {
  const s = scale(a) ^ scale(b);
  return s > 0 ? s : -s;
}

class Item${i} {
  constructor(n) { this.n = n; }
  value() { return combine(this.n, ${i % 17}); }
}

function run(n) {
  let acc = 0;
  for (let k = 0; k < n; k++) acc += new Item${i}(k).value();
  return acc | 0;
}
${version === null ? '' : `
function version() {
  return ${version};
}
`}
module.exports = { run, scale, combine, Item${i}${version === null ? '' : ', version'} };
`;
}

module.exports = { bigModule, stateServer, cpuWorkload, throwWorkload, helloWorld, manyModules, moduleText };
