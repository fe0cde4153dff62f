// CPU used on this machine by processes that are not ours, while a part runs: the benchmarks share
// 2 cores with whatever else runs, and a busy neighbour makes every number worse. Linux only.
'use strict';
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');

/** Busy CPU time of the whole machine and of this process with its reaped children, in seconds. */
function snapshot() {
  try {
    const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = cpu[3] + (cpu[4] || 0);
    const busy = cpu.reduce((a, b) => a + b, 0) - idle;
    // fields after the command name: utime is the 14th field, then stime, cutime, cstime
    const self = fs.readFileSync('/proc/self/stat', 'utf8');
    const f = self.slice(self.lastIndexOf(')') + 2).split(' ').map(Number);
    const ours = f[11] + f[12] + f[13] + f[14];
    return { busy: busy / 100, ours: ours / 100, t: performance.now() / 1000 };
  } catch {
    return null;
  }
}

/** Cores used on average by other processes between two snapshots (all our children reaped by then). */
function foreignCores(a, b) {
  if (!a || !b || b.t <= a.t) return null;
  return Math.max(0, (b.busy - a.busy) - (b.ours - a.ours)) / (b.t - a.t);
}

module.exports = { snapshot, foreignCores };

/**
 * Wait until other processes leave the machine alone (under `cores` on average over 2 s), for at most
 * `maxMs`. Returns the last load seen.
 */
async function waitQuiet({ cores = 0.15, maxMs = 120000, log = () => {} } = {}) {
  const until = performance.now() + maxMs;
  let said = false;
  for (;;) {
    const a = snapshot();
    await new Promise((r) => setTimeout(r, 2000));
    const load = foreignCores(a, snapshot());
    if (load === null || load < cores || performance.now() > until) return load;
    if (!said) { log(`other processes use ${load.toFixed(2)} cores: waiting up to ${Math.round(maxMs / 1000)} s for a quiet machine ...`); said = true; }
  }
}

module.exports.waitQuiet = waitQuiet;
