// 2. Back to state: a server that builds its state for about two seconds before it listens. After a
// save, how long until it answers with the new code, and is the state it built still there?
'use strict';
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { start, sleep } = require('./proc');
const { scratch, writeOld, save, remove } = require('./files');
const { stateServer } = require('./programs');
const { get, freePort } = require('./http-probe');

const TIMEOUT_MS = 30000;
const POLL_MS = 5;

const parse = (body) => {
  const m = /^v(\d+) (-?\d+) state=(\w+) size=(\d+)$/.exec(body ?? '');
  return m ? { version: Number(m[1]), state: m[3], size: Number(m[4]) } : null;
};

/**
 * Returns { samples: [ms...], survived: [bool...], builtMs, misses: [reason...] }.
 */
async function backToState(tool, env, { saves, records, warmupMs = 1000, settleMs = 500 }) {
  const dir = scratch('state', { type: 'module' });
  const file = path.join(dir, 'server.js');
  writeOld(file, stateServer(0, { records }));
  const port = await freePort();
  const [cmd, args] = tool.command(file);
  const p = start(cmd, args, { cwd: dir, env: { ...env, PORT: String(port) } });
  const result = { samples: [], survived: [], builtMs: null, misses: [] };
  try {
    const ready = await p.waitFor(/^ready built=\d+ms/, 60000);
    result.builtMs = Number(/built=(\d+)/.exec(ready.text)[1]);
    let before = parse((await get(port, '/?k=k7'))?.body);
    if (!before) throw new Error(`the server did not answer: ${p.describe()}`);
    await sleep(warmupMs);
    for (let i = 1; i <= saves; i++) {
      const text = stateServer(i, { records });
      const t0 = performance.now();
      save(file, text);
      let answer = null;
      while (performance.now() - t0 < TIMEOUT_MS) {
        const r = await get(port, '/?k=k7', TIMEOUT_MS);
        const a = r && parse(r.body);
        if (a && a.version === i) { answer = { ...a, t: r.t }; break; }
        await sleep(POLL_MS);
      }
      if (!answer) {
        result.misses.push(`save ${i}: no answer with the new code after ${TIMEOUT_MS} ms`);
        if (p.child.exitCode !== null || p.child.signalCode !== null) break;
        continue;
      }
      result.samples.push(answer.t - t0);
      result.survived.push(answer.state === before.state && answer.size === before.size);
      before = answer;
      if (i < saves) await sleep(settleMs);
    }
  } catch (e) {
    result.misses.push(`did not start: ${e.message.split('\n')[0]}`);
    process.stderr.write(`\n${e.message}\n`);
  } finally {
    await p.stop();
    remove(dir);
  }
  return result;
}

module.exports = { backToState };
