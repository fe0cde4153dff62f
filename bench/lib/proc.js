// A running process under test: its stdout as timestamped lines to wait on, its stderr kept for
// diagnostics, and a stop that ends its whole process group.
'use strict';
const { spawn } = require('node:child_process');
const { performance } = require('node:perf_hooks');

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[c()][0-9A-Za-z]?/g;

class Lines {
  constructor() {
    this.lines = [];
    this.partial = '';
    this.waiters = [];
  }

  push(chunk, t) {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop();
    for (const raw of parts) {
      const line = { text: raw.replace(ANSI, '').replace(/\r/g, ''), t };
      this.lines.push(line);
      for (const w of [...this.waiters]) if (w.test(line.text)) w.done(line);
    }
  }

  tail(n = 12) {
    return this.lines.slice(-n).map((l) => l.text).concat(this.partial ? [this.partial] : []).join('\n');
  }
}

/**
 * Spawn a command in a process group of its own. `lines(re, timeoutMs)` resolves with the first
 * stdout line after `since` (a line index; default: the next line) that matches, and its arrival time.
 */
const running = new Set();

function start(command, args, { cwd, env } = {}) {
  const startedAt = performance.now();
  const child = spawn(command, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  running.add(child);
  const out = new Lines();
  const err = new Lines();
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (c) => out.push(c, performance.now()));
  child.stderr.on('data', (c) => err.push(c, performance.now()));
  child.stdin.on('error', () => {});
  let exit = null;
  const exited = new Promise((resolve) => {
    child.on('error', (e) => { exit = { code: 127, signal: null, error: e }; running.delete(child); resolve(exit); });
    child.on('exit', (code, signal) => { exit = { code, signal }; running.delete(child); resolve(exit); });
  });

  const describe = () => `${command} ${args.join(' ')}\n--- stdout ---\n${out.tail()}\n--- stderr ---\n${err.tail()}`;

  function waitFor(re, timeoutMs, from = out.lines.length) {
    const hit = out.lines.slice(from).find((l) => re.test(l.text));
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const w = {
        test: (text) => re.test(text),
        done: (line) => { clearTimeout(timer); out.waiters.splice(out.waiters.indexOf(w), 1); resolve(line); },
      };
      const timer = setTimeout(() => {
        out.waiters.splice(out.waiters.indexOf(w), 1);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${re} from\n${describe()}`));
      }, timeoutMs);
      out.waiters.push(w);
      exited.then((e) => {
        if (!out.waiters.includes(w)) return;
        clearTimeout(timer);
        out.waiters.splice(out.waiters.indexOf(w), 1);
        reject(new Error(`exited (${e.code ?? e.signal}) while waiting for ${re}:\n${describe()}`));
      });
    });
  }

  /** SIGTERM to the group, then SIGKILL if it is still there after `graceMs`. */
  async function stop(graceMs = 3000) {
    if (exit) return exit;
    const signal = (sig) => { try { process.kill(-child.pid, sig); } catch { /* gone */ } };
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    signal('SIGKILL'); // whatever of the group is left (a target whose controller ended first)
    return exit;
  }

  return { child, pid: child.pid, startedAt, out, err, exited, waitFor, stop, describe, mark: () => out.lines.length };
}

/** End every process group still running (the harness is interrupted). */
function killAll() {
  for (const child of running) {
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

module.exports = { start, sleep, killAll };
