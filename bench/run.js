#!/usr/bin/env node
// Benchmarks of issues 4 and 15: save → live, back to state, overhead, scale, and save → every
// thread of a program with 8 worker threads, for edit-continue side by side with plain node, the
// bare CDP floor and the tools users pick (node --watch, nodemon, Deno's HMR, Bun's --hot). Prints
// one table and writes it to bench/RESULTS.md. edit-continue runs with each patch engine (the
// table's engine column: LiveEdit, swap) and, when node 26 is installed (npm run nodes), on the
// Node 27 stand-in: node 26 with LiveEdit off, where `auto` picks the swap engine.
//
//   npm run bench                      the full run (about 15 minutes on 2 cores)
//   npm run bench -- --quick           a smoke run, under a minute: fewer saves, smaller programs
//   npm run bench -- --node PATH       the node that runs the programs (default: the node running this)
//   npm run bench -- --only 1,3        some parts only (5: save → every thread, 8 worker threads)
//   npm run bench -- --cpu-prof DIR    profile edit-continue's controller (node --cpu-prof) into DIR
//   npm run bench -- --no-install      do not install the peer tools (those not installed show as such)
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { installPeers } = require('./lib/install');
const { killAll } = require('./lib/proc');
const { snapshot, foreignCores, waitQuiet } = require('./lib/load');
const { makeTools, baseEnv, removeBenchCache, ROOT } = require('./lib/tools');
const { describeMachine } = require('./lib/machine');
const { Report } = require('./lib/report');
const { part1SaveToLive, part2BackToState, part3Overhead, part4Scale } = require('./lib/parts');
const { part5Workers, WORKERS_METHOD } = require('./lib/workers');

const FULL = {
  name: 'full',
  sizes: [1000, 10000, 50000],
  saves: 20,
  warmupMs: 1000,
  stateSaves: 5,
  stateRecords: 300000,
  stateSeconds: 2,
  rounds: 7,
  // the CPU-bound target (≤ 3 %) is finer than its runs' spread: more rounds narrow its interval
  cpuRounds: 15,
  iterations: 1,
  startupRounds: 10,
  attachReference: true,
  modules: 2000,
  scaleRounds: 3,
  scaleSaves: 5,
  scaleSettleMs: 1500,
  workerSaves: 10,
  output: 'RESULTS.md',
};

const QUICK = {
  name: 'quick',
  sizes: [1000],
  saves: 3,
  warmupMs: 500,
  stateSaves: 1,
  stateRecords: 75000,
  stateSeconds: 0.5,
  rounds: 1,
  cpuRounds: 1,
  iterations: 0.5,
  startupRounds: 3,
  attachReference: false,
  modules: 500,
  scaleRounds: 1,
  scaleSaves: 1,
  scaleSettleMs: 800,
  workerSaves: 2,
  output: 'RESULTS.quick.md',
};

function parseArgs(argv) {
  const opts = { quick: false, node: process.execPath, only: [1, 2, 3, 4, 5], cpuProf: null, install: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') opts.quick = true;
    else if (a === '--node') opts.node = path.resolve(argv[++i]);
    else if (a === '--only') opts.only = argv[++i].split(',').map(Number);
    else if (a === '--cpu-prof') opts.cpuProf = path.resolve(argv[++i]);
    else if (a === '--no-install') opts.install = false;
    else if (a === '-h' || a === '--help') { const lines = fs.readFileSync(__filename, 'utf8').split('\n').slice(1); console.log(lines.slice(0, lines.findIndex((l) => !l.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n')); process.exit(0); }
    else { console.error(`bench: unknown argument ${a} (see --help)`); process.exit(2); }
  }
  if (!fs.existsSync(opts.node)) { console.error(`bench: no node at ${opts.node}`); process.exit(2); }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const plan = opts.quick ? QUICK : FULL;
  const t0 = Date.now();
  const log = (line) => process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);
  if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) { console.error('bench: dist/ is missing: npm run build first'); process.exit(2); }
  if (opts.install) installPeers({ log });

  const controllerArgs = opts.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProf] : [];
  const tools = makeTools(opts.node, { controllerArgs });
  const available = {};
  for (const [id, t] of Object.entries(tools)) {
    available[id] = t.check();
    log(`${t.label}: ${available[id].ok ? available[id].version : `cannot run here: ${available[id].reason}`}`);
  }
  const machine = describeMachine(ROOT);
  const report = new Report();
  const ctx = { plan, report, tools, available, env: baseEnv(opts.node), log };
  const started = Date.now();
  const parts = { 1: part1SaveToLive, 2: part2BackToState, 3: part3Overhead, 4: part4Scale, 5: part5Workers };
  const foreign = {};
  for (const n of opts.only) {
    if (!opts.quick) await waitQuiet({ log });
    const before = snapshot();
    await parts[n](ctx);
    foreign[n] = foreignCores(before, snapshot());
    if (foreign[n] !== null) log(`part ${n}: other processes used ${foreign[n].toFixed(2)} cores on average`);
  }
  const loadLine = Object.entries(foreign).filter(([, c]) => c !== null).map(([n, c]) => `part ${n}: ${c.toFixed(2)}`).join(', ');
  const busyParts = Object.entries(foreign).filter(([, c]) => c !== null && c >= 0.15).map(([n]) => n);
  const minutes = ((Date.now() - started) / 60000).toFixed(1);

  const versions = ['nodeWatch', 'nodemon', 'deno', 'bun']
    .map((id) => `${tools[id].label}: ${available[id].ok ? available[id].version : 'cannot run here'}`).join('; ');
  const text = report.markdown({
    title: `edit-continue benchmarks (${plan.name} run)`,
    context: [
      `${machine.date}, ${minutes} min; machine: ${machine.cpu}, ${machine.memory}, ${machine.os}`,
      `target node ${available.node.version} (${opts.node}); edit-continue ${available.ec.version}, commit ${machine.commit}`,
      `peers: ${versions}`,
      `parts run: ${opts.only.join(', ')}${opts.cpuProf ? ' (controller under --cpu-prof: times include the profiler)' : ''}`,
      `CPU used by other processes on this machine during each part, in cores on average (of ${require('node:os').cpus().length}): ${loadLine || 'not measured'}`
        + (busyParts.length ? `. **Part(s) ${busyParts.join(', ')} shared the machine with other work: their numbers are worse than on a quiet machine.**` : ''),
    ],
    method: [
      'Every number comes from real processes on this machine in this run: real node, real tools, files written in place with fs.writeFileSync as an editor does. Nothing is simulated or carried over from another run.',
      `Save → live: a generated ES module (functions of five lines, each called once at start) with a 1 ms ticker that prints \`v=N\` when \`version()\` changes. A save rewrites the file with the next N; the time is from just before the write to the arrival of that line on the program's stdout (edit-continue's own "[ec] patched" message is not used). ${plan.saves} saves per tool and size, at least 700 ms apart and 300 ms after the previous one went live (node --watch drops a change within 500 ms of the last); the first save after a ${plan.warmupMs} ms warm-up counts like the others. p50/p95 interpolate between ranks.`,
      'The floor is bench/lib/floor-client.js: node under the inspector (waiting before its first line, as edit-continue does) and one Debugger.setScriptSource of the file\'s text per fs.watch event, with no debounce, parsing or checks. It sends the file as written; edit-continue sends it with its retry boundaries added (a larger text, which V8 also takes longer to diff).',
      'edit-continue runs once per patch engine: `--engine liveedit` (the "edit-continue" rows, which the older targets are checked on) and `--engine swap`; "on node 26, LiveEdit off" is `edit-continue test/helpers/node26-nolive/node app.js` (auto, which picks swap there: the stand-in for Node 27), compared with plain node 26 under the same wrapper and, in parts 3 and 4, with `edit-continue --engine liveedit` on node 26 itself (which turns --inspector-live-edit on), compared with plain node 26 run directly (the wrapper, a shell and a preload, costs 7–10 ms a start): the targets of the stand-in are judged against LiveEdit on its own line, each against its own plain run.',
      'Each tool runs with its defaults as a user would start it: `edit-continue NODE app.js`, `node --watch app.js`, `nodemon app.js` (with the target node first on PATH), `deno run -A --watch-hmr app.js`, `bun --hot app.js`. The programs are ES modules in .js files (Deno only hot-replaces .js/.ts/.jsx/.tsx, not .mjs). The ticker lives on globalThis and is replaced when the module runs again, so exactly one ticker runs under Bun\'s --hot too.',
      `Back to state: an HTTP server that builds an index of ${plan.stateRecords.toLocaleString('en-US')} records (about ${plan.stateSeconds} s here) before it listens, and answers \`v<N> ... state=<id>\` with an id drawn when the state is built. After a save the harness asks every 5 ms until the answer carries the new N; "state kept" means the id and size are the ones from before the save.`,
      `Overhead: the same CommonJS workloads under plain node, edit-continue, edit-continue --no-boundaries${plan.attachReference ? ' and the bare inspector attach (floor client without watching, same exception pauses)' : ''}, ${plan.cpuRounds} round(s) of the CPU-bound one and ${plan.rounds} of the throw-heavy one, interleaved with the order rotating; the CPU-bound target (≤ 3 %) and the swap rows' "≤ the LiveEdit engine's cost (+5 %)" (here and in part 4) are judged on a 90 % bootstrap interval of their measure, made of medians (met when all of it is within the target, a miss when none of it is, else "not decided"). Workload time is measured inside the program (${Math.round(20 * plan.iterations)} iterations CPU-bound, ${Math.round(10 * plan.iterations)} throw-heavy), startup is spawn → exit of a hello world.`,
      `Scale: ${plan.modules} generated CommonJS modules of 25 lines in folders of 100, required by main.js; startup is spawn → the program's "loaded" line, ${plan.scaleRounds} round(s). "edit-continue" is a second start: one untimed start before the rounds filled its cache of transformed texts (README, "The boundary cache"); "first start" runs each time with an empty cache. Controller peak RSS is VmHWM of edit-continue's own process (not the program). Saves change version() in module ${plan.modules / 2}, after the program has run for ${plan.scaleSettleMs / 1000} s.`,
      WORKERS_METHOD(plan),
      'Files are dated an hour back before each run, as a project\'s files are when a user starts it.',
    ],
  });
  const out = path.join(__dirname, plan.output);
  fs.writeFileSync(out, text);
  console.log(text);
  log(`written to ${path.relative(process.cwd(), out)}`);
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { killAll(); removeBenchCache(); process.exit(128 + (sig === 'SIGINT' ? 2 : 15)); });
}
process.on('exit', () => removeBenchCache());

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
