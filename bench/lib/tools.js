// The ways to run a program that the benchmarks compare: plain node, edit-continue (each patch engine,
// with and without retry boundaries, and on the Node 27 stand-in: node 26 with LiveEdit off), the bare
// CDP floor, and the peers users pick (node --watch, nodemon, Deno's HMR, Bun's --hot). Each says how
// to start a script, which patch engine it uses (`engine`: the table's column) and whether it can run
// here, and why not. `base`: the id of the plain node run to compare against (default `node`).
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const BENCH_MODULES = path.join(__dirname, '..', 'node_modules');
const EC_BIN = path.join(ROOT, 'bin', 'edit-continue');
const FLOOR = path.join(__dirname, 'floor-client.js');
const BENCH_CACHE = path.join(require('node:os').tmpdir(), `ec-bench-cache-${process.pid}`);
/** Node 26 with LiveEdit off and run-time enabling refused: the stand-in for Node 27 (test/helpers). */
const NO_LIVE_EDIT_NODE = path.join(ROOT, 'test', 'helpers', 'node26-nolive', 'node');
/** Node 26 itself (npm run nodes): LiveEdit there, on the stand-in's line, to compare the stand-in with. */
const NODE26 = path.join(ROOT, 'nodes', 'node_modules', 'node26', 'bin', 'node');

function removeBenchCache() {
  fs.rmSync(BENCH_CACHE, { recursive: true, force: true });
}

/** The environment for one start of `tool`: its own variables, and a fresh, empty cache folder for the first-start variant. */
function runEnv(tool, env) {
  if (tool.extraEnv) env = { ...env, ...tool.extraEnv };
  if (!tool.emptyCache) return { env, done: () => {} };
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'ec-bench-cold-'));
  return { env: { ...env, EDIT_CONTINUE_CACHE_DIR: dir }, done: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function firstLine(file, args, env) {
  return execFileSync(file, args, { encoding: 'utf8', timeout: 20000, env, stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n')[0];
}

/**
 * The environment every tool gets: ours, minus what would change how node runs or logs. edit-continue's
 * cache of transformed texts goes to a folder of this run (removed by `removeBenchCache`), so that a
 * run neither uses nor fills the user's own cache.
 */
function baseEnv(targetNode, extra = {}) {
  const env = { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', EDIT_CONTINUE_CACHE_DIR: BENCH_CACHE, ...extra };
  delete env.EDIT_CONTINUE_CACHE;
  delete env.NODE_OPTIONS;
  if (!extra.EDIT_CONTINUE_DEBUG) delete env.EDIT_CONTINUE_DEBUG;
  // tools that start "node" by name (nodemon) find the target node first
  env.PATH = `${path.dirname(targetNode)}${path.delimiter}${env.PATH ?? ''}`;
  return env;
}

/**
 * Tool list for one target node. `check()` returns { ok, version } or { ok: false, reason }.
 * `command(script, { watchFile })` returns [file, args] (watchFile: the module a save changes, if not
 * the script; only the floor needs to be told). `controllerArgs` go to the node that runs edit-continue's
 * controller (--cpu-prof for profiling).
 */
function makeTools(targetNode, { controllerArgs = [] } = {}) {
  const nodeVersion = () => firstLine(targetNode, ['--version']);
  const controller = process.execPath;
  const denoBin = path.join(BENCH_MODULES, '@deno', 'linux-x64-glibc', 'deno');
  const bunBin = path.join(BENCH_MODULES, '@oven', 'bun-linux-x64', 'bin', 'bun');
  const nodemonBin = path.join(BENCH_MODULES, 'nodemon', 'bin', 'nodemon.js');
  const binary = (file, args, platformPackage) => () => {
    if (!fs.existsSync(file)) {
      return { ok: false, reason: `no ${platformPackage} binary for ${process.platform}-${process.arch} (bench/package.json installs the linux-x64 glibc package only)` };
    }
    try { return { ok: true, version: firstLine(file, args) }; } catch (e) { return { ok: false, reason: `${path.basename(file)} does not run here: ${String(e.message).split('\n')[0]}` }; }
  };
  const noLiveCheck = () => {
    try { return { ok: true, version: `${firstLine(NO_LIVE_EDIT_NODE, ['--version'])}, LiveEdit off` }; } catch (e) {
      return { ok: false, reason: `the Node 27 stand-in needs node 26 (npm run nodes): ${String(e.message).split('\n')[0]}` };
    }
  };
  const node26Check = () => {
    if (!fs.existsSync(NODE26)) return { ok: false, reason: 'node 26 is not installed (npm run nodes)' };
    try { return { ok: true, version: firstLine(NODE26, ['--version']) }; } catch (e) { return { ok: false, reason: String(e.message).split('\n')[0] }; }
  };
  const tools = {
    node: { label: 'plain node', check: () => ({ ok: true, version: nodeVersion() }), command: (s) => [targetNode, [s]] },
    ec: {
      label: 'edit-continue',
      engine: 'LiveEdit',
      check: () => ({ ok: true, version: `${firstLine(controller, [EC_BIN, '--version'])} (controller on node ${process.version})` }),
      command: (s) => [controller, [...controllerArgs, EC_BIN, '--engine', 'liveedit', targetNode, s]],
    },
    ecSwap: {
      label: 'edit-continue --engine swap',
      engine: 'swap',
      check: () => ({ ok: true, version: firstLine(controller, [EC_BIN, '--version']) }),
      command: (s) => [controller, [...controllerArgs, EC_BIN, '--engine', 'swap', targetNode, s]],
    },
    ecFirst: {
      label: 'edit-continue, first start (empty cache)',
      engine: 'LiveEdit',
      emptyCache: true,
      check: () => ({ ok: true, version: firstLine(controller, [EC_BIN, '--version']) }),
      command: (s) => [controller, [...controllerArgs, EC_BIN, '--engine', 'liveedit', targetNode, s]],
    },
    ecSwapFirst: {
      label: 'edit-continue --engine swap, first start (empty cache)',
      engine: 'swap',
      emptyCache: true,
      check: () => ({ ok: true, version: firstLine(controller, [EC_BIN, '--version']) }),
      command: (s) => [controller, [...controllerArgs, EC_BIN, '--engine', 'swap', targetNode, s]],
    },
    ecNoBoundaries: {
      label: 'edit-continue --no-boundaries',
      engine: 'LiveEdit',
      check: () => ({ ok: true, version: firstLine(controller, [EC_BIN, '--version']) }),
      command: (s) => [controller, [...controllerArgs, EC_BIN, '--no-boundaries', targetNode, s]],
    },
    // plain node with node's own compile cache (22.1+), which edit-continue turns on for the program
    // (src/inject/compile-cache.ts): what the same cache gives a plain start
    nodeCodeCache: {
      label: 'plain node, NODE_COMPILE_CACHE set',
      check: () => {
        const has = firstLine(targetNode, ['-p', "typeof require('node:module').enableCompileCache"]) === 'function';
        return has ? { ok: true, version: nodeVersion() } : { ok: false, reason: `node ${nodeVersion()} has no compile cache (node 22.1+)` };
      },
      command: (s) => [targetNode, [s]],
      extraEnv: { NODE_COMPILE_CACHE: path.join(BENCH_CACHE, 'plain-node') },
    },
    nodeNoLive: { label: 'plain node 26, LiveEdit off', check: noLiveCheck, command: (s) => [NO_LIVE_EDIT_NODE, [s]] },
    ecNoLive: {
      label: 'edit-continue on node 26, LiveEdit off',
      engine: 'swap (auto)',
      base: 'nodeNoLive',
      check: noLiveCheck,
      command: (s) => [controller, [...controllerArgs, EC_BIN, NO_LIVE_EDIT_NODE, s]],
    },
    ecLive26: {
      // the same line as the stand-in, with LiveEdit (edit-continue turns --inspector-live-edit on):
      // the stand-in's swap rows are judged against it, not against LiveEdit on the target node
      label: 'edit-continue on node 26, LiveEdit',
      engine: 'LiveEdit',
      // node 26 itself, not behind the stand-in's wrapper (a shell and a preload: 7-10 ms a start)
      base: 'node26',
      check: node26Check,
      command: (s) => [controller, [...controllerArgs, EC_BIN, '--engine', 'liveedit', NODE26, s]],
    },
    node26: { label: 'plain node 26', check: node26Check, command: (s) => [NODE26, [s]] },
    floor: {
      label: 'bare CDP floor',
      check: () => ({ ok: true, version: `chrome-remote-interface ${require('chrome-remote-interface/package.json').version}` }),
      command: (s, { watchFile } = {}) => [controller, [FLOOR, ...(watchFile ? ['--file', watchFile] : []), targetNode, s]],
    },
    floorAttached: {
      label: 'bare CDP attach (no watch)',
      check: () => ({ ok: true, version: `chrome-remote-interface ${require('chrome-remote-interface/package.json').version}` }),
      command: (s) => [controller, [FLOOR, '--pause-uncaught', '--no-watch', targetNode, s]],
    },
    nodeWatch: { label: 'node --watch', check: () => ({ ok: true, version: nodeVersion() }), command: (s) => [targetNode, ['--watch', s]] },
    nodemon: {
      label: 'nodemon',
      check: () => {
        if (!fs.existsSync(nodemonBin)) return { ok: false, reason: 'nodemon is not installed (npm install in bench/ failed)' };
        try { return { ok: true, version: `nodemon ${firstLine(controller, [nodemonBin, '--version'])}` }; } catch (e) { return { ok: false, reason: String(e.message).split('\n')[0] }; }
      },
      command: (s) => [controller, [nodemonBin, s]],
    },
    deno: {
      label: 'deno --watch-hmr',
      check: binary(denoBin, ['--version'], '@deno/linux-x64-glibc'),
      command: (s) => [denoBin, ['run', '-A', '--watch-hmr', s]],
    },
    bun: {
      label: 'bun --hot',
      check: () => { const r = binary(bunBin, ['--version'], '@oven/bun-linux-x64')(); return r.ok ? { ok: true, version: `bun ${r.version}` } : r; },
      command: (s) => [bunBin, ['--hot', s]],
    },
  };
  for (const [id, t] of Object.entries(tools)) t.id = id;
  return tools;
}

module.exports = { makeTools, baseEnv, runEnv, removeBenchCache, ROOT };
