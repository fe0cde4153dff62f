// 4. Scale: a program that loads 2,000 modules. Startup (spawn → the program's "loaded" line) under
// plain node and edit-continue, the controller's peak RSS, then saves of one module: save → live.
'use strict';
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { start, sleep } = require('./proc');
const { scratch, writeOld, save, remove } = require('./files');
const { manyModules } = require('./programs');
const { peakRssMb } = require('./rss');
const { runEnv } = require('./tools');

const LIVE_TIMEOUT_MS = 20000;

/**
 * `variants`: [plain node, edit-continue, ...]; the ones with `watches` get saves. Runs are interleaved.
 * Returns { modules, startup: { id: [ms...] }, loadMs: { id: [ms...] }, rssMb: { id: [MB...] },
 * live: { id: [ms...] }, misses: [...] }.
 */
async function scale(variants, env, { modules, rounds, saves, settleMs = 1500 }) {
  const dir = scratch('scale');
  const program = manyModules(modules, Math.floor(modules / 2));
  for (const [name, text] of Object.entries(program.files)) writeOld(path.join(dir, name), text);
  const watched = path.join(dir, program.watchedFile);
  const main = path.join(dir, program.main);
  const out = { modules, startup: {}, loadMs: {}, rssMb: {}, live: {}, misses: [] };
  for (const v of variants) { out.startup[v.id] = []; out.loadMs[v.id] = []; out.rssMb[v.id] = []; out.live[v.id] = []; }
  let version = 1;
  try {
    // a start before the timed ones, as a user has started the program before: edit-continue's
    // cache of transformed texts is then filled (its first start is a variant of its own, emptyCache)
    for (const v of variants.filter((x) => x.primeCache)) {
      const [cmd, args] = v.command(main, { watchFile: watched });
      const run = runEnv(v, env);
      const p = start(cmd, args, { cwd: dir, env: run.env });
      try { await p.waitFor(/^loaded \d+ modules in/, 120000); } catch (e) { out.misses.push(`${v.label}: untimed first start: ${e.message.split('\n')[0]}`); }
      await p.stop();
      run.done();
      await sleep(500);
    }
    for (let r = 0; r < rounds; r++) {
      for (const v of r % 2 ? [...variants].reverse() : variants) {
        const [cmd, args] = v.command(main, { watchFile: watched });
        const run = runEnv(v, env);
        const p = start(cmd, args, { cwd: dir, env: run.env });
        try {
          const loaded = await p.waitFor(/^loaded \d+ modules in/, 120000);
          out.startup[v.id].push(loaded.t - p.startedAt);
          out.loadMs[v.id].push(Number(/in ([\d.]+) ms/.exec(loaded.text)[1]));
          if (v.watches && r === 0) {
            await sleep(settleMs); // the first save comes once startup work (watching 2,000 files) is done
            for (let i = 0; i < saves; i++) {
              version++;
              const text = program.moduleText(Math.floor(modules / 2), version);
              const from = p.mark();
              const t0 = performance.now();
              save(watched, text);
              try {
                const hit = await p.waitFor(new RegExp(`^v=${version}$`), LIVE_TIMEOUT_MS, from);
                out.live[v.id].push(hit.t - t0);
              } catch {
                out.misses.push(`${v.label}: save ${i + 1} of the module not live after ${LIVE_TIMEOUT_MS} ms`);
              }
              if (i < saves - 1) await sleep(700);
            }
          }
          if (v.controller) {
            const rss = peakRssMb(p.pid);
            if (rss !== null) out.rssMb[v.id].push(rss);
          }
        } catch (e) {
          out.misses.push(`${v.label}: ${e.message.split('\n')[0]}`);
        } finally {
          await p.stop();
          run.done();
        }
      }
    }
  } finally {
    remove(dir);
  }
  return out;
}

module.exports = { scale };
