// 5. Save → every thread (issue 15): a main thread and 8 worker threads call one module's function
// every millisecond; a save's time is from the write to the last thread whose call returns the new
// value (each thread notes that moment with its own clock), and to the first one.
'use strict';
const path = require('node:path');
const { start, sleep } = require('./proc');
const { scratch, writeOld, save, remove } = require('./files');
const { summary } = require('./stats');
const { ms } = require('./report');

const TIMEOUT_MS = 30000;
const shape = (k) => `function value() {\n  return 'v${k}';\n}\nmodule.exports = { value };\n`;

function program(dir, workers) {
  writeOld(path.join(dir, 'shape.js'), shape(0));
  writeOld(path.join(dir, 'thread.js'), `
const { isMainThread, threadId, parentPort } = require('node:worker_threads');
const { value } = require('./shape');
let last = value();
const say = (m) => (isMainThread ? console.log(m) : parentPort.postMessage(m));
setInterval(() => { const v = value(); if (v !== last) { last = v; say(threadId + ' ' + v + ' ' + Date.now()); } }, 1);
say('ready ' + threadId);
`);
  writeOld(path.join(dir, 'main.js'), `
const { Worker } = require('node:worker_threads');
const path = require('node:path');
for (let i = 0; i < ${workers}; i++) new Worker(path.join(__dirname, 'thread.js')).on('message', (m) => console.log(m));
require('./thread.js');
`);
}

/** One tool: { last: [ms…], first: [ms…], oneLine: saves reported on one line, misses: [reason…] }. */
async function saveToEveryThread(tool, env, { workers, saves, warmupMs }) {
  const dir = scratch('workers');
  program(dir, workers);
  const [cmd, args] = tool.command(path.join(dir, 'main.js'));
  const p = start(cmd, args, { cwd: dir, env });
  const threads = workers + 1;
  const last = [];
  const first = [];
  const misses = [];
  let errFrom = Infinity;
  /** The save of `k`, and the thread-side times at which every thread ran it. */
  const saveAndWait = async (k) => {
    const from = p.mark();
    const t0 = Date.now();
    save(path.join(dir, 'shape.js'), shape(k));
    const seen = new Map();
    const re = new RegExp(`^(\\d+) v${k} (\\d+)$`);
    for (let line = from; seen.size < threads; line++) {
      const hit = await p.waitFor(re, TIMEOUT_MS, line);
      line = p.out.lines.indexOf(hit);
      const [, id, t] = re.exec(hit.text);
      seen.set(id, Number(t) - t0);
    }
    return [...seen.values()];
  };
  try {
    await waitCount(p, /^ready \d+$/, threads, 60000);
    // a first save, not counted: every worker is attached and has taken a save before the timing starts
    await saveAndWait(0.5);
    await sleep(warmupMs);
    errFrom = p.err.lines.length;
    for (let k = 1; k <= saves; k++) {
      try {
        const times = await saveAndWait(k);
        last.push(Math.max(...times));
        first.push(Math.min(...times));
      } catch (e) {
        misses.push(`save ${k}: not in every thread after ${TIMEOUT_MS} ms${/exited/.test(e.message) ? ' (the program exited)' : ''}`);
        if (p.child.exitCode !== null || p.child.signalCode !== null) break;
      }
      await sleep(300);
    }
  } catch (e) {
    misses.push(`did not start: ${e.message.split('\n')[0]}`);
    process.stderr.write(`\n${e.message}\n`);
  } finally {
    await p.stop();
    remove(dir);
  }
  const oneLine = p.err.lines.slice(errFrom).filter((l) => new RegExp(`patched shape\\.js: value \\(main \\+ ${workers} threads\\)`).test(l.text)).length;
  return { last, first, oneLine, misses };
}

/** Wait until `n` stdout lines match `re`. */
async function waitCount(p, re, n, timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (p.out.lines.filter((l) => re.test(l.text)).length < n) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${n} lines ${re}:\n${p.describe()}`);
    await p.waitFor(/.*/, end - Date.now(), p.mark());
  }
}

async function part5Workers(ctx) {
  const { plan, report, env, log, tools, available } = ctx;
  const workers = 8;
  const measure = `5. save → every thread, main + ${workers} worker threads (${plan.workerSaves} saves)`;
  for (const id of ['ec', 'ecSwap', 'ecNoLive']) {
    const t = tools[id];
    if (!available[id].ok) { report.add({ measure, tool: t.label, engine: t.engine, stats: null, notes: `cannot run here: ${available[id].reason}` }); continue; }
    log(`5. save → every thread: ${t.label} ...`);
    const r = await saveToEveryThread(t, env, { workers, saves: plan.workerSaves, warmupMs: plan.warmupMs });
    for (const m of r.misses) report.problem(`${measure}, ${t.label}: ${m}`);
    const s = summary(r.last);
    log(`   last thread p50 ${ms(s.median)} ms, first ${ms(summary(r.first).median)} ms`);
    report.add({
      measure, tool: t.label, engine: t.engine, stats: s,
      notes: `to the last thread; to the first: p50 ${ms(summary(r.first).median)} ms; saves reported on one line for all ${workers + 1} threads: ${r.oneLine} of ${plan.workerSaves}`,
    });
  }
}

const WORKERS_METHOD = (plan) => `Save → every thread: main.js starts 8 worker threads, and all nine call one module's function every millisecond; each notes (Date.now(), its own clock) the first call that returns the new value, and prints it (workers through the main thread: the time is the thread's, not the line's arrival). A save's time is from just before the write to the last thread's (and the first thread's) moment. One untimed save first, so that every worker is attached; then ${plan.workerSaves} saves 300 ms apart.`;

module.exports = { part5Workers, saveToEveryThread, WORKERS_METHOD };
