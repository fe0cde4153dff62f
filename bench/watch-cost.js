#!/usr/bin/env node
// What watching the program's files costs the controller (issue 17): the watcher module alone, in
// this process, fed the 2,000 modules of the bench's many-modules program one file per turn of the
// event loop (as the session feeds it, one loaded script at a time). Prints, medians of the rounds:
// the CPU time from the first file to the watcher being ready, the inotify watches it holds
// (Linux: /proc/self/fdinfo), and the time from a save (in place, and by rename) to its event. Then,
// once per build, what a program that writes beside its code costs the watcher: another process
// writes 50,000 lines to each of two logs in a watched folder, alternating, one write each.
//
//   node bench/watch-cost.js [--rounds N] [--modules N] [--build DIR] [--before DIR]
//
// --build DIR measures the watcher built in DIR (default: this checkout's dist/); --before DIR adds
// another build to the same interleaved rounds. 'loop' is the feeding loop alone, with no watcher.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { manyModules } = require('./lib/programs');

function parseArgs(argv) {
  const o = { rounds: 7, modules: 2000, builds: [['now', path.join(__dirname, '..')], ['loop', null]] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--rounds') o.rounds = Number(argv[++i]);
    else if (a === '--modules') o.modules = Number(argv[++i]);
    else if (a === '--build') o.builds[0] = ['now', path.resolve(argv[++i])];
    else if (a === '--before') o.builds.push(['before', path.resolve(argv[++i])]);
    else { console.error(`unknown argument ${a}`); process.exit(2); }
  }
  return o;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const turn = () => new Promise((r) => setImmediate(r));

/** inotify watches this process holds (Linux), or null where that cannot be read. */
function inotifyWatches() {
  try {
    let n = 0;
    for (const fd of fs.readdirSync('/proc/self/fdinfo')) {
      try { n += (fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').match(/^inotify wd:/gm) ?? []).length; } catch { /* closed meanwhile */ }
    }
    return n;
  } catch { return null; }
}

/** The same feeding loop with a watcher that does nothing: what the loop itself costs. */
const noWatcher = { createWatcher: () => ({ addFiles() {}, ready: async () => {}, close: async () => {} }) };

async function once(build, files) {
  const { createWatcher } = build === null ? noWatcher : require(path.join(build, 'dist', 'patch', 'watcher.js'));
  const seen = [];
  let wake = null;
  const w = createWatcher({ onChange: (f) => { seen.push(f); wake?.(); }, onRemove: (f) => { seen.push(f); wake?.(); }, onRewatch: (f) => { seen.push(f); wake?.(); }, onError: (e) => { throw e; } });
  const c0 = cpuMs();
  for (const f of files) { w.addFiles([f]); await turn(); }
  await w.ready();
  // the watches are in place once the last add is handled: chokidar's adds finish after 'ready'
  while (true) { const before = cpuMs(); await new Promise((r) => setTimeout(r, 30)); if (cpuMs() - before < 1) break; }
  const cpu = cpuMs() - c0;
  const watches = inotifyWatches();
  const saveToEvent = async (how) => {
    const f = files[files.length >> 1];
    seen.length = 0;
    const t0 = performance.now();
    const got = new Promise((r) => { wake = r; });
    if (how === 'rename') { const tmp = f + '.tmp'; fs.writeFileSync(tmp, fs.readFileSync(f)); fs.renameSync(tmp, f); } else fs.writeFileSync(f, fs.readFileSync(f));
    await Promise.race([got, new Promise((r) => setTimeout(r, 5000))]);
    wake = null;
    const ms = seen.includes(f) ? performance.now() - t0 : NaN;
    await new Promise((r) => setTimeout(r, 300));
    return ms;
  };
  const inPlace = build === null ? NaN : await saveToEvent('in place');
  const renamed = build === null ? NaN : await saveToEvent('rename');
  await w.close();
  return { cpu, watches, inPlace, renamed };
}

/** The watcher's CPU while another process writes `n` times to each of two logs in the folder of a watched file. */
async function noisyFolder(build, dir, n = 50000) {
  const { createWatcher } = require(path.join(build, 'dist', 'patch', 'watcher.js'));
  const app = path.join(dir, 'noisy', 'app.js');
  fs.mkdirSync(path.dirname(app), { recursive: true });
  fs.writeFileSync(app, 'x');
  let events = 0;
  const w = createWatcher({ onChange: () => events++, onRemove: () => events++, onRewatch: () => events++, onError: (e) => { throw e; } });
  w.addFiles([app]);
  await w.ready();
  const writer = `const fs = require('fs'); const [a, b] = [fs.openSync(process.argv[1], 'a'), fs.openSync(process.argv[2], 'a')];
    for (let i = 0; i < ${n}; i++) { fs.writeSync(a, 'line ' + i + '\\n'); fs.writeSync(b, 'x\\n'); }`;
  const c0 = cpuMs();
  await new Promise((resolve, reject) => {
    const c = require('node:child_process').spawn(process.execPath, ['-e', writer, path.join(dir, 'noisy', 'a.log'), path.join(dir, 'noisy', 'b.log')], { stdio: 'inherit' });
    c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited ${code}`))));
  });
  await new Promise((r) => setTimeout(r, 300)); // the last events read
  const cpu = cpuMs() - c0;
  await w.close();
  fs.rmSync(path.join(dir, 'noisy'), { recursive: true, force: true });
  return { cpu, events };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-watch-cost-'));
  const program = manyModules(o.modules, 0);
  const files = [];
  for (const [name, text] of Object.entries(program.files)) {
    const f = path.join(dir, name);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text);
    files.push(f);
  }
  const samples = Object.fromEntries(o.builds.map(([id]) => [id, []]));
  try {
    for (const [, b] of o.builds) await once(b, files.slice(0, 50)); // modules loaded, caches warm
    for (let r = 0; r < o.rounds; r++) for (const [id, b] of o.builds) samples[id].push(await once(b, files));
    for (const [id, b] of o.builds) if (b !== null) samples[id].noisy = await noisyFolder(b, dir);
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  console.log(`watching ${files.length} files in ${new Set(files.map((f) => path.dirname(f))).size} folders, node ${process.version}, ${o.rounds} rounds, medians`);
  for (const [id] of o.builds) {
    const s = samples[id];
    const m = (k) => median(s.map((x) => x[k]));
    console.log(`${id.padEnd(7)} CPU to ready ${m('cpu').toFixed(0)} ms (${s.map((x) => x.cpu.toFixed(0)).join(' ')})   inotify watches ${m('watches')}   save → event: in place ${m('inPlace').toFixed(1)} ms, by rename ${m('renamed').toFixed(1)} ms` +
      (s.noisy ? `   2×50,000 writes beside a watched file: ${s.noisy.cpu.toFixed(0)} ms CPU, ${s.noisy.events} events` : ''));
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
