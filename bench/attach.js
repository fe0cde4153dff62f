#!/usr/bin/env node
// The start-up and attach costs of issue 17, quickly: hello world (spawn → exit), a program that
// loads 2,000 modules (spawn → its "loaded" line), the throw-heavy workload (its own work time) and,
// with --only cpu, the CPU-bound one (its work time and its median round),
// under plain node and edit-continue, runs interleaved. Prints medians and edit-continue's cost.
// The full picture is `npm run bench` (parts 3 and 4); this is for measuring one change at a time.
//
//   node bench/attach.js [--node PATH] [--rounds N] [--only hello,modules,throws,cpu] [--modules N]
//                        [--before DIR] [--floor] [--cpu] [-- EXTRA EDIT-CONTINUE ARGS]   (e.g. -- --break-on uncaught)
//
// --before DIR adds the edit-continue built in another checkout (DIR/bin/edit-continue) to the same
// interleaved runs: on a shared machine, a before/after comparison is only fair within one run.
// --cpu measures CPU time instead of wall time, steadier when other work shares the machine: for the
// throw-heavy work, the program's own (all its threads); for hello world and the 2,000 modules (which
// then exit once loaded), every process of the run (/usr/bin/time: the controller and the program).
// --floor adds the bare attach (bench/lib/floor-client.js: pause on uncaught exceptions, nothing else).
'use strict';
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { start } = require('./lib/proc');
const { scratch, writeOld, remove } = require('./lib/files');
const { throwWorkload, cpuWorkload, helloWorld, manyModules } = require('./lib/programs');
const { makeTools, baseEnv, removeBenchCache } = require('./lib/tools');

function parseArgs(argv) {
  const o = { node: process.execPath, rounds: 7, only: ['hello', 'modules', 'throws'], modules: 2000, ecArgs: [], before: null, floor: false, cpu: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--node') o.node = path.resolve(argv[++i]);
    else if (a === '--rounds') o.rounds = Number(argv[++i]);
    else if (a === '--only') o.only = argv[++i].split(',');
    else if (a === '--modules') o.modules = Number(argv[++i]);
    else if (a === '--before') o.before = path.resolve(argv[++i]);
    else if (a === '--floor') o.floor = true;
    else if (a === '--cpu') o.cpu = true;
    else if (a === '--') { o.ecArgs = argv.slice(i + 1); break; } else { console.error(`unknown argument ${a}`); process.exit(2); }
  }
  return o;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const tools = makeTools(o.node);
  const env = baseEnv(o.node);
  const ec = { ...tools.ec, id: 'ec', command: (s) => { const [c, a] = tools.ec.command(s); return [c, [...a.slice(0, -2), ...o.ecArgs, ...a.slice(-2)]]; } };
  const dir = scratch('attach');
  const variants = [tools.node, ec];
  if (o.floor) variants.push({ ...tools.floorAttached, id: 'floor' });
  if (o.before) {
    const bin = path.join(o.before, 'bin', 'edit-continue');
    // a cache folder of its own: two builds sharing one would evict each other's transformed texts
    const cacheDir = path.join(dir, 'before-cache');
    variants.push({ id: 'before', label: 'before', env: { ...env, EDIT_CONTINUE_CACHE_DIR: cacheDir }, command: (s) => { const [c, a] = ec.command(s); return [c, a.map((x) => (x.endsWith(path.join('bin', 'edit-continue')) ? bin : x))]; } });
  }
  const files = { hello: path.join(dir, 'hello.js'), throws: path.join(dir, 'throw-work.js'), cpu: path.join(dir, 'cpu-work.js') };
  writeOld(files.hello, helloWorld);
  writeOld(files.cpu, cpuWorkload(20));
  const cpuClock = "const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };\n";
  writeOld(files.throws, o.cpu ? cpuClock + throwWorkload(10).replace(/performance\.now\(\)/g, 'cpuNow()') : throwWorkload(10));
  const program = manyModules(o.modules, Math.floor(o.modules / 2));
  for (const [name, text] of Object.entries(program.files)) writeOld(path.join(dir, 'many', name), name === program.main && o.cpu ? text.replace(/^setInterval\(.*$/m, '') : text);
  files.modules = path.join(dir, 'many', program.main);
  const cpuOf = async (p) => {
    const e = await p.exited;
    const m = /^cpu ([\d.]+) ([\d.]+)$/m.exec(p.err.tail(3));
    if (e.code !== 0 || !m) throw new Error(`exit ${e.code}: ${p.describe()}`);
    return (Number(m[1]) + Number(m[2])) * 1000;
  };
  if (o.cpu) for (const v of variants) { const command = v.command; v.command = (s) => { const [c, a] = command(s); return ['/usr/bin/time', ['-f', 'cpu %U %S', c, ...a]]; }; }
  const measure = o.cpu ? { hello: cpuOf, modules: cpuOf } : {};
  Object.assign(measure, {
    ...(o.cpu ? {} : { hello: async (p) => { const e = await p.exited; if (e.code !== 0) throw new Error(`exit ${e.code}: ${p.describe()}`); return performance.now() - p.startedAt; } }),
    throws: async (p) => { const e = await p.exited; const l = p.out.lines.find((x) => /^work [\d.]+ ms/.test(x.text)); if (e.code !== 0 || !l) throw new Error(`exit ${e.code}: ${p.describe()}`); return Number(/^work ([\d.]+)/.exec(l.text)[1]); },
    // the CPU-bound work: its total, and its median round (the steady state, without the first rounds' compiling)
    cpu: async (p) => { const e = await p.exited; const l = p.out.lines.find((x) => /^work [\d.]+ ms median [\d.]+ ms/.test(x.text)); if (e.code !== 0 || !l) throw new Error(`exit ${e.code}: ${p.describe()}`); const m = /^work ([\d.]+) ms median ([\d.]+)/.exec(l.text); return { total: Number(m[1]), round: Number(m[2]) }; },
    ...(o.cpu ? {} : { modules: async (p) => { const l = await p.waitFor(/^loaded \d+ modules in/, 120000); await p.stop(); return l.t - p.startedAt; } }),
  });
  try {
    // one untimed start of each: edit-continue's boundary cache filled, files in the page cache
    for (const k of o.only) for (const v of variants) { const [c, a] = v.command(k === 'modules' ? files.modules : files[k]); const p = start(c, a, { cwd: dir, env: v.env ?? env }); await measure[k](p); }
    for (const k of o.only) {
      const samples = Object.fromEntries(variants.map((v) => [v.id, []]));
      const rounds = Object.fromEntries(variants.map((v) => [v.id, []]));
      for (let r = 0; r < o.rounds; r++) {
        for (const v of r % 2 ? [...variants].reverse() : variants) {
          const [c, a] = v.command(files[k]);
          const got = await measure[k](start(c, a, { cwd: dir, env: v.env ?? env }));
          samples[v.id].push(typeof got === 'number' ? got : got.total);
          if (typeof got !== 'number') rounds[v.id].push(got.round);
        }
      }
      const n = median(samples.node);
      const cost = (e) => (k === 'hello' ? `+${(e - n).toFixed(0)} ms` : k === 'modules' ? `+${((e / n - 1) * 100).toFixed(0)} %` : `${(e / n).toFixed(3)}×`);
      const cols = variants.slice(1).map((v) => { const e = median(samples[v.id]); return `${v.id === 'ec' ? 'edit-continue' : v.id} ${e.toFixed(0).padStart(5)} ms ${cost(e).padStart(7)}`; });
      if (k === 'cpu') {
        const rn = median(rounds.node);
        console.log(`cpu, median round: node ${rn.toFixed(1)} ms   ${variants.slice(1).map((v) => `${v.id === 'ec' ? 'edit-continue' : v.id} ${median(rounds[v.id]).toFixed(1)} ms ${(median(rounds[v.id]) / rn).toFixed(3)}×`).join('   ')}`);
      }
      console.log(`${(o.cpu && k !== 'throws' ? k + ' (CPU, all processes)' : o.cpu ? k + ' (CPU)' : k).padEnd(8)} node ${n.toFixed(0).padStart(5)} ms   ${cols.join('   ')}   (ec: ${samples.ec.map((x) => x.toFixed(0)).join(' ')})`);
    }
  } finally {
    remove(dir);
    removeBenchCache();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
