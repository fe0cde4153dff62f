// 1. Save → live: from the write of a file to the line in which the running program shows the new
// version, over many saves, for each tool and file size.
'use strict';
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { start, sleep } = require('./proc');
const { scratch, writeOld, save, remove } = require('./files');
const { bigModule } = require('./programs');

const TIMEOUT_MS = 20000;

/**
 * Run one tool on a file of `lines` lines and save it `saves` times. Saves are at least `gapMs` apart
 * and `settleMs` after the previous one went live (node --watch ignores a second change within 500 ms).
 * Returns { samples: [ms...], misses: [reason...] }.
 */
async function saveToLive(tool, env, { lines, saves, warmupMs = 1000, gapMs = 700, settleMs = 300 }) {
  const dir = scratch(`live-${lines}`, { type: 'module' });
  const file = path.join(dir, 'app.js');
  writeOld(file, bigModule(lines, 0));
  const [cmd, args] = tool.command(file);
  const p = start(cmd, args, { cwd: dir, env });
  const samples = [];
  const misses = [];
  try {
    await p.waitFor(/^v=0 /, 60000);
    await sleep(warmupMs);
    let lastSave = -Infinity;
    for (let i = 1; i <= saves; i++) {
      const text = bigModule(lines, i);
      const wait = lastSave + gapMs - performance.now();
      if (wait > 0) await sleep(wait);
      const from = p.mark();
      const t0 = performance.now();
      save(file, text);
      lastSave = t0;
      try {
        const hit = await p.waitFor(new RegExp(`^v=${i} `), TIMEOUT_MS, from);
        samples.push(hit.t - t0);
      } catch (e) {
        misses.push(`save ${i}: not live after ${TIMEOUT_MS} ms${/exited/.test(e.message) ? ' (the program exited)' : ''}`);
        if (p.child.exitCode !== null || p.child.signalCode !== null) break;
      }
      if (i < saves) await sleep(settleMs);
    }
  } catch (e) {
    misses.push(`did not start: ${e.message.split('\n')[0]}`);
    process.stderr.write(`\n${e.message}\n`);
  } finally {
    await p.stop();
    remove(dir);
  }
  return { samples, misses };
}

module.exports = { saveToLive };
