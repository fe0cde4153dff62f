// 3. Overhead: the same workloads under plain node and under edit-continue (with and without retry
// boundaries), and the bare CDP attach with the same exception pauses for reference. Runs are
// interleaved (round robin, the order rotating every round) so that drift hits every variant alike.
'use strict';
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { start } = require('./proc');
const { scratch, writeOld, remove } = require('./files');
const { cpuWorkload, throwWorkload, helloWorld } = require('./programs');

const rotate = (xs, k) => xs.map((_, i) => xs[(i + k) % xs.length]);

/**
 * Run a program to its end; returns { workMs (from its own `work N ms` line, if any), roundMs (the
 * median round of that line: the rounds after the JIT's warm-up), wallMs }.
 */
async function runOnce(tool, env, file, cwd) {
  const [cmd, args] = tool.command(file);
  const p = start(cmd, args, { cwd, env });
  const exit = await p.exited;
  const wallMs = performance.now() - p.startedAt;
  const line = p.out.lines.find((l) => /^work [\d.]+ ms/.test(l.text));
  if (exit.code !== 0 || (!line && /work/.test(path.basename(file)))) {
    const last = p.err.tail(1).trim() || 'no stderr';
    throw new Error(`${tool.label} failed on ${path.basename(file)} (exit ${exit.code ?? exit.signal}): ${last}\n${p.describe()}`);
  }
  const round = line ? /median ([\d.]+) ms/.exec(line.text) : null;
  return { workMs: line ? Number(/^work ([\d.]+)/.exec(line.text)[1]) : null, roundMs: round ? Number(round[1]) : null, wallMs };
}

/**
 * `variants`: tools to compare (the first is the baseline); `rounds` of each workload (`cpuRounds` of
 * the CPU-bound one, `startupRounds` of hello world); `iterations` scales the workloads (1: 20
 * iterations of the CPU kernel, 10 of the throwing one). Returns, per workload name and tool id,
 * the list of samples: { cpu: { node: [ms...] }, throws: {...}, startup: {...} }, and `cpuRound`:
 * the median round of each CPU-bound run (steady state, without the warm-up rounds).
 */
async function overhead(variants, env, { rounds, cpuRounds = rounds, startupRounds, iterations = 1, onProgress = () => {} }) {
  const dir = scratch('overhead');
  const files = {
    cpu: path.join(dir, 'cpu-work.js'),
    throws: path.join(dir, 'throw-work.js'),
    startup: path.join(dir, 'hello.js'),
  };
  writeOld(files.cpu, cpuWorkload(Math.round(20 * iterations)));
  writeOld(files.throws, throwWorkload(Math.round(10 * iterations)));
  writeOld(files.startup, helloWorld);
  const out = { cpu: {}, throws: {}, startup: {}, cpuRound: {} };
  const failures = [];
  for (const k of Object.keys(out)) for (const v of variants) out[k][v.id] = [];
  try {
    for (const [name, n] of [['cpu', cpuRounds], ['throws', rounds], ['startup', startupRounds]]) {
      for (let r = 0; r < n; r++) {
        for (const v of rotate(variants, r)) {
          try {
            const res = await runOnce(v, env, files[name], dir);
            out[name][v.id].push(name === 'startup' ? res.wallMs : res.workMs);
            if (name === 'cpu' && res.roundMs !== null) out.cpuRound[v.id].push(res.roundMs);
          } catch (e) {
            failures.push(`${name}/${v.label}: ${e.message.split('\n')[0]}`);
          }
          onProgress();
        }
      }
    }
  } finally {
    remove(dir);
  }
  return { samples: out, failures };
}

module.exports = { overhead };
